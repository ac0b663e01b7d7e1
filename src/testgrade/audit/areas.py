"""Areas: where in the tree the score is lost.

An area is a slice of the tree scored on its own with the same formula as the
whole (docs/scoring.md): by default one per top-level directory (a service),
or the `[tool.testgrade.audit] areas` patterns, the first matching area winning
and unmatched files falling into "other".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pathspec

from testgrade.config import Config
from testgrade.ftypes import FileResult, Kind, Severity
from testgrade.scoring import CategoryScore, score_results

TOP_LEVEL = "."  # the area of files directly under the project root
UNMATCHED = "other"  # files no configured area matches


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def area_of(path: str, areas: Mapping[str, tuple[str, ...]]) -> str:
    """The area a project-relative POSIX path belongs to."""
    if not areas:
        return path.split("/", 1)[0] if "/" in path else TOP_LEVEL
    for name, patterns in areas.items():
        if _spec(tuple(patterns)).match_file(path):
            return name
    return UNMATCHED


@dataclass(frozen=True)
class AreaScore:
    name: str
    patterns: tuple[str, ...]  # configured patterns; empty for a top-level directory
    files: int
    lines: int
    tests: int
    findings: int
    errors: int
    files_by_kind: dict[str, int]
    score: float | None
    grade: str
    categories: tuple[CategoryScore, ...]

    def category(self, category_id: str) -> CategoryScore:
        return next(c for c in self.categories if c.id == category_id)

    @property
    def path(self) -> str:
        """What to hand `testgrade check` to look at this area alone ("" if no one path)."""
        if not self.patterns:
            return "." if self.name == TOP_LEVEL else f"{self.name}/"
        if len(self.patterns) == 1:
            literal = self.patterns[0].split("*", 1)[0].strip("/")
            if literal and not any(ch in literal for ch in "?[!"):
                return literal + ("/" if "*" in self.patterns[0] else "")
        return ""


def score_areas(
    results: Sequence[FileResult], config: Config, enabled: Collection[str]
) -> tuple[AreaScore, ...]:
    """Every area with at least one file: configured ones in config order, else by name."""
    configured = config.audit.areas
    members: dict[str, list[FileResult]] = {}
    for result in results:
        members.setdefault(area_of(result.path, configured), []).append(result)
    order = [*configured, UNMATCHED] if configured else sorted(members)
    areas = []
    for name in order:
        mine = members.get(name)
        if not mine:
            continue
        scored = score_results(mine, config.scoring, enabled, per_file=False)
        findings = [f for r in mine for f in r.findings]
        kinds = Counter(r.kind.value for r in mine)
        areas.append(AreaScore(
            name=name,
            patterns=tuple(configured.get(name, ())),
            files=len(mine),
            lines=sum(r.lines for r in mine),
            tests=sum(r.tests for r in mine),
            findings=len(findings),
            errors=sum(1 for f in findings if f.severity is Severity.ERROR),
            files_by_kind={k.value: kinds.get(k.value, 0) for k in Kind},
            score=scored.score,
            grade=scored.grade,
            categories=scored.categories,
        ))
    return tuple(areas)
