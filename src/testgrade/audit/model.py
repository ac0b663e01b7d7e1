"""The audit report as data: every number and every sentence, derived from findings.

The renderers (terminal, Markdown, JSON, HTML) only lay this out; none of them
computes or words anything of its own, so the formats cannot disagree.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testgrade.audit.areas import AreaScore, area_of, score_areas
from testgrade.audit.causes import INTEGRITY_RULE, Action, build_actions
from testgrade.audit.compare import Comparison, History, compare
from testgrade.catalogue import CATEGORIES, load_catalogue, selected_rules
from testgrade.checks.size import limits_for
from testgrade.config import Config
from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity
from testgrade.output import plural
from testgrade.scoring import (
    AuditResult,
    CategoryScore,
    FileScore,
    applicability,
    applies,
    category_of,
    category_weight,
    score_results,
)

TITLE = "Test compliance audit"
STRENGTH_FLOOR = 90.0  # the line between strengths and areas for improvement
# However high its score, a category failing in this many files is not a strength.
STRENGTH_MAX_FAILING_FILES = 100
EXEMPLARY_PER_KIND = 3
ATTENTION_LIMIT = 10
LIST_LIMIT = 50  # files listed per critical issue or recommendation, in every format

# What a file that fails a category does, for one-line details.
_FAILURE_VERB = {  # (one file, several files)
    "real-services": ("uses mocks", "use mocks"),
    "imports": (
        "has relative, deprecated or unresolved imports",
        "have relative, deprecated or unresolved imports",
    ),
    "documentation": ("has missing or incomplete BVJs", "have missing or incomplete BVJs"),
    "size": ("exceeds the size limits", "exceed the size limits"),
    "integrity": ("fails a test-integrity check", "fail a test-integrity check"),
}


def format_score(score: float | None) -> str:
    """The one way a score is written in every format: one decimal, or n/a."""
    return "n/a" if score is None else f"{score:.1f}"


def format_delta(delta: float | None) -> str:
    return "n/a" if delta is None else f"{delta:+.1f}"


def and_more(total: int, shown: int) -> str:
    """The line closing a capped list: "… and 352 more" ("" when nothing was left out)."""
    return f"\u2026 and {total - shown:,} more" if total > shown else ""


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
    exemplary: tuple[FileEntry, ...]  # every kind's exemplary files, unit first
    exemplary_by_kind: dict[str, tuple[FileEntry, ...]]
    attention: tuple[FileEntry, ...]
    critical: tuple[RuleGroup, ...]
    warning_groups: tuple[RuleGroup, ...]
    recommendations: tuple[Action, ...]  # ranked; each with its priority 1, 2 or 3
    checklist: tuple[CheckItem, ...]
    areas: tuple[AreaScore, ...] = ()
    file_areas: dict[str, str] = field(default_factory=dict)  # path -> area
    no_test_modules: tuple[FileEntry, ...] = ()  # test modules that collect no test
    no_test_lines: int = 0
    verdict: str = ""
    fail_under: float | None = None
    comparison: Comparison | None = None
    history: History | None = None

    @property
    def root_causes(self) -> tuple[Action, ...]:
        """The actions where one edit clears many findings, in rank order."""
        return tuple(a for a in self.recommendations if a.root_cause)

    def priority(self, level: int) -> tuple[Action, ...]:
        return tuple(a for a in self.recommendations if a.priority == level)

    @property
    def bvj_coverage(self) -> float | None:
        return percent(self.tests_with_bvj, self.tests)

    @property
    def mock_free_share(self) -> float | None:
        if self.mock_free_files is None:
            return None
        return percent(self.mock_free_files, self.integration_files)



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
    """A path as reports show it: relative to the project root, never absolute."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows: the name is all that can be shown
        return path.name


def _standards(config: Config, enabled: frozenset[str]) -> tuple[tuple[str, str], ...]:
    catalogue = load_catalogue()
    size = config.size
    size_text = f"warning above {size.warn:,} lines, error above {size.max:,}"
    if size.exceptions:
        size_text += f" ({plural(len(size.exceptions), 'exception')})"
    weights = ", ".join(f"{c} {category_weight(config.scoring, c):g}" for c in CATEGORIES)
    bands = ", ".join(f"{g} >= {f:g}" for g, f in config.scoring.bands.items()) + ", F below"
    return (
        ("Configuration", _display_path(config.source, config.root) if config.source
         else "defaults (no config file)"),
        ("Rules", f"{', '.join(sorted(enabled)) or 'none'} ({len(enabled)} of {len(catalogue)})"),
        ("Integration paths", ", ".join(config.integration_paths) or "none"),
        ("File size", size_text),
        ("BVJ fields", ", ".join(config.bvj.fields)),
        ("Category weights", weights),
        ("Grade bands", bands),
    )


def _category_detail(category: CategoryScore, results: Sequence[FileResult]) -> str:
    scope = applicability(category.id).removeprefix("all ")
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
    verb = _FAILURE_VERB.get(category.id, ("has findings", "have findings"))[
        0 if inside == 1 else 1]
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


_KIND_STRENGTH = {
    Kind.UNIT: "absolute, current imports and no other finding",
    Kind.INTEGRATION: "no mocks: every test runs against real services",
    Kind.E2E: "no mocks: every test runs end to end against real services",
}


def _exemplary(
    files: Sequence[FileScore], config: Config
) -> dict[str, tuple[FileEntry, ...]]:
    """Per kind, the test modules that collect tests, all with a BVJ, and have no finding:
    most tests first, then the shortest (a reviewer reads it fastest), then by path."""
    by_kind: dict[str, tuple[FileEntry, ...]] = {}
    for kind in Kind:
        clean = [f for f in files if f.kind is kind and f.role is Role.TEST and f.tests
                 and f.tests_with_bvj == f.tests and not f.findings and f.score is not None]
        clean.sort(key=lambda f: (-f.tests, f.lines, f.path))
        entries = []
        for f in clean[:EXEMPLARY_PER_KIND]:
            warn, _ = limits_for(f.path, config.size)
            reasons = [
                f"{plural(f.tests, 'test')}, all with a BVJ",
                _KIND_STRENGTH[kind],
                f"{f.lines:,} lines, within its limit of {warn:,}",
            ]
            entries.append(FileEntry(f.path, f.lines, f.score, f.grade, tuple(reasons)))
        by_kind[kind.value] = tuple(entries)
    return by_kind


def _no_test_modules(results: Sequence[FileResult]) -> tuple[FileEntry, ...]:
    """Test modules pytest would collect nothing from (unparsable ones are listed as
    critical instead): not "clean", just empty. Longest first."""
    empty = [r for r in results if r.role is Role.TEST and r.tests == 0
             and not any(f.rule == INTEGRITY_RULE for f in r.findings)]
    empty.sort(key=lambda r: (-r.lines, r.path))
    return tuple(
        FileEntry(r.path, r.lines, None, "n/a", ("collects no tests",)) for r in empty
    )


def _strength(category: CategoryScore, results: Sequence[FileResult]) -> bool:
    """At least STRENGTH_FLOOR, failing in fewer than STRENGTH_MAX_FAILING_FILES files,
    and never while a file cannot be parsed (integrity's own failure is always critical)."""
    if category.score is None or category.score < STRENGTH_FLOOR:
        return False
    if category.failing_files >= STRENGTH_MAX_FAILING_FILES:
        return False
    return not any(
        f.rule == INTEGRITY_RULE and category_of(f.rule) == category.id
        for r in results for f in r.findings
    )


def _concentration(paths: Sequence[str], config: Config, areas: int) -> str:
    """", 75% of them in auth_service and shared" when one or two areas hold most."""
    if areas < 3 or not paths:
        return ""
    counts = Counter(area_of(p, config.audit.areas) for p in paths)
    top = counts.most_common(2)
    one = top[0][1] / len(paths)
    if one >= 0.5:
        return f", {round(100 * one)}% of them in {top[0][0]}"
    if len(top) == 2:
        two = (top[0][1] + top[1][1]) / len(paths)
        if two >= 0.5:
            return f", {round(100 * two)}% of them in {top[0][0]} and {top[1][0]}"
    return ""


def _verdict(
    audit: AuditResult,
    results: Sequence[FileResult],
    details: dict[str, str],
    actions: Sequence[Action],
    config: Config,
    areas: int,
) -> str:
    """One line: the grade, the category that costs the most, where, and what to do first."""
    if audit.score is None:
        return "n/a: no scored category applies to these files"
    head = f"{audit.grade} ({format_score(audit.score)}/100)"
    if not actions:
        return f"{head}: no findings in {plural(len(results), 'file')}"
    losing = [c for c in audit.categories if c.score is not None and c.failing_files]
    worst = max(losing, key=lambda c: (c.weight * (100.0 - (c.score or 0.0)), c.id),
                default=None)
    problem = ""
    if worst is not None:
        paths = [r.path for r in results
                 if applies(worst.id, r) and any(category_of(f.rule) == worst.id
                                                 for f in r.findings)]
        problem = details[worst.id].split(" (", 1)[0]
        problem += _concentration(paths, config, areas)
    first = actions[0]
    return f"{head}: {problem}; start with: {first.title} (`{first.command}`)"


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
    import_rules = [r for r in ("TG201", "TG202", "TG203") if r in enabled]
    if import_rules:
        what = {"TG201": "relative", "TG202": "deprecated", "TG203": "unresolved"}
        label = ", ".join(what[r] for r in import_rules[:-1])
        label = f"{label} or {what[import_rules[-1]]}" if label else what[import_rules[-1]]
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
    if "TG506" in enabled:
        items.append(CheckItem(
            "Every test module collects tests", c["empty_modules"] == 0,
            f"currently {plural(c['empty_modules'], 'test module')} "
            + ("collects" if c["empty_modules"] == 1 else "collect") + " nothing",
        ))
    if "TG501" in enabled:
        items.append(CheckItem(
            "Every test asserts something", c["TG501"] == 0 if c["tests"] else None,
            f"currently {plural(c['TG501'], 'test')} "
            + ("asserts" if c["TG501"] == 1 else "assert") + " nothing" if c["tests"]
            else "not applicable: no tests",
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
    history: Sequence[tuple[str, dict[str, Any]]] = (),
) -> Report:
    """Everything a report says about `results` under `config`. `previous`: an earlier
    audit JSON to compare with; `history`: (label, audit JSON) of earlier runs."""
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
        # Files that cannot be read or parsed (TG000), not every integrity finding.
        "integrity_files": sum(
            1 for r in results if any(f.rule == INTEGRITY_RULE for f in r.findings)
        ),
        "empty_modules": sum(1 for r in results if any(f.rule == "TG506" for f in r.findings)),
        "TG501": by_rule.get("TG501", 0),
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
        elif _strength(c, results):
            strengths.append(line)
        else:
            improvements.append(line)
    directories = Counter(r.path.split("/", 1)[0] if "/" in r.path else "." for r in results)
    lines = sum(r.lines for r in results)
    root = config.root
    areas = score_areas(results, config, enabled)
    actions = build_actions(results, audit, config, enabled, areas)
    empty = _no_test_modules(results)
    exemplary = _exemplary(audit.files, config)
    date = date or report_date()
    return Report(
        title=TITLE,
        date=date,
        root=root.name or ".",  # never the machine's absolute path
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
        exemplary=tuple(e for entries in exemplary.values() for e in entries),
        exemplary_by_kind=exemplary,
        attention=_attention(audit.files),
        critical=_groups(findings, Severity.ERROR),
        warning_groups=_groups(findings, Severity.WARNING),
        recommendations=actions,
        checklist=_checklist(counts, audit, enabled, config, fail_under),
        areas=areas,
        file_areas={r.path: area_of(r.path, config.audit.areas) for r in results},
        no_test_modules=empty,
        no_test_lines=sum(e.lines for e in empty),
        verdict=_verdict(audit, results, details, actions, config, len(areas)),
        fail_under=fail_under,
        comparison=(compare(previous, audit, areas, previous_source)
                    if previous is not None else None),
        history=History.build(history, date, audit, areas) if history else None,
    )


# --- sentences every renderer shows the same way -----------------------------------

PRIORITY_TITLES = {
    1: "Priority 1: do first",
    2: "Priority 2: then",
    3: "Priority 3: when there is time",
}


def action_effect(action: Action) -> str:
    """What an action gives back, e.g. "score 90.4 if done (+4.2 points; 2 files, 2.10
    per file; clears 5 findings)"."""
    return (f"score {format_score(action.score_if_fixed)} if done "
            f"({format_delta(action.gain)} points; {plural(action.effort, 'file')}, "
            f"{action.gain_per_file:.3f} per file; clears {plural(action.findings, 'finding')})")


def no_test_line(report: Report) -> str:
    """The one line about test modules that collect nothing ("" when there are none)."""
    count = len(report.no_test_modules)
    if not count:
        return ""
    return (f"{plural(count, 'test module')} collect{'s' if count == 1 else ''} no tests "
            f"\u2014 {plural(report.no_test_lines, 'line')}")


def area_rows(report: Report) -> list[tuple[str, ...]]:
    """The area x category table: area, files, findings, score, grade, one score per category."""
    return [
        (a.name, f"{a.files:,}", f"{a.findings:,}", format_score(a.score), a.grade,
         *(format_score(c.score) for c in a.categories))
        for a in report.areas
    ]


def area_header(report: Report, short: bool = False) -> tuple[str, ...]:
    """Headings of `area_rows`; `short` names categories by id, for narrow screens."""
    return ("Area", "Files", "Findings", "Score", "Grade",
            *(c.id if short else c.name for c in report.audit.categories))
