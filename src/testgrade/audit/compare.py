"""`--compare` and `--history`: changes against earlier `audit --format json` reports.

A comparison gives, per category and per area, the change of the score *and* of
the number of findings (more mocks in a file that already had mocks leave the
score alone but not the count). A history is the score per category of every
earlier report, oldest first, ending with this run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testgrade.audit.areas import AreaScore
from testgrade.records import load_json_input
from testgrade.scoring import AuditResult


@dataclass(frozen=True)
class Change:
    """Score and findings now, before, and the difference (None where unknown or n/a)."""

    score: float | None
    previous_score: float | None
    findings: int
    previous_findings: int | None

    @property
    def score_delta(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)

    @property
    def findings_delta(self) -> int | None:
        return None if self.previous_findings is None else self.findings - self.previous_findings


@dataclass(frozen=True)
class Comparison:
    source: str
    previous_date: str | None
    previous_score: float | None
    overall: float | None  # delta, None when either side is n/a
    categories: dict[str, float | None]
    previous_categories: dict[str, float | None]
    total: Change | None = None
    category_changes: dict[str, Change] | None = None
    area_changes: dict[str, Change] | None = None  # areas of this run only


class CompareError(Exception):
    """The previous audit cannot be used; the message is one line."""


def _score(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CompareError(f"{where} must be a number or null")
    return float(value)


def load_previous(path: Path) -> dict[str, Any]:
    """Read and validate an earlier audit JSON, before any linting is done."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CompareError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise CompareError(f"{path} is not UTF-8 text") from None
    try:
        document = load_json_input(text)
    except json.JSONDecodeError as exc:
        raise CompareError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except ValueError as exc:  # NaN, Infinity, 1e400, an integer of thousands of digits
        raise CompareError(f"{path} is not valid input: {exc}") from None
    except RecursionError:  # hostile nesting: json gives up before it ends
        raise CompareError(f"{path} is not an audit JSON report (nested too deeply)") from None
    if not isinstance(document, dict) or not isinstance(document.get("categories"), list) \
            or "score" not in document:
        raise CompareError(f"{path} is not a `testgrade audit --format json` report")
    _score(document["score"], f"{path}: `score`")
    for entry in document["categories"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise CompareError(f"{path}: every category needs an `id`")
        _score(entry.get("score"), f"{path}: score of category {entry['id']!r}")
    return document


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _lenient_score(value: Any) -> float | None:
    try:
        return _score(value, "")
    except CompareError:
        return None


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    summary = document.get("summary")
    return summary if isinstance(summary, dict) else {}


def _earlier_areas(document: dict[str, Any]) -> dict[str, tuple[float | None, int | None]]:
    """{area: (score, findings)} of an earlier report; empty before areas existed."""
    areas = document.get("areas")
    if not isinstance(areas, list):
        return {}
    return {
        a["name"]: (_lenient_score(a.get("score")), _count(a.get("findings")))
        for a in areas if isinstance(a, dict) and isinstance(a.get("name"), str)
    }


def compare(
    previous: dict[str, Any], current: AuditResult, areas: Sequence[AreaScore], source: str
) -> Comparison:
    """Deltas current - previous; None where either side is n/a or absent."""
    before = {e["id"]: e for e in previous["categories"]}
    date = _summary(previous).get("date")
    previous_score = _score(previous["score"], "")
    changes = {}
    for c in current.categories:
        then = before.get(c.id, {})
        changes[c.id] = Change(c.score, _score(then.get("score"), ""), c.findings,
                               _count(then.get("findings")))
    earlier = _earlier_areas(previous)
    area_changes = {}
    for area in areas:
        then_score, then_findings = earlier.get(area.name, (None, None))
        area_changes[area.name] = Change(area.score, then_score, area.findings, then_findings)
    total = Change(current.score, previous_score,
                   sum(c.findings for c in current.categories),
                   _count(_summary(previous).get("findings")))
    return Comparison(
        source=source,
        previous_date=date if isinstance(date, str) else None,
        previous_score=previous_score,
        overall=total.score_delta,
        categories={k: v.score_delta for k, v in changes.items()},
        previous_categories={k: v.previous_score for k, v in changes.items()},
        total=total,
        category_changes=changes,
        area_changes=area_changes,
    )


@dataclass(frozen=True)
class HistoryPoint:
    label: str  # the report's date, or its file name when undated
    score: float | None
    categories: dict[str, float | None]
    findings: int | None


@dataclass(frozen=True)
class History:
    points: tuple[HistoryPoint, ...]  # oldest first; the last one is this run

    @classmethod
    def build(
        cls,
        documents: Sequence[tuple[str, dict[str, Any]]],
        date: str,
        current: AuditResult,
        areas: Sequence[AreaScore],
    ) -> History:
        earlier = []
        for label, document in documents:
            summary_date = _summary(document).get("date")
            earlier.append((
                summary_date if isinstance(summary_date, str) else "", label,
                HistoryPoint(
                    label=summary_date if isinstance(summary_date, str) else label,
                    score=_lenient_score(document.get("score")),
                    categories={e["id"]: _lenient_score(e.get("score"))
                                for e in document["categories"]},
                    findings=_count(_summary(document).get("findings")),
                ),
            ))
        earlier.sort(key=lambda item: (item[0], item[1]))
        now = HistoryPoint(
            label=f"{date} (this run)",
            score=current.score,
            categories={c.id: c.score for c in current.categories},
            findings=sum(c.findings for c in current.categories),
        )
        return cls(tuple(point for _, _, point in earlier) + (now,))


def load_history(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every `*.json` audit report in `directory` as (file name, document)."""
    if not directory.is_dir():
        raise CompareError(f"{directory} is not a directory")
    documents = []
    for path in sorted(directory.glob("*.json")):
        documents.append((path.name, load_previous(path)))
    if not documents:
        raise CompareError(f"{directory} has no `testgrade audit --format json` reports")
    return documents
