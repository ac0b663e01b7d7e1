"""FileResult to and from plain JSON data: for the cache, shard outputs and merging.

Decoding is strict: anything that is not exactly what `encode_result` writes
raises `ValueError`, so a damaged cache entry or shard file is never half-read.
"""

from __future__ import annotations

import json
import math
from typing import Any

from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity, Suppression


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:  # counts and line numbers; also below int()'s 4,300-digit limit
        raise ValueError(f"an integer of {len(text)} digits is out of range")
    return int(text)


def load_json_input(text: str | bytes) -> Any:
    """JSON a user hands testgrade (baseline, shard, --compare report): NaN, Infinity,
    floats that overflow (`1e400`) and integers of more than 20 digits raise
    ValueError, so they become a one-line error instead of a wrong score or a traceback."""
    return json.loads(
        text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the JSON contract spells it (also in cache entries and shards)."""
    from testgrade.catalogue import load_catalogue

    return {
        "rule": finding.rule,
        "name": load_catalogue()[finding.rule].name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "fixable": finding.fixable,
        "cause": finding.cause,
        "fingerprint": finding.fingerprint,
    }


def _typed(record: Any, key: str, kind: type, minimum: int = 0) -> Any:
    """`record[key]` if it has the type; a count (an int) must also be >= `minimum`:
    a negative line or test count from a hand-edited file must not skew a score."""
    value = record[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"`{key}` should be {kind.__name__}")
    if isinstance(value, int) and value < minimum:
        raise ValueError(f"`{key}` should be at least {minimum}, not {value}")
    return value


def finding_from_dict(record: Any) -> Finding:
    try:
        return Finding(
            path=_typed(record, "path", str),
            line=_typed(record, "line", int, 1),
            column=_typed(record, "column", int, 1),
            rule=_typed(record, "rule", str),
            message=_typed(record, "message", str),
            severity=Severity(record["severity"]),
            fixable=_typed(record, "fixable", bool),
            cause=_typed(record, "cause", str) if "cause" in record else "",
            fingerprint=_typed(record, "fingerprint", str) if "fingerprint" in record else "",
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a finding: {exc}") from None


def facts_to_dict(result: FileResult) -> dict[str, Any]:
    """Everything about a file except its findings (those are listed separately)."""
    return {
        "path": result.path,
        "role": result.role.value,
        "kind": result.kind.value,
        "lines": result.lines,
        "tests": result.tests,
        "tests_with_bvj": result.tests_with_bvj,
        "suppressions": [
            {
                "line": s.line,
                "rules": list(s.rules),
                "reason": s.reason,
                "whole_file": s.whole_file,
                "used": s.used,
            }
            for s in result.suppressions
        ],
    }


def _suppression(record: Any) -> Suppression:
    rules = record["rules"]
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ValueError("`rules` should be a list of rule ids")
    return Suppression(
        line=_typed(record, "line", int),
        rules=tuple(rules),
        reason=_typed(record, "reason", str),
        whole_file=_typed(record, "whole_file", bool),
        used=_typed(record, "used", bool),
    )


def result_from_dict(facts: Any, findings: list[Finding]) -> FileResult:
    try:
        suppressions = facts["suppressions"]
        if not isinstance(suppressions, list):
            raise ValueError("`suppressions` should be a list")
        return FileResult(
            path=_typed(facts, "path", str),
            role=Role(facts["role"]),
            kind=Kind(facts["kind"]),
            lines=_typed(facts, "lines", int),
            tests=_typed(facts, "tests", int),
            tests_with_bvj=_typed(facts, "tests_with_bvj", int),
            findings=tuple(findings),
            suppressions=tuple(_suppression(s) for s in suppressions),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a file record: {exc}") from None


def encode_result(result: FileResult) -> dict[str, Any]:
    record = facts_to_dict(result)
    record["findings"] = [finding_to_dict(f) for f in result.findings]
    return record


def decode_result(record: Any) -> FileResult:
    try:
        findings = record["findings"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a file record: {exc}") from None
    if not isinstance(findings, list):
        raise ValueError("`findings` should be a list")
    return result_from_dict(record, [finding_from_dict(f) for f in findings])
