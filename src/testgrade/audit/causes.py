"""Root causes and the actions that clear them, ranked by what they give back per file.

Every finding belongs to exactly one action:

- a **root cause** when one edit clears it: the `cause` key a rule set
  (`kind:base-class:BaseIntegrationTest`, `deprecated:shared.logging.old`, ...),
  or one the audit derives (a family of oversized files, `size:family:DIR/STEM`);
- otherwise its rule's remaining findings in its area (`rule:TG101:auth_service`).

An action's gain is the overall score with exactly its findings fixed, minus the
current score (unrounded, then rounded to one decimal to show); its effort is the number of files it touches. Actions are ranked
by gain per file touched, ties broken by findings cleared; parse errors always
come first. docs/scoring.md has the worked example a test recomputes.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from testgrade.audit.areas import AreaScore, area_of
from testgrade.catalogue import load_catalogue
from testgrade.output import plural
from testgrade.checks.size import limits_for
from testgrade.config import Config
from testgrade.ftypes import FileResult, Finding, Severity
from testgrade.scoring import (
    AuditResult,
    applies,
    category_of,
    category_weight,
    file_penalty,
    score_results,
)

INTEGRITY_RULE = "TG000"  # parse errors and merge-conflict markers: always Priority 1
PRIORITY_ONE_ACTIONS = 3  # besides parse errors, the best-ranked actions on errors
RULE_GROUP = "rule:"  # prefix of the key of a rule's remaining findings in one area
_FAMILY_SUFFIX = re.compile(r"(_(batch|part|chunk)?\d+)+$")


def size_family(path: str) -> str:
    """`a/b/test_x_batch2.py` -> `a/b/test_x`: files a generator or a split made together."""
    directory, _, name = path.rpartition("/")
    stem = _FAMILY_SUFFIX.sub("", name.removesuffix(".py")) or name
    return f"{directory}/{stem}" if directory else stem


def cause_of(finding: Finding) -> str:
    """The root-cause key of a finding: the rule's own, else one the audit derives, else ""."""
    if finding.cause:
        return finding.cause
    if finding.rule == "TG401":
        return f"size:family:{size_family(finding.path)}"
    return ""


@dataclass(frozen=True)
class Action:
    """One thing to do, what it clears and what it gives back."""

    key: str  # the cause key, or rule:<id>:<area> for a rule's remaining findings
    title: str  # what to do, imperative
    why: str  # the root cause in words (for a rule group: the rule)
    rules: tuple[str, ...]
    severity: str  # "error" if any finding it clears is an error, else "warning"
    files: tuple[tuple[str, int], ...]  # (path, findings cleared there), most impact first
    findings: int
    fixable: int
    gain: float  # overall score points, rounded to one decimal
    score_if_fixed: float | None
    command: str
    items: tuple[str, ...]  # one line per file, in the order of `files`
    priority: int = 3
    exact_gain: float = 0.0  # unrounded: ranks actions a rounded gain would tie

    @property
    def root_cause(self) -> bool:
        return not self.key.startswith(RULE_GROUP)

    @property
    def effort(self) -> int:
        """Files touched."""
        return len(self.files)

    @property
    def gain_per_file(self) -> float:
        """The unrounded gain over the files touched, to four decimals (so that equal
        gains tie exactly, whatever the floating-point route to them)."""
        return round(self.exact_gain / self.effort, 4) if self.effort else 0.0


def _rank_key(action: Action) -> tuple[int, float, int, str]:
    return (0 if INTEGRITY_RULE in action.rules else 1, -action.gain_per_file,
            -action.findings, action.key)


def _describe_cause(key: str, config: Config) -> tuple[str, str]:
    """(why, what to do) for a root-cause key."""
    kind, _, rest = key.partition(":")
    detail, _, name = rest.partition(":")
    if kind == "kind" and detail == "base-class":
        return (f"tests are integration tests because they inherit `{name}`",
                (f"Replace the mocks in tests that inherit `{name}` with real services, or "
                 f"stop inheriting `{name}` where they are unit tests"))
    if kind == "kind" and detail == "marker":
        return (f"tests are integration tests by the `{name}` marker",
                (f"Replace the mocks in tests marked `{name}`, or drop the marker where "
                 "they are unit tests"))
    if kind == "bvj" and detail == "displaced-module-docstring":
        return (("the module BVJ is not the module docstring (code comes before it), so no "
                 "test inherits it"), "Move the BVJ docstring to the top of the module")
    if kind == "deprecated":
        new = config.deprecated_imports.get(rest)
        target = f"`{new}`" if new else "its replacement"
        return f"`{rest}` is deprecated", f"Replace every import of `{rest}` with {target}"
    if kind == "unresolved":
        return (f"`{rest}` does not resolve to a first-party module",
                f"Fix or remove the imports of `{rest}`")
    if kind == "empty-module":
        return {
            "commented-out": (
                "test modules are commented out wholesale (`# REMOVED_SYNTAX_ERROR:` blocks)",
                "Restore the tests that still matter and delete the rest",
            ),
            "no-tests": ("test modules define only helpers",
                         "Move the helpers out of `test_*.py` modules, or add the tests"),
            "uncollectable-classes": (
                "test modules hold only `Test*` classes pytest cannot collect",
                "Remove the constructors from those `Test*` classes",
            ),
            "empty": ("test modules are empty", "Delete the empty test modules"),
        }.get(detail, (f"root cause `{key}`", f"Clear the root cause `{key}`"))
    if kind == "missing-marker":
        return (f"tests in `{rest}` sit in an integration path without the required marker",
                f"Add a module-level `pytestmark` to `{rest}`")
    if kind == "size" and detail == "family":
        directory, _, stem = name.rpartition("/")
        where = f" in {directory}/" if directory else ""
        return (f"the `{stem}*` file family{where} is past the size limits",
                f"Split the `{stem}*` files{where} into focused modules")
    return f"root cause `{key}`", f"Clear the root cause `{key}`"


def _rule_text(rule: str, area: str, findings: list[Finding], files: int) -> str:
    where = "" if area == "." else f" in {area}"
    count = plural(len(findings), "finding")
    nfiles = plural(files, "file")
    if rule == "TG101":
        return (f"Remove the mocks from {plural(files, 'integration or e2e file')}{where} "
                f"({count}), or move those tests to the unit tier")
    if rule == "TG201":
        return (f"Rewrite {plural(len(findings), 'relative import')} in {nfiles}{where} as "
                "absolute imports")
    if rule == "TG202":
        return f"Replace {plural(len(findings), 'deprecated import')} in {nfiles}{where}"
    if rule == "TG301":
        return f"Add a BVJ to {plural(len(findings), 'test')} in {nfiles}{where}"
    if rule == "TG302":
        return f"Complete {plural(len(findings), 'incomplete BVJ')} in {nfiles}{where}"
    if rule == INTEGRITY_RULE:
        return f"Fix {plural(files, 'file')}{where} that cannot be read or parsed"
    if rule == "TG401":
        return f"Split {plural(files, 'oversized file')}{where}"
    return f"Fix {count} of {rule} {load_catalogue()[rule].name} in {nfiles}{where}"


def _command(rules: Sequence[str], path: str, fix: bool) -> str:
    parts = ["testgrade", "check"] + (["--fix"] if fix else [])
    parts += ["--select", ",".join(rules)]
    if path:
        parts.append(shlex.quote(path))
    return " ".join(parts)


def _common_path(paths: Sequence[str]) -> str:
    if len(paths) == 1:
        return paths[0]
    directories = [p.rpartition("/")[0] for p in paths]
    if any(not d for d in directories):
        return ""
    common = os.path.commonpath(directories)
    return f"{common}/" if common else ""


class _Impact:
    """How much fixing some findings of one file gives back (for ranking file lists).

    The overall score is a weighted mean of category scores, each linear in the
    number of failing files, so one file's share of a gain is its weighted drop in
    penalty divided by each category's applicable files.
    """

    def __init__(self, results: Sequence[FileResult], config: Config) -> None:
        self.config = config
        self.applicable: dict[str, int] = {}
        self._results = results

    def applicable_files(self, category: str) -> int:
        if category not in self.applicable:
            self.applicable[category] = sum(1 for r in self._results if applies(category, r))
        return self.applicable[category]

    def of(self, result: FileResult, removed: Collection[int]) -> float:
        total = 0.0
        for category in {category_of(f.rule) for f in result.findings}:
            before = file_penalty(result.findings, category)
            after = file_penalty(
                [f for n, f in enumerate(result.findings) if n not in removed], category
            )
            weight = category_weight(self.config.scoring, category)
            total += weight * (before - after) / max(1, self.applicable_files(category))
        return total


def build_actions(
    results: Sequence[FileResult],
    audit: AuditResult,
    config: Config,
    enabled: Collection[str],
    areas: Sequence[AreaScore],
) -> tuple[Action, ...]:
    """Every finding in exactly one action; ranked, with priorities 1, 2, 3."""
    # key -> path -> indices of that file's findings the action clears
    members: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    area_path = {a.name: a.path for a in areas}
    for result in results:
        area = area_of(result.path, config.audit.areas)
        for n, finding in enumerate(result.findings):
            key = cause_of(finding) or f"{RULE_GROUP}{finding.rule}:{area}"
            members[key][result.path].append(n)
    by_path = {r.path: r for r in results}
    impact = _Impact(results, config)
    current = audit.exact_score or 0.0
    actions = []
    for key, per_file in members.items():
        cleared = {p: set(ns) for p, ns in per_file.items()}
        fixed_results = [
            replace(r, findings=tuple(f for n, f in enumerate(r.findings)
                                      if n not in cleared[r.path]))
            if r.path in cleared else r
            for r in results
        ]
        fixed = score_results(fixed_results, config.scoring, enabled, per_file=False)
        findings = [by_path[p].findings[n] for p, ns in per_file.items() for n in ns]
        ranked = sorted(
            per_file,
            key=lambda p: (-impact.of(by_path[p], cleared[p]), -len(per_file[p]), p),
        )
        rules = tuple(sorted({f.rule for f in findings}))
        fixable = sum(1 for f in findings if f.fixable)
        if key.startswith(RULE_GROUP):
            rule, area = key[len(RULE_GROUP):].split(":", 1)
            why = f"{rule} {load_catalogue()[rule].name}"
            title = _rule_text(rule, area, findings, len(per_file))
            path = area_path.get(area, "")
        else:
            why, title = _describe_cause(key, config)
            path = _common_path(ranked)
        items = tuple(_item(p, len(per_file[p]), rules, by_path[p], config) for p in ranked)
        actions.append(Action(
            key=key,
            title=title,
            why=why,
            rules=rules,
            severity=("error" if any(f.severity is Severity.ERROR for f in findings)
                      else "warning"),
            files=tuple((p, len(per_file[p])) for p in ranked),
            findings=len(findings),
            fixable=fixable,
            gain=round((fixed.exact_score or 0.0) - current, 1),
            exact_gain=(fixed.exact_score or 0.0) - current,
            score_if_fixed=fixed.score,
            command=_command(rules, path, fix=fixable == len(findings)),
            items=items,
        ))
    actions.sort(key=_rank_key)
    return _prioritised(actions)


def _item(path: str, count: int, rules: Sequence[str], result: FileResult, config: Config) -> str:
    if rules == ("TG401",):
        target = config.size.warn
        parts = max(2, math.ceil(result.lines / target))
        _, max_ = limits_for(path, config.size)
        return (f"{path} ({result.lines:,} lines, limit {max_:,}): split into {parts} files "
                f"of at most {target:,} lines")
    return f"{path} ({plural(count, 'finding')})"


def _prioritised(actions: list[Action]) -> tuple[Action, ...]:
    """Priority 1: parse errors, then the best-ranked actions on errors; 2: the other
    actions on errors; 3: actions on warnings only."""
    out = []
    first = 0
    for action in actions:
        if INTEGRITY_RULE in action.rules:
            priority = 1
        elif action.severity == "error":
            first += 1
            priority = 1 if first <= PRIORITY_ONE_ACTIONS else 2
        else:
            priority = 3
        out.append(replace(action, priority=priority))
    return tuple(out)
