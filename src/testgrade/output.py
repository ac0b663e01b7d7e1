"""Output of `testgrade check`: concise text and the JSON contract."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from testgrade import __version__, jsontext
from testgrade.catalogue import load_catalogue
from testgrade.ftypes import FileResult, Finding, Severity
from testgrade.records import facts_to_dict, finding_to_dict

# Every C0/C1 control but the tab (a newline in a file name could forge a line of
# output), the Unicode line and paragraph separators, and the bidi overrides.
_CONTROL = re.compile(
    # also lone surrogates (undecodable file names) and U+FFFE/U+FFFF (not allowed in XML)
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters and bidi overrides shown as escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class DisplayPaths:
    """How findings' paths (relative to the project root) are shown: relative to the
    current directory, as ruff does, so that in a monorepo (`services/api/pyproject.toml`
    checked from the repository root) terminals, GitHub annotations and SARIF all point
    at `services/api/tests/...`. When the project and the current directory are
    unrelated, paths stay relative to the project root: an absolute path would resolve
    on no CI runner."""

    root: Path | None = None  # None: show paths as recorded
    base: Path | None = None  # the directory shown paths are relative to
    _shown: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_cwd(cls, root: Path) -> DisplayPaths:
        root, cwd = Path(os.path.abspath(root)), Path.cwd()
        related = root == cwd or cwd in root.parents or root in cwd.parents
        return cls(root=root, base=cwd if related else root)

    def show(self, path: str) -> str:
        if self.root is None or self.base is None or self.root == self.base:
            return path
        shown = self._shown.get(path)
        if shown is None:
            relative = os.path.relpath(os.path.join(self.root, path), self.base)
            shown = self._shown[path] = Path(relative).as_posix()
        return shown


AS_RECORDED = DisplayPaths()


def all_findings(results: Sequence[FileResult]) -> list[Finding]:
    return [finding for result in results for finding in result.findings]


def summary_of(results: Sequence[FileResult]) -> dict[str, Any]:
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


def render_json(
    results: Sequence[FileResult],
    root: Path | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The JSON contract: paths stay relative to the project root, which is given as
    `root` (absolute) when known, so scripts can resolve them from anywhere;
    `extra` adds top-level keys (a shard's `shard` record)."""
    document: dict[str, Any] = {"version": __version__}
    if root is not None:
        document["root"] = os.path.abspath(root)
    document |= {
        "findings": [finding_to_dict(f) for f in all_findings(results)],
        "summary": summary_of(results),
        # Per-file facts beyond the contract, so shard outputs can be merged (testgrade merge).
        "files": [facts_to_dict(r) for r in results],
        **(extra or {}),
    }
    text = jsontext.dumps(document) + "\n"  # json.dumps(indent=2)'s text, at C speed
    # An undecodable file name holds lone surrogates: write them as \\u escapes, so the
    # document stays valid UTF-8 JSON instead of carrying the name's raw bytes.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_text(
    results: Sequence[FileResult],
    *,
    color: bool = False,
    paths: DisplayPaths = AS_RECORDED,
    summary: bool = True,
) -> str:
    """`path:line:col: ID [severity] message` per finding, then (unless `summary` is
    False, for --quiet) the totals, counts per rule and how many --fix would fix."""
    lines = []
    for finding in all_findings(results):
        rule, severity = finding.rule, f"[{finding.severity.value}]"
        if color:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
            rule = click.style(rule, fg=style, bold=True)
        lines.append(
            f"{printable(paths.show(finding.path))}:{finding.line}:{finding.column}: {rule} "
            f"{severity} {printable(finding.message)}"
        )
    if not summary:
        return "".join(line + "\n" for line in lines)
    totals = summary_of(results)
    if lines:
        lines.append("")
    lines.append(_summary_line(totals))
    for rule, count in totals["by_rule"].items():
        lines.append(f"  {count:>5}  {rule} {load_catalogue()[rule].name}")
    if totals["fixable"]:
        lines.append(f"{totals['fixable']:,} fixable with `testgrade check --fix`.")
    return "\n".join(lines) + "\n"


def render_statistics(results: Sequence[FileResult], *, as_json: bool = False) -> str:
    """--statistics: per rule, how many findings and how many of them --fix can fix."""
    catalogue = load_catalogue()
    counts = Counter(f.rule for f in all_findings(results))
    fixable = Counter(f.rule for f in all_findings(results) if f.fixable)
    rows = [
        {"rule": rule, "name": catalogue[rule].name, "count": counts[rule],
         "fixable": fixable[rule]}
        for rule in sorted(counts)
    ]
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    return "".join(
        f"{row['count']:>6}  {row['rule']}  {'[*]' if row['fixable'] else '   '} {row['name']}\n"
        for row in rows
    )


def plural(count: int, word: str) -> str:
    """ "1 file", "1,358 files"."""
    return f"{count:,} {word if count == 1 else word + 's'}"


def _summary_line(totals: dict[str, Any]) -> str:
    checked = plural(totals["files"], "file")
    if not totals["findings"]:
        return f"All checks passed: {checked} checked."
    return (
        f"Found {plural(totals['findings'], 'finding')} "
        f"({plural(totals['errors'], 'error')}, {plural(totals['warnings'], 'warning')}) "
        f"in {totals['files_with_findings']:,} of {checked}."
    )
