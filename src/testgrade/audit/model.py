"""The audit report as data: every number and every sentence, derived from findings.

The renderers (terminal, Markdown, JSON, HTML) only lay this out; none of them
computes or words anything of its own, so the formats cannot disagree.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from testgrade.audit.compare import Comparison, compare
from testgrade.catalogue import CATEGORIES, load_catalogue, selected_rules
from testgrade.checks.size import limits_for
from testgrade.config import Config
from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity
from testgrade.scoring import (
    APPLICABILITY,
    AuditResult,
    CategoryScore,
    FileScore,
    applies,
    category_of,
    score_results,
)

TITLE = "Test compliance audit"
STRENGTH_FLOOR = 90.0  # the line between strengths and areas for improvement
EXEMPLARY_LIMIT = 5
ATTENTION_LIMIT = 10
LIST_LIMIT = 50  # files listed per critical issue or recommendation, in every format

# What a file that fails a category does, for one-line details.
_FAILURE_VERB = {  # (one file, several files)
    "real-services": ("uses mocks", "use mocks"),
    "imports": ("has relative or deprecated imports", "have relative or deprecated imports"),
    "documentation": ("has missing or incomplete BVJs", "have missing or incomplete BVJs"),
    "size": ("exceeds the size limits", "exceed the size limits"),
    "integrity": ("cannot be read or parsed", "cannot be read or parsed"),
}


def format_score(score: float | None) -> str:
    """The one way a score is written in every format: one decimal, or n/a."""
    return "n/a" if score is None else f"{score:.1f}"


def format_delta(delta: float | None) -> str:
    return "n/a" if delta is None else f"{delta:+.1f}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


@dataclass(frozen=True)
class FileEntry:
    """A file singled out as exemplary or needing attention, with why."""

    path: str
    lines: int
    score: float | None
    grade: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RuleGroup:
    """All findings of one rule: the critical issues (errors) and the warnings."""

    rule: str
    name: str
    severity: str
    findings: int
    files: tuple[tuple[str, int], ...]  # (path, findings in it), most first


@dataclass(frozen=True)
class Recommendation:
    priority: str  # high, medium, low: by the overall-score gain of doing it
    rule: str
    text: str
    gain: float  # overall score points gained if every finding of the rule is fixed
    score_if_fixed: float | None
    items: tuple[str, ...]  # the files, or what to do per file


@dataclass(frozen=True)
class CheckItem:
    text: str
    done: bool | None  # None: nothing to check
    current: str


@dataclass(frozen=True)
class Report:
    title: str
    date: str
    root: str
    paths: tuple[str, ...]
    standards: tuple[tuple[str, str], ...]  # (label, value)
    audit: AuditResult
    files: int
    lines: int
    average_lines: float | None
    files_by_kind: dict[str, int]
    files_by_role: dict[str, int]
    files_by_directory: dict[str, int]
    tests: int
    tests_with_bvj: int
    integration_files: int
    mock_free_files: int | None  # None: TG101 not selected, nothing can be claimed
    findings: int
    errors: int
    warnings: int
    by_rule: dict[str, int]
    suppressed: int
    suppressions_without_reason: int
    details: dict[str, str]  # category id -> one-line detail
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    not_assessed: tuple[str, ...]
    exemplary: tuple[FileEntry, ...]
    attention: tuple[FileEntry, ...]
    critical: tuple[RuleGroup, ...]
    warning_groups: tuple[RuleGroup, ...]
    recommendations: tuple[Recommendation, ...]
    checklist: tuple[CheckItem, ...]
    fail_under: float | None = None
    comparison: Comparison | None = None

    @property
    def bvj_coverage(self) -> float | None:
        return percent(self.tests_with_bvj, self.tests)

    @property
    def mock_free_share(self) -> float | None:
        if self.mock_free_files is None:
            return None
        return percent(self.mock_free_files, self.integration_files)

    @property
    def verdict(self) -> str:
        """The headline sentence, e.g. "Overall grade: B+ (88.0/100)"."""
        if self.audit.score is None:
            return "Overall grade: n/a (no scored category applies to these files)"
        return f"Overall grade: {self.audit.grade} ({format_score(self.audit.score)}/100)"


def quantitative_rows(report: Report) -> list[tuple[str, str]]:
    """The quantitative-analysis table, worded once for every format."""
    if report.tests:
        bvj = (f"{format_score(report.bvj_coverage)}% ({report.tests_with_bvj:,} of "
               f"{plural(report.tests, 'test')})")
    else:
        bvj = "n/a (no tests)"
    if report.mock_free_files is None:
        mock_free = "not measured (TG101 not selected)"
    elif report.integration_files == 0:
        mock_free = "n/a (no integration or e2e files)"
    else:
        mock_free = (f"{format_score(report.mock_free_share)}% ({report.mock_free_files:,} of "
                     f"{report.integration_files:,} files)")
    return [
        ("Files", f"{report.files:,}"),
        ("Total lines", f"{report.lines:,}"),
        ("Average lines per file", format_score(report.average_lines)),
        ("Tests", f"{report.tests:,}"),
        ("BVJ coverage", bvj),
        ("Integration and e2e files free of mocks", mock_free),
        ("Findings", (f"{report.findings:,} ({plural(report.errors, 'error')}, "
                      f"{plural(report.warnings, 'warning')})")),
        ("Suppressed findings", (f"{report.suppressed:,} "
                                 f"({report.suppressions_without_reason:,} suppressions "
                                 "without a reason)")),
    ]


def report_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def _display_path(path: Path, root: Path) -> str:
    try:
        relative = Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return relative if not relative.startswith("..") else path.resolve().as_posix()


def _standards(config: Config, enabled: frozenset[str]) -> tuple[tuple[str, str], ...]:
    catalogue = load_catalogue()
    size = config.size
    size_text = f"warning above {size.warn:,} lines, error above {size.max:,}"
    if size.exceptions:
        size_text += f" ({plural(len(size.exceptions), 'exception')})"
    weights = ", ".join(f"{c} {config.scoring.weights.get(c, 0.0):g}" for c in CATEGORIES)
    bands = ", ".join(f"{g} >= {f:g}" for g, f in config.scoring.bands.items()) + ", F below"
    return (
        ("Configuration", str(config.source) if config.source else "defaults (no config file)"),
        ("Rules", f"{', '.join(sorted(enabled)) or 'none'} ({len(enabled)} of {len(catalogue)})"),
        ("Integration paths", ", ".join(config.integration_paths) or "none"),
        ("File size", size_text),
        ("BVJ fields", ", ".join(config.bvj.fields)),
        ("Category weights", weights),
        ("Grade bands", bands),
    )


def _category_detail(category: CategoryScore, results: Sequence[FileResult]) -> str:
    scope = APPLICABILITY[category.id].removeprefix("all ")
    if category.applicable_files == 1:
        scope = scope.removesuffix("s")
    if not category.checked:
        return "not checked: none of its rules is selected"
    if category.applicable_files == 0 and category.failing_files == 0:
        return f"not applicable: no {scope}"
    if category.failing_files == 0:
        return f"no findings in {category.applicable_files:,} {scope}"
    failing = [
        r for r in results if any(category_of(f.rule) == category.id for f in r.findings)
    ]
    inside = sum(1 for r in failing if applies(category.id, r))
    verb = _FAILURE_VERB[category.id][0 if inside == 1 else 1]
    text = f"{inside:,} of {category.applicable_files:,} {scope} {verb}"
    if inside != len(failing):
        text += f", and {plural(len(failing) - inside, 'other file')}"
    parts = []
    if category.warning_files:
        parts.append(
            f"{category.error_files:,} with errors, {category.warning_files:,} with warnings only"
        )
    parts.append(plural(category.findings, "finding"))
    return f"{text} ({'; '.join(parts)})"


def _file_reasons(score: FileScore) -> tuple[str, ...]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in score.findings:
        by_rule[finding.rule].append(finding)
    catalogue = load_catalogue()
    reasons = []
    for rule, findings in sorted(by_rule.items()):
        text = f"{len(findings)}x {rule} {catalogue[rule].name}"
        if len(findings) == 1 and rule in ("TG000", "TG401"):
            text += f": {findings[0].message}"
        reasons.append(text)
    return tuple(reasons)


def _exemplary(files: Sequence[FileScore]) -> tuple[FileEntry, ...]:
    clean = [f for f in files if not f.findings and f.role is Role.TEST and f.score is not None]
    clean.sort(key=lambda f: (-f.tests_with_bvj, -f.tests, f.path))
    entries = []
    for f in clean[:EXEMPLARY_LIMIT]:
        reasons = ["no findings"]
        if f.tests:
            covered = "all with a BVJ" if f.tests_with_bvj == f.tests else (
                f"{f.tests_with_bvj:,} with a BVJ"
            )
            reasons.append(f"{plural(f.tests, 'test')}, {covered}")
        entries.append(FileEntry(f.path, f.lines, f.score, f.grade, tuple(reasons)))
    return tuple(entries)


def _attention(files: Sequence[FileScore]) -> tuple[FileEntry, ...]:
    def errors(f: FileScore) -> int:
        return sum(1 for x in f.findings if x.severity is Severity.ERROR)

    flagged = [f for f in files if f.findings]
    flagged.sort(key=lambda f: (f.score if f.score is not None else -1, -errors(f),
                                -len(f.findings), f.path))
    return tuple(
        FileEntry(f.path, f.lines, f.score, f.grade, _file_reasons(f))
        for f in flagged[:ATTENTION_LIMIT]
    )


def _groups(findings: Sequence[Finding], severity: Severity) -> tuple[RuleGroup, ...]:
    catalogue = load_catalogue()
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        if finding.severity is severity:
            by_rule[finding.rule][finding.path] += 1
    return tuple(
        RuleGroup(
            rule=rule,
            name=catalogue[rule].name,
            severity=severity.value,
            findings=sum(per_file.values()),
            files=tuple(sorted(per_file.items(), key=lambda item: (-item[1], item[0]))),
        )
        for rule, per_file in sorted(by_rule.items())
    )


def _without_rule(results: Sequence[FileResult], rule: str) -> list[FileResult]:
    return [replace(r, findings=tuple(f for f in r.findings if f.rule != rule)) for r in results]


def _recommendation_text(
    rule: str, findings: list[Finding], results: Sequence[FileResult], config: Config
) -> tuple[str, tuple[str, ...]]:
    files = sorted({f.path for f in findings})
    count, nfiles = plural(len(findings), "finding"), plural(len(files), "file")
    fixable = sum(1 for f in findings if f.fixable)
    auto = f"; {fixable:,} fixable with `testgrade check --fix`" if fixable else ""
    if rule == "TG101":
        return (
            (f"Remove the mocks from {plural(len(files), 'integration or e2e file')} ({count}), "
            "or move those tests to the unit tier"),
            tuple(files),
        )
    if rule == "TG201":
        return (f"Rewrite {plural(len(findings), 'relative import')} in {nfiles} as absolute " \
               f"imports{auto}"), tuple(files)
    if rule == "TG202":
        return f"Replace {plural(len(findings), 'deprecated import')} in {nfiles}{auto}", \
            tuple(files)
    if rule == "TG301":
        return f"Add a BVJ to {plural(len(findings), 'test')} in {nfiles}", tuple(files)
    if rule == "TG302":
        return f"Complete {plural(len(findings), 'incomplete BVJ')} in {nfiles}", tuple(files)
    if rule == "TG000":
        return f"Fix {nfiles} that cannot be read or parsed", tuple(files)
    if rule == "TG401":
        lines = {r.path: r.lines for r in results}
        target = config.size.warn
        items = []
        for path in files:
            parts = max(2, math.ceil(lines.get(path, 0) / target))
            _, max_ = limits_for(path, config.size)
            items.append(
                f"{path} ({lines.get(path, 0):,} lines, limit {max_:,}): split into "
                f"{parts} files of at most {target:,} lines"
            )
        return f"Split {plural(len(files), 'oversized file')}", tuple(items)
    name = load_catalogue()[rule].name
    return f"Fix {count} of {rule} {name} in {nfiles}{auto}", tuple(files)


def _recommendations(
    results: Sequence[FileResult], audit: AuditResult, config: Config, enabled: frozenset[str]
) -> tuple[Recommendation, ...]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for result in results:
        for finding in result.findings:
            by_rule[finding.rule].append(finding)
    current = audit.score or 0.0
    recommendations = []
    for rule, findings in by_rule.items():
        fixed = score_results(_without_rule(results, rule), config.scoring, enabled).score
        gain = round((fixed or 0.0) - current, 1)
        priority = "high" if gain >= 5 else "medium" if gain >= 1 else "low"
        text, items = _recommendation_text(rule, findings, results, config)
        recommendations.append(Recommendation(priority, rule, text, gain, fixed, items))
    recommendations.sort(key=lambda r: (-r.gain, r.rule))
    return tuple(recommendations)


def _checklist(
    report_counts: dict[str, int], audit: AuditResult, enabled: frozenset[str],
    config: Config, fail_under: float | None,
) -> tuple[CheckItem, ...]:
    items = []
    c = report_counts
    if "TG101" in enabled:
        if c["integration_files"] == 0:
            # Vacuously true is not a result: say there was nothing to check.
            items.append(CheckItem("Zero mocks in integration and e2e tests", None,
                                   "not applicable: no integration or e2e files"))
        else:
            items.append(CheckItem(
                "Zero mocks in integration and e2e tests", c["mock_files"] == 0,
                f"currently {plural(c['mock_files'], 'file')} with mocks",
            ))
    import_rules = [r for r in ("TG201", "TG202") if r in enabled]
    if import_rules:
        what = {"TG201": "relative", "TG202": "deprecated"}
        label = " or ".join(what[r] for r in import_rules)
        items.append(CheckItem(
            f"No {label} imports", c["import_files"] == 0,
            f"currently {plural(c['import_files'], 'file')} with them",
        ))
    if "TG301" in enabled:
        items.append(CheckItem(
            "Every test has a BVJ", c["TG301"] == 0 if c["tests"] else None,
            f"currently {plural(c['TG301'], 'test')} without one" if c["tests"]
            else "not applicable: no tests",
        ))
    if "TG302" in enabled:
        items.append(CheckItem(
            "Every BVJ is complete", c["TG302"] == 0,
            f"currently {plural(c['TG302'], 'incomplete BVJ')}",
        ))
    if "TG401" in enabled:
        items.append(CheckItem(
            f"No file over {config.size.warn:,} lines (or its configured exception)",
            c["size_files"] == 0, f"currently {plural(c['size_files'], 'file')} over it",
        ))
    if "TG000" in enabled:
        items.append(CheckItem(
            "Every file can be read and parsed", c["integrity_files"] == 0,
            f"currently {plural(c['integrity_files'], 'file')} cannot",
        ))
    items.append(CheckItem(
        "Every suppression states a reason", c["unreasoned"] == 0,
        f"currently {plural(c['unreasoned'], 'suppression')} without one",
    ))
    if not audit.files:
        # An empty tree proves nothing: no vacuous ticks.
        items = [CheckItem(i.text, None, "not applicable: no files") for i in items]
    if fail_under is not None:
        met = audit.score is not None and audit.score >= fail_under
        items.append(CheckItem(
            f"Overall score at least {fail_under:g}", met,
            f"currently {format_score(audit.score)}",
        ))
    return tuple(items)


def build_report(
    results: Sequence[FileResult],
    config: Config,
    paths: Sequence[Path] = (),
    *,
    date: str | None = None,
    fail_under: float | None = None,
    previous: dict[str, Any] | None = None,
    previous_source: str = "",
) -> Report:
    """Everything a report says about `results` under `config`."""
    enabled = selected_rules(config.select, config.ignore, config.opted_in())
    audit = score_results(results, config.scoring, enabled)
    findings = [f for r in results for f in r.findings]
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)

    def files_failing(category: str) -> int:
        return sum(1 for r in results if any(category_of(f.rule) == category for f in r.findings))

    integration = [r for r in results if r.kind is not Kind.UNIT]
    mock_files = sum(1 for r in integration if any(f.rule == "TG101" for f in r.findings))
    # A file that could not be parsed is not claimed mock-free: nobody looked inside it.
    mock_free = sum(
        1 for r in integration if not any(f.rule in ("TG101", "TG000") for f in r.findings)
    )
    by_rule = dict(sorted(Counter(f.rule for f in findings).items()))
    suppressions = [s for r in results for s in r.suppressions]
    counts = {
        "mock_files": mock_files,
        "integration_files": len(integration),
        "import_files": files_failing("imports"),
        "size_files": files_failing("size"),
        "integrity_files": files_failing("integrity"),
        "TG301": by_rule.get("TG301", 0),
        "TG302": by_rule.get("TG302", 0),
        "unreasoned": sum(1 for s in suppressions if not s.reason),
        "tests": sum(r.tests for r in results),
    }
    details = {c.id: _category_detail(c, results) for c in audit.categories}
    strengths, improvements, not_assessed = [], [], []
    for c in audit.categories:
        line = f"{c.name}: {format_score(c.score)} - {details[c.id]}"
        if c.score is None:
            not_assessed.append(f"{c.name} - {details[c.id]}")
        elif c.score >= STRENGTH_FLOOR:
            strengths.append(line)
        else:
            improvements.append(line)
    directories = Counter(r.path.split("/", 1)[0] if "/" in r.path else "." for r in results)
    lines = sum(r.lines for r in results)
    root = config.root
    return Report(
        title=TITLE,
        date=date or report_date(),
        root=root.as_posix(),
        paths=tuple(_display_path(Path(p), root) for p in paths) or (".",),
        standards=_standards(config, enabled),
        audit=audit,
        files=len(results),
        lines=lines,
        average_lines=round(lines / len(results), 1) if results else None,
        files_by_kind={k.value: sum(1 for r in results if r.kind is k) for k in Kind},
        files_by_role={k.value: sum(1 for r in results if r.role is k) for k in Role},
        files_by_directory=dict(sorted(directories.items())),
        tests=sum(r.tests for r in results),
        tests_with_bvj=sum(r.tests_with_bvj for r in results),
        integration_files=len(integration),
        mock_free_files=mock_free if "TG101" in enabled else None,
        findings=len(findings),
        errors=errors,
        warnings=len(findings) - errors,
        by_rule=by_rule,
        suppressed=sum(1 for s in suppressions if s.used),
        suppressions_without_reason=counts["unreasoned"],
        details=details,
        strengths=tuple(strengths),
        improvements=tuple(improvements),
        not_assessed=tuple(not_assessed),
        exemplary=_exemplary(audit.files),
        attention=_attention(audit.files),
        critical=_groups(findings, Severity.ERROR),
        warning_groups=_groups(findings, Severity.WARNING),
        recommendations=_recommendations(results, audit, config, enabled),
        checklist=_checklist(counts, audit, enabled, config, fail_under),
        fail_under=fail_under,
        comparison=compare(previous, audit, previous_source) if previous is not None else None,
    )
