"""The audit as JSON: `{"schema", "score", "grade", "categories", "files", "areas",
"root_causes", "summary"}`, carrying everything the other formats show.

`schema` is the version of this layout (bumped when a key changes meaning or
goes away; new keys may appear without a bump), so a history of audits can be
read back. Keys come out in a fixed order (dicts are built in order, never
sorted at dump time) so that two runs on the same tree give the same bytes,
apart from the date.
"""

from __future__ import annotations

import json
from typing import Any

from testgrade import __version__
from testgrade.audit.areas import AreaScore
from testgrade.audit.causes import Action
from testgrade.audit.compare import Change
from testgrade.audit.model import FileEntry, Report, RuleGroup
from testgrade.records import finding_to_dict

SCHEMA = 2  # 1: before areas, root causes and priorities


def _group(group: RuleGroup) -> dict[str, Any]:
    return {
        "rule": group.rule,
        "name": group.name,
        "severity": group.severity,
        "findings": group.findings,
        "files": [{"path": path, "findings": count} for path, count in group.files],
    }


def _action(action: Action) -> dict[str, Any]:
    return {
        "priority": action.priority,
        "key": action.key,
        "root_cause": action.root_cause,
        "text": action.title,
        "why": action.why,
        "rule": action.rules[0],
        "rules": list(action.rules),
        "severity": action.severity,
        "findings": action.findings,
        "fixable": action.fixable,
        "files": [{"path": path, "findings": count} for path, count in action.files],
        "effort": action.effort,
        "gain": action.gain,
        "gain_per_file": action.gain_per_file,
        "score_if_fixed": action.score_if_fixed,
        "command": action.command,
        "items": list(action.items),
    }


def _entry(entry: FileEntry) -> dict[str, Any]:
    return {"path": entry.path, "lines": entry.lines, "score": entry.score,
            "grade": entry.grade, "reasons": list(entry.reasons)}


def _area(area: AreaScore) -> dict[str, Any]:
    return {
        "name": area.name,
        "patterns": list(area.patterns),
        "path": area.path,
        "score": area.score,
        "grade": area.grade,
        "files": area.files,
        "lines": area.lines,
        "tests": area.tests,
        "findings": area.findings,
        "errors": area.errors,
        "files_by_kind": area.files_by_kind,
        "categories": [
            {"id": c.id, "score": c.score, "grade": c.grade,
             "applicable_files": c.applicable_files, "failing_files": c.failing_files,
             "findings": c.findings}
            for c in area.categories
        ],
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "score": change.score,
        "previous_score": change.previous_score,
        "score_delta": change.score_delta,
        "findings": change.findings,
        "previous_findings": change.previous_findings,
        "findings_delta": change.findings_delta,
    }


def document(report: Report) -> dict[str, Any]:
    audit = report.audit
    comparison = report.comparison
    return {
        "schema": SCHEMA,
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
                "area": report.file_areas.get(f.path, ""),
                "tests": f.tests,
                "tests_with_bvj": f.tests_with_bvj,
                "findings": [finding_to_dict(x) for x in f.findings],
            }
            for f in audit.files
        ],
        "areas": [_area(a) for a in report.areas],
        "root_causes": [a.key for a in report.root_causes],
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
            "exemplary": [_entry(e) for e in report.exemplary],
            "exemplary_by_kind": {
                kind: [_entry(e) for e in entries]
                for kind, entries in report.exemplary_by_kind.items()
            },
            "no_test_modules": {
                "files": len(report.no_test_modules),
                "lines": report.no_test_lines,
                "paths": [e.path for e in report.no_test_modules],
            },
            "attention": [_entry(e) for e in report.attention],
            "critical_issues": [_group(g) for g in report.critical],
            "warning_issues": [_group(g) for g in report.warning_groups],
            "recommendations": [_action(r) for r in report.recommendations],
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
                "findings": None if comparison.total is None else _change(comparison.total),
                "categories": {k: _change(v)
                               for k, v in (comparison.category_changes or {}).items()},
                "areas": {k: _change(v) for k, v in (comparison.area_changes or {}).items()},
            },
            "history": None if report.history is None else [
                {"label": p.label, "score": p.score, "categories": p.categories,
                 "findings": p.findings}
                for p in report.history.points
            ],
        },
    }


def render_json(report: Report) -> str:
    # ASCII escapes: a file name with lone surrogates still gives valid UTF-8 output.
    return json.dumps(document(report), indent=2, ensure_ascii=True) + "\n"
