"""The baseline: legacy findings recorded once, so a gate fails only on new ones.

`testgrade baseline` records, per file and rule, how many findings there are
and each one's fingerprint (see `fingerprints`: independent of line numbers,
of line counts in messages and of other findings). `check --baseline FILE`
then drops the findings the file accounts for: a fingerprint seen more often
than recorded is new, however its lines moved. Recorded findings that no
longer occur are stale; `baseline --prune` removes them and never adds any.

The file is small, sorted JSON, so that a re-record on an unchanged tree is an
identical file and a review shows exactly which findings came and went.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from testgrade.ftypes import FileResult, Finding
from testgrade.records import load_json_input

FORMAT_KEY = "testgrade-baseline"
FORMAT_VERSION = 1

# path -> rule -> fingerprint -> how many findings carry it
Entries = dict[str, dict[str, Counter[str]]]


class BaselineError(Exception):
    """A baseline file that cannot be used; the message is one line and says what to do."""


@dataclass
class Baseline:
    entries: Entries = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for rules in self.entries.values() for c in rules.values())


@dataclass(frozen=True)
class Outcome:
    """What applying a baseline did."""

    results: list[FileResult]  # with the baselined findings removed
    known: int  # findings the baseline accounted for
    stale: int  # baselined findings that no longer occur


def _entries(findings: Iterable[Finding]) -> Entries:
    entries: Entries = {}
    for finding in findings:
        rules = entries.setdefault(finding.path, {})
        rules.setdefault(finding.rule, Counter())[finding.fingerprint] += 1
    return entries


def record(results: Sequence[FileResult]) -> Baseline:
    """Today's findings as a baseline."""
    return Baseline(_entries(f for r in results for f in r.findings))


def render_baseline(baseline: Baseline) -> str:
    findings = {
        path: {
            rule: {"count": sum(prints.values()), "fingerprints": sorted(prints.elements())}
            for rule, prints in sorted(rules.items())
            if prints
        }
        for path, rules in sorted(baseline.entries.items())
    }
    document = {
        FORMAT_KEY: FORMAT_VERSION,
        "findings": {path: rules for path, rules in findings.items() if rules},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _not_a_baseline(path: Path, why: str) -> BaselineError:
    return BaselineError(
        f"{path}: not a testgrade baseline ({why}); re-record it with `testgrade baseline -o {path}`"
    )


def load_baseline(path: Path) -> Baseline:
    try:
        document = load_json_input(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: baseline not found (record it with `testgrade baseline -o {path}`)"
        ) from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:  # also NaN, 1e400, huge integers
        raise _not_a_baseline(path, f"invalid JSON: {exc}") from None
    except RecursionError:  # hostile nesting: json gives up before it ends
        raise _not_a_baseline(path, "nested too deeply") from None
    if not isinstance(document, dict):
        raise _not_a_baseline(path, "not a JSON object")
    if isinstance(document.get("findings"), list):
        raise BaselineError(
            f"{path}: this is `check --format json` output, which is no longer a baseline; "
            f"re-record it with `testgrade baseline -o {path}`"
        )
    version = document.get(FORMAT_KEY)
    if version != FORMAT_VERSION:
        raise _not_a_baseline(path, f"unknown format {version!r}")
    findings = document.get("findings")
    if not isinstance(findings, dict):
        raise _not_a_baseline(path, "no `findings` table")
    entries: Entries = {}
    for file_path, rules in findings.items():
        if not isinstance(rules, dict):
            raise _not_a_baseline(path, f"entry {file_path!r} is not a table")
        for rule, entry in rules.items():
            prints = entry.get("fingerprints") if isinstance(entry, dict) else None
            if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
                raise _not_a_baseline(path, f"{file_path} {rule}: no `fingerprints` list")
            entries.setdefault(file_path, {})[rule] = Counter(prints)
    return Baseline(entries)


def check_replaceable(path: Path) -> None:
    """Raise BaselineError unless writing a baseline to `path` loses nothing: the file
    is absent, a baseline, or an old `check --format json` baseline to re-record."""
    if not path.exists():
        return
    try:
        load_baseline(path)
    except BaselineError:
        try:
            document = load_json_input(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            document = None
        if not (isinstance(document, dict) and isinstance(document.get("findings"), list)):
            raise BaselineError(
                f"{path}: exists and is not a testgrade baseline; not overwriting it"
            ) from None


def _in_scope(baseline: Baseline, results: Sequence[FileResult], root: Path) -> set[str]:
    """Paths whose recorded findings this run can speak for: the files it checked, and
    recorded files that no longer exist."""
    checked = {r.path for r in results}
    return checked | {p for p in baseline.entries if p not in checked and not (root / p).exists()}


def apply_baseline(
    results: Sequence[FileResult], baseline: Baseline, *, root: Path, rules: Collection[str]
) -> Outcome:
    """Results without the findings `baseline` accounts for; `rules` are the rules this
    run enabled (a baselined finding of a rule not run is not stale)."""
    current = _entries(f for r in results for f in r.findings)
    kept_results = []
    known = 0
    for result in results:
        remaining = {rule: Counter(c) for rule, c in baseline.entries.get(result.path, {}).items()}
        kept: list[Finding] = []
        for finding in result.findings:
            budget = remaining.get(finding.rule)
            if budget is not None and budget[finding.fingerprint] > 0:
                budget[finding.fingerprint] -= 1
                known += 1
            else:
                kept.append(finding)
        kept_results.append(
            result if len(kept) == len(result.findings) else replace(result, findings=tuple(kept))
        )
    stale = 0
    for path in _in_scope(baseline, results, root):
        for rule, prints in baseline.entries.get(path, {}).items():
            if rule not in rules:
                continue
            now = current.get(path, {}).get(rule, Counter())
            stale += sum(max(0, n - now[p]) for p, n in prints.items())
    return Outcome(kept_results, known, stale)


def prune(
    baseline: Baseline, results: Sequence[FileResult], *, root: Path, rules: Collection[str]
) -> tuple[Baseline, int]:
    """The baseline without its stale entries, and how many were removed. Never adds."""
    current = _entries(f for r in results for f in r.findings)
    scope = _in_scope(baseline, results, root)
    pruned: Entries = {}
    removed = 0
    for path, recorded_rules in baseline.entries.items():
        for rule, prints in recorded_rules.items():
            if path in scope and rule in rules:
                now = current.get(path, {}).get(rule, Counter())
                kept = Counter({p: min(n, now[p]) for p, n in prints.items() if now[p] > 0})
                removed += sum(prints.values()) - sum(kept.values())
            else:
                kept = Counter(prints)
            if kept:
                pruned.setdefault(path, {})[rule] = kept
    return Baseline(pruned), removed
