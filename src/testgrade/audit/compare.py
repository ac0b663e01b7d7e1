"""`--compare PREVIOUS.json`: score deltas against an earlier `audit --format json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testgrade.scoring import AuditResult


@dataclass(frozen=True)
class Comparison:
    source: str
    previous_date: str | None
    previous_score: float | None
    overall: float | None  # delta, None when either side is n/a
    categories: dict[str, float | None]
    previous_categories: dict[str, float | None]


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
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CompareError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
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


def compare(previous: dict[str, Any], current: AuditResult, source: str) -> Comparison:
    """Deltas current - previous; None where either side is n/a or absent."""
    before = {e["id"]: _score(e.get("score"), "") for e in previous["categories"]}
    summary = previous.get("summary")
    date = summary.get("date") if isinstance(summary, dict) else None

    def delta(now: float | None, then: float | None) -> float | None:
        return None if now is None or then is None else round(now - then, 1)

    previous_score = _score(previous["score"], "")
    return Comparison(
        source=source,
        previous_date=date if isinstance(date, str) else None,
        previous_score=previous_score,
        overall=delta(current.score, previous_score),
        categories={c.id: delta(c.score, before.get(c.id)) for c in current.categories},
        previous_categories={c.id: before.get(c.id) for c in current.categories},
    )
