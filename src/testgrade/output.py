"""Output of `testgrade check`: concise text and the JSON contract."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import click

from testgrade import __version__
from testgrade.catalogue import load_catalogue
from testgrade.ftypes import FileResult, Finding, Severity
from testgrade.records import facts_to_dict, finding_to_dict

# Every C0/C1 control but the tab (a newline in a file name could forge a line of
# output), the Unicode line and paragraph separators, and the bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters and bidi overrides shown as escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def all_findings(results: Sequence[FileResult]) -> list[Finding]:
    return [finding for result in results for finding in result.findings]


def summary(results: Sequence[FileResult]) -> dict[str, Any]:
    findings = all_findings(results)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    suppressions = [s for r in results for s in r.suppressions]
    return {
        "files": len(results),
        "files_with_findings": sum(1 for r in results if r.findings),
        "findings": len(findings),
        "errors": errors,
        "warnings": len(findings) - errors,
        "fixable": sum(1 for f in findings if f.fixable),
        "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
        "suppressed": sum(1 for s in suppressions if s.used),
        "suppressions_without_reason": sum(1 for s in suppressions if not s.reason),
    }


def render_json(results: Sequence[FileResult], extra: Mapping[str, Any] | None = None) -> str:
    """The JSON contract; `extra` adds top-level keys (a shard's `shard` record)."""
    document = {
        "version": __version__,
        "findings": [finding_to_dict(f) for f in all_findings(results)],
        "summary": summary(results),
        # Per-file facts beyond the contract, so shard outputs can be merged (testgrade merge).
        "files": [facts_to_dict(r) for r in results],
        **(extra or {}),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_text(results: Sequence[FileResult], *, color: bool = False) -> str:
    lines = []
    for finding in all_findings(results):
        rule = finding.rule
        if color:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
            rule = click.style(rule, fg=style, bold=True)
        lines.append(
            f"{printable(finding.path)}:{finding.line}:{finding.column}: {rule} "
            f"{printable(finding.message)}"
        )
    totals = summary(results)
    if lines:
        lines.append("")
    lines.append(_summary_line(totals))
    for rule, count in totals["by_rule"].items():
        lines.append(f"  {count:>5}  {rule} {load_catalogue()[rule].name}")
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _summary_line(totals: dict[str, Any]) -> str:
    checked = _plural(totals["files"], "file")
    if not totals["findings"]:
        return f"All checks passed: {checked} checked."
    return (
        f"Found {_plural(totals['findings'], 'finding')} "
        f"({_plural(totals['errors'], 'error')}, {_plural(totals['warnings'], 'warning')}) "
        f"in {totals['files_with_findings']:,} of {checked}."
    )
