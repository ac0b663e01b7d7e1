"""The scoring model: category scores, the weighted overall score, letter grades.

Pure functions over the engine's FileResults; nothing here reads files. The model
(see docs/scoring.md, which a test recomputes) is:

- A category applies to a fixed set of files, decided by the file's role and
  kind only, never by its findings, so fixing a violation cannot change the
  denominator:
    real-services  integration and e2e files (TG101 can only fire there),
                   except test modules that collect no tests
    documentation  test modules that collect at least one test (where TG301 lives)
  A test module with no tests (e.g. all commented out) is not "compliant":
  it leaves both denominators instead of inflating them with a clean file.
    imports, size, integrity  every file
- penalty = number of files with an error in the category + 0.5 x number of
  files with only warnings in it.
- score = 100 x max(0, 1 - penalty / applicable files); "n/a" (None) when no
  file applies or none of the category's rules is selected. The floor at 0
  only matters for TG302 on a helper module, the one finding that can land
  outside its category's files; it is still counted, never dropped.
- overall = weighted mean of the category scores that are not n/a.
- Scores are rounded to one decimal and the grade is read from the rounded
  score, so a report never shows "97.0" next to an "A".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from testgrade.catalogue import CATEGORIES, load_catalogue
from testgrade.config import DEFAULT_WEIGHTS, Scoring
from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity

NOT_APPLICABLE = "n/a"
FAILING_GRADE = "F"

# Which files a category is about, in words (for reports) and as a predicate.
APPLICABILITY: dict[str, str] = {
    "real-services": "integration and e2e files",
    "imports": "all files",
    "documentation": "test modules with tests",
    "size": "all files",
    "integrity": "all files",
}


def applicability(category: str) -> str:
    """Which files `category` is scored over, in words; a new category scores every file."""
    return APPLICABILITY.get(category, "all files")


def collects_no_tests(result: FileResult) -> bool:
    """A test module in which pytest finds no test: nothing to grade for BVJs or mocks."""
    return result.role is Role.TEST and result.tests == 0


def applies(category: str, result: FileResult) -> bool:
    """Whether `category` is scored for this file (by role, kind and collected tests)."""
    if category == "real-services":
        return result.kind is not Kind.UNIT and not collects_no_tests(result)
    if category == "documentation":
        return result.role is Role.TEST and not collects_no_tests(result)
    return True


@dataclass(frozen=True)
class CategoryScore:
    id: str
    name: str
    weight: float
    rules: tuple[str, ...]  # the selected rules of this category
    applicable_files: int
    error_files: int  # files with at least one error in this category
    warning_files: int  # files with warnings but no error in this category
    findings: int
    score: float | None  # None: n/a
    grade: str

    @property
    def failing_files(self) -> int:
        """Files that cost points: with an error or with only warnings."""
        return self.error_files + self.warning_files

    @property
    def penalty(self) -> float:
        return self.error_files + 0.5 * self.warning_files

    @property
    def checked(self) -> bool:
        """False when none of the category's rules ran: then nothing can be claimed."""
        return bool(self.rules)


@dataclass(frozen=True)
class FileScore:
    path: str
    role: Role
    kind: Kind
    lines: int
    tests: int
    tests_with_bvj: int
    findings: tuple[Finding, ...]
    categories: Mapping[str, float]  # per-category score of this file: 100, 50 or 0
    score: float | None
    grade: str


@dataclass(frozen=True)
class AuditResult:
    score: float | None
    grade: str
    categories: tuple[CategoryScore, ...]
    files: tuple[FileScore, ...]
    exact_score: float | None = None  # unrounded, for differences (gains) between runs

    def category(self, category_id: str) -> CategoryScore:
        return next(c for c in self.categories if c.id == category_id)


def category_of(rule_id: str) -> str:
    return load_catalogue()[rule_id].category


def grade_for(score: float | None, bands: Mapping[str, float]) -> str:
    """The first band whose floor the score reaches; F below them all; n/a for None."""
    if score is None:
        return NOT_APPLICABLE
    for grade, floor in sorted(bands.items(), key=lambda item: -item[1]):
        if score >= floor:
            return grade
    return FAILING_GRADE


def weighted_mean(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Mean of the scores that are not None, by weight; None if no weight remains."""
    present = [(s, weights.get(c, 0.0)) for c, s in scores.items() if s is not None]
    total = sum(w for _, w in present)
    if total <= 0:
        return None
    return sum(s * w for s, w in present) / total


def category_weight(scoring: Scoring, category: str) -> float:
    """A category's weight: configured, else its default, else 1 (a category a new
    rule brings in counts like the size category until someone weighs it)."""
    return scoring.weights.get(category, DEFAULT_WEIGHTS.get(category, 1.0))


def _weights(scoring: Scoring) -> dict[str, float]:
    return {category: category_weight(scoring, category) for category in CATEGORIES}


def _round(score: float | None) -> float | None:
    return None if score is None else round(score, 1)


def _penalty(findings: Sequence[Finding]) -> float:
    """1 with an error among `findings`, 0.5 with only warnings, 0 with none."""
    if any(f.severity is Severity.ERROR for f in findings):
        return 1.0
    return 0.5 if findings else 0.0


def file_penalty(findings: Sequence[Finding], category: str) -> float:
    """What one file's findings cost a category: 1 with an error, 0.5 with only warnings."""
    return _penalty([f for f in findings if category_of(f.rule) == category])


def _exact_category(
    category: str, results: Sequence[FileResult], rules: Collection[str]
) -> tuple[float | None, tuple[int, int, int, int]]:
    applicable = sum(1 for r in results if applies(category, r))
    errors = warnings = findings = 0
    for result in results:
        mine = [f for f in result.findings if category_of(f.rule) == category]
        findings += len(mine)
        cost = _penalty(mine)
        if cost == 1.0:
            errors += 1
        elif cost:
            warnings += 1
    counts = (applicable, errors, warnings, findings)
    penalty = errors + 0.5 * warnings
    if not rules or (applicable == 0 and penalty == 0):
        return None, counts
    if applicable == 0:
        return 0.0, counts
    return 100.0 * max(0.0, 1.0 - penalty / applicable), counts


def file_score(result: FileResult, enabled: Collection[str], scoring: Scoring) -> FileScore:
    """A file's score: the weighted mean over the selected categories it could violate.

    Each category scores 100 for the file when clean, 50 with only warnings, 0
    with an error. Real services count only for integration and e2e files;
    every other category counts for every file.
    """
    per_category: dict[str, float] = {}
    for category in CATEGORIES:
        mine = [f for f in result.findings if category_of(f.rule) == category]
        checked = any(category_of(r) == category for r in enabled)
        # Per file, a category counts wherever the file could violate it (TG302
        # reads BVJs in helpers too), so the set never depends on findings and
        # fixing one cannot lower the file's score.
        possible = result.kind is not Kind.UNIT if category == "real-services" else True
        if mine or (checked and possible):
            per_category[category] = 100.0 * (1.0 - _penalty(mine))
    score = _round(weighted_mean(per_category, _weights(scoring)))
    return FileScore(
        path=result.path,
        role=result.role,
        kind=result.kind,
        lines=result.lines,
        tests=result.tests,
        tests_with_bvj=result.tests_with_bvj,
        findings=result.findings,
        categories=per_category,
        score=score,
        grade=grade_for(score, scoring.bands),
    )


def score_results(
    results: Sequence[FileResult],
    scoring: Scoring,
    enabled: Collection[str] | None = None,
    *,
    per_file: bool = True,
) -> AuditResult:
    """Score a run. `enabled`: the selected rules (default: all); a category
    none of whose rules ran is n/a, since its silence proves nothing.
    `per_file=False` skips the per-file scores (for what-if rescoring)."""
    enabled = set(load_catalogue()) if enabled is None else set(enabled)
    exact: dict[str, float | None] = {}
    categories = []
    for category in CATEGORIES:
        rules = sorted(r for r in enabled if category_of(r) == category)
        exact[category], (applicable, errors, warnings, findings) = _exact_category(
            category, results, rules
        )
        rounded = _round(exact[category])
        categories.append(
            CategoryScore(
                id=category,
                name=CATEGORIES[category],
                weight=category_weight(scoring, category),
                rules=tuple(rules),
                applicable_files=applicable,
                error_files=errors,
                warning_files=warnings,
                findings=findings,
                score=rounded,
                grade=grade_for(rounded, scoring.bands),
            )
        )
    exact_overall = weighted_mean(exact, _weights(scoring))
    overall = _round(exact_overall)
    files = tuple(file_score(r, enabled, scoring) for r in results) if per_file else ()
    return AuditResult(
        score=overall,
        exact_score=exact_overall,
        grade=grade_for(overall, scoring.bands),
        categories=tuple(categories),
        files=files,
    )
