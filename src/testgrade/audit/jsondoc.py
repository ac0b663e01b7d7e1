"""The audit as JSON: `{"score", "grade", "categories", "files", "summary"}`.

Keys come out in a fixed order (dicts are built in order, never sorted at dump
time) so that two runs on the same tree give the same bytes, apart from the date.
"""

from __future__ import annotations

import json
from typing import Any

from testgrade import __version__
from testgrade.audit.model import Recommendation, Report, RuleGroup
from testgrade.records import finding_to_dict


def _group(group: RuleGroup) -> dict[str, Any]:
    return {
        "rule": group.rule,
        "name": group.name,
        "severity": group.severity,
        "findings": group.findings,
        "files": [{"path": path, "findings": count} for path, count in group.files],
    }


def _recommendation(rec: Recommendation) -> dict[str, Any]:
    return {
        "priority": rec.priority,
        "rule": rec.rule,
        "text": rec.text,
        "gain": rec.gain,
        "score_if_fixed": rec.score_if_fixed,
        "items": list(rec.items),
    }


def document(report: Report) -> dict[str, Any]:
    audit = report.audit
    comparison = report.comparison
    return {
        "score": audit.score,
        "grade": audit.grade,
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "score": c.score,
                "grade": c.grade,
                "weight": c.weight,
                "applicable_files": c.applicable_files,
                "failing_files": c.failing_files,
                "error_files": c.error_files,
                "warning_files": c.warning_files,
                "findings": c.findings,
                "rules": list(c.rules),
                "detail": report.details[c.id],
            }
            for c in audit.categories
        ],
        "files": [
            {
                "path": f.path,
                "score": f.score,
                "grade": f.grade,
                "lines": f.lines,
                "role": f.role.value,
                "kind": f.kind.value,
                "tests": f.tests,
                "tests_with_bvj": f.tests_with_bvj,
                "findings": [finding_to_dict(x) for x in f.findings],
            }
            for f in audit.files
        ],
        "summary": {
            "version": __version__,
            "title": report.title,
            "date": report.date,
            "root": report.root,
            "paths": list(report.paths),
            "verdict": report.verdict,
            "standards": dict(report.standards),
            "files": report.files,
            "lines": report.lines,
            "average_lines": report.average_lines,
            "files_by_kind": report.files_by_kind,
            "files_by_role": report.files_by_role,
            "files_by_directory": report.files_by_directory,
            "tests": report.tests,
            "tests_with_bvj": report.tests_with_bvj,
            "bvj_coverage": report.bvj_coverage,
            "integration_files": report.integration_files,
            "mock_free_integration_files": report.mock_free_files,
            "mock_free_share": report.mock_free_share,
            "findings": report.findings,
            "errors": report.errors,
            "warnings": report.warnings,
            "by_rule": report.by_rule,
            "suppressed": report.suppressed,
            "suppressions_without_reason": report.suppressions_without_reason,
            "strengths": list(report.strengths),
            "improvements": list(report.improvements),
            "not_assessed": list(report.not_assessed),
            "exemplary": [
                {"path": e.path, "lines": e.lines, "score": e.score, "grade": e.grade,
                 "reasons": list(e.reasons)}
                for e in report.exemplary
            ],
            "attention": [
                {"path": e.path, "lines": e.lines, "score": e.score, "grade": e.grade,
                 "reasons": list(e.reasons)}
                for e in report.attention
            ],
            "critical_issues": [_group(g) for g in report.critical],
            "warning_issues": [_group(g) for g in report.warning_groups],
            "recommendations": [_recommendation(r) for r in report.recommendations],
            "checklist": [
                {"item": i.text, "done": i.done, "current": i.current} for i in report.checklist
            ],
            "fail_under": report.fail_under,
            "comparison": None if comparison is None else {
                "previous": comparison.source,
                "previous_date": comparison.previous_date,
                "previous_score": comparison.previous_score,
                "score_delta": comparison.overall,
                "category_deltas": comparison.categories,
                "previous_categories": comparison.previous_categories,
            },
        },
    }


def render_json(report: Report) -> str:
    # ASCII escapes: a file name with lone surrogates still gives valid UTF-8 output.
    return json.dumps(document(report), indent=2, ensure_ascii=True) + "\n"
