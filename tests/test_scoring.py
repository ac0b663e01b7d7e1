"""The scoring model: the documented formula, grades, n/a, and monotonicity."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from testgrade.config import DEFAULT_BANDS, ConfigError, Scoring, parse_settings
from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity
from testgrade.scoring import grade_for, score_results

DOC = REPO / "docs" / "scoring.md"


def _result(path: str, role: Role, kind: Kind, findings: list[tuple[str, Severity]]) -> FileResult:
    return FileResult(
        path=path, role=role, kind=kind, lines=10, tests=1, tests_with_bvj=1,
        findings=tuple(
            Finding(path, n + 1, 1, rule, "m", severity) for n, (rule, severity) in enumerate(findings)
        ),
    )


def _doc_table(marker: str) -> list[list[str]]:
    """The rows of the Markdown table right after `<!-- marker -->` in docs/scoring.md."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->", 1)[1].strip().splitlines()
    rows = []
    for line in block[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_the_worked_example_in_the_docs_is_what_the_code_computes() -> None:
    results = []
    for path, role, kind, findings in _doc_table("example-files"):
        parsed = [
            (rule, Severity(severity))
            for rule, severity in (item.split() for item in findings.split(",") if item.strip())
        ]
        results.append(_result(path, Role(role), Kind(kind), parsed))
    assert len(results) == 10
    audit = score_results(results, Scoring())
    rows = _doc_table("example-categories")
    assert [row[0] for row in rows] == [c.id for c in audit.categories]
    for (_, applicable, penalty, score), category in zip(rows, audit.categories):
        assert category.applicable_files == int(applicable)
        assert category.penalty == float(penalty)
        assert category.score == float(score)
    overall = DOC.read_text(encoding="utf-8").split("<!-- example-overall -->", 1)[1]
    stated = re.search(r"\*\*([\d.]+), grade ([A-F][+-]?)\*\*", overall)
    assert stated is not None
    assert (audit.score, audit.grade) == (float(stated[1]), stated[2])
    per_file = re.findall(r"\*\*([\d.]+), grade ([A-F][+-]?)\*\*", overall)[1]
    orders = next(f for f in audit.files if f.path.endswith("test_orders.py"))
    assert (orders.score, orders.grade) == (float(per_file[0]), per_file[1])


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100.0, "A+"), (97.0, "A+"), (96.9, "A"), (90.0, "A-"), (89.9, "B+"), (80.0, "B-"),
     (70.0, "C-"), (60.0, "D"), (59.9, "F"), (0.0, "F"), (None, "n/a")],
)
def test_grades_follow_the_documented_bands(score: float | None, grade: str) -> None:
    assert grade_for(score, DEFAULT_BANDS) == grade


def test_configured_weights_and_bands_change_the_score_and_grade() -> None:
    config = parse_settings(
        {"scoring": {"weights": {"real-services": 1, "imports": 0, "documentation": 0,
                                 "size": 0, "integrity": 0},
                     "bands": {"A+": 99, "A": 98}}},
        root=REPO, source=None,
    )
    results = [
        _result("tests/integration/test_a.py", Role.TEST, Kind.INTEGRATION, []),
        _result("tests/integration/test_b.py", Role.TEST, Kind.INTEGRATION, []),
        _result("tests/integration/test_c.py", Role.TEST, Kind.INTEGRATION, []),
        _result("tests/integration/test_d.py", Role.TEST, Kind.INTEGRATION,
                [("TG101", Severity.ERROR), ("TG201", Severity.ERROR)]),
    ]
    audit = score_results(results, config.scoring)
    # Only real-services weighs: 100 x (1 - 1/4); the imports finding costs nothing.
    assert audit.score == 75.0
    assert audit.category("imports").score == 75.0
    assert grade_for(98.0, config.scoring.bands) == "A"


def test_bands_that_do_not_decrease_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="must decrease"):
        parse_settings({"scoring": {"bands": {"A": 99}}}, root=REPO, source=None)


def test_a_category_with_no_applicable_file_is_na_not_100() -> None:
    audit = score_results(
        [_result("tests/unit/test_a.py", Role.TEST, Kind.UNIT, [])], Scoring()
    )
    real = audit.category("real-services")
    assert (real.score, real.grade) == (None, "n/a")
    assert audit.score == 100.0  # the mean leaves the n/a category out


def test_a_category_whose_rules_did_not_run_is_na() -> None:
    results = [_result("tests/integration/test_a.py", Role.TEST, Kind.INTEGRATION, [])]
    audit = score_results(results, Scoring(), enabled={"TG000", "TG201"})
    assert audit.category("real-services").score is None
    assert audit.category("documentation").score is None
    assert audit.category("imports").score == 100.0


def test_no_files_no_score() -> None:
    audit = score_results([], Scoring())
    assert (audit.score, audit.grade) == (None, "n/a")
    assert all(c.score is None for c in audit.categories)


def test_a_warning_costs_half_an_error_and_a_file_counts_once() -> None:
    results = [
        _result("a.py", Role.HELPER, Kind.UNIT, [("TG401", Severity.WARNING)]),
        _result("b.py", Role.HELPER, Kind.UNIT, [("TG401", Severity.ERROR)]),
        _result("c.py", Role.HELPER, Kind.UNIT, [("TG201", Severity.ERROR)] * 5),
        _result("d.py", Role.HELPER, Kind.UNIT, []),
    ]
    audit = score_results(results, Scoring())
    assert audit.category("size").score == 100 * (1 - 1.5 / 4)
    assert audit.category("imports").score == 75.0


def test_findings_where_no_file_applies_score_0_until_fixed() -> None:
    helper = _result("tests/helpers.py", Role.HELPER, Kind.UNIT, [("TG302", Severity.WARNING)])
    assert score_results([helper], Scoring()).category("documentation").score == 0.0
    clean = replace(helper, findings=())
    assert score_results([clean], Scoring()).category("documentation").score is None


def test_incomplete_bvj_in_a_helper_is_counted_not_dropped() -> None:
    results = [
        _result("tests/test_a.py", Role.TEST, Kind.UNIT, [("TG301", Severity.ERROR)]),
        _result("tests/helpers.py", Role.HELPER, Kind.UNIT, [("TG302", Severity.WARNING)]),
    ]
    documentation = score_results(results, Scoring()).category("documentation")
    assert documentation.applicable_files == 1
    assert documentation.penalty == 1.5
    assert documentation.score == 0.0


# --- fixing a violation never lowers a score -------------------------------------

_RULES_BY_KIND = {
    "any": [("TG000", Severity.ERROR), ("TG201", Severity.ERROR), ("TG202", Severity.ERROR),
            ("TG302", Severity.WARNING), ("TG401", Severity.WARNING), ("TG401", Severity.ERROR)],
    "test": [("TG301", Severity.ERROR)],
    "integration": [("TG101", Severity.ERROR)],
}


@st.composite
def _trees(draw: st.DrawFn) -> list[FileResult]:
    results = []
    for n in range(draw(st.integers(1, 8))):
        role = draw(st.sampled_from(list(Role)))
        kind = draw(st.sampled_from(list(Kind)))
        possible = list(_RULES_BY_KIND["any"])
        if role is Role.TEST:
            possible += _RULES_BY_KIND["test"]
        if kind is not Kind.UNIT:
            possible += _RULES_BY_KIND["integration"]
        findings = draw(st.lists(st.sampled_from(possible), max_size=4))
        results.append(_result(f"tests/f{n}.py", role, kind, findings))
    return results


def _scores(results: list[FileResult], scoring: Scoring) -> dict[str, float | None]:
    audit = score_results(results, scoring)
    scores: dict[str, float | None] = {"overall": audit.score}
    scores.update({c.id: c.score for c in audit.categories})
    scores.update({f.path: f.score for f in audit.files})
    return scores


@settings(max_examples=300, deadline=None)
@given(
    tree=_trees(),
    pick=st.integers(0, 1000),
    weights=st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=5, max_size=5),
)
def test_fixing_any_single_violation_never_lowers_a_score(
    tree: list[FileResult], pick: int, weights: list[float]
) -> None:
    if not any(weights):
        weights[0] = 1.0
    scoring = Scoring(weights=dict(zip(
        ["real-services", "imports", "documentation", "size", "integrity"], weights
    )))
    located = [(i, j) for i, r in enumerate(tree) for j in range(len(r.findings))]
    if not located:
        assert all(s in (100.0, None) for s in _scores(tree, scoring).values())
        return
    i, j = located[pick % len(located)]
    fixed = list(tree)
    fixed[i] = replace(tree[i], findings=tree[i].findings[:j] + tree[i].findings[j + 1:])
    before, after = _scores(tree, scoring), _scores(fixed, scoring)
    for key, old in before.items():
        new = after[key]
        if old is None:
            assert new is None, key
        elif new is None:
            # Only a 0 that findings alone produced (no applicable file) may become n/a.
            assert old == 0.0, (key, old)
        else:
            assert new >= old, (key, old, new)


def test_a_test_module_that_collects_no_tests_leaves_the_bvj_and_real_services_denominators(
    cli, tmp_path
):
    (tmp_path / "pyproject.toml").write_text("[tool.testgrade]\n")
    tests = tmp_path / "tests" / "integration"
    tests.mkdir(parents=True)
    (tests / "test_live.py").write_text("import pytest\n\ndef test_a():\n    pass\n")
    # Entirely commented out: pytest collects nothing, so it proves nothing.
    (tests / "test_retired.py").write_text("# def test_b():\n#     assert True\n")
    (tests / "conftest.py").write_text("import pytest\n")
    audit = cli.json("audit", tmp_path, "--no-cache")
    applicable = {c["id"]: c["applicable_files"] for c in audit["categories"]}
    # the test with tests and the conftest (its fixtures serve integration tests)
    assert applicable["real-services"] == 2
    assert applicable["documentation"] == 1
    assert applicable["size"] == 3
    retired = next(f for f in audit["files"] if f["path"].endswith("test_retired.py"))
    assert retired["tests"] == 0


# --- areas, root causes and ranking: the second worked example ----------------------


def test_the_areas_and_actions_example_in_the_docs_is_what_the_code_computes() -> None:
    from pathlib import Path

    from testgrade.audit.model import build_report
    from testgrade.config import Config

    results = []
    for path, role, kind, findings in _doc_table("actions-files"):
        parsed = []
        for n, item in enumerate(x.split() for x in findings.split(",") if x.strip()):
            rule, severity, *cause = item
            parsed.append(Finding(path, n + 1, 1, rule, "m", Severity(severity),
                                  cause=cause[0] if cause else ""))
        results.append(FileResult(path=path, role=Role(role), kind=Kind(kind), lines=10,
                                  tests=1, tests_with_bvj=1, findings=tuple(parsed)))
    report = build_report(results, Config(root=Path("/nonexistent")), date="2026-01-01")

    areas = _doc_table("actions-areas")
    assert [row[0] for row in areas] == [a.name for a in report.areas]
    for (_, files, real, imports, documentation, score, grade), area in zip(areas, report.areas):
        assert area.files == int(files)
        assert [area.category(c).score for c in ("real-services", "imports", "documentation")] \
            == [float(real), float(imports), float(documentation)]
        assert (area.score, area.grade) == (float(score), grade)

    ranked = _doc_table("actions-ranked")
    assert [row[1] for row in ranked] == [a.key for a in report.recommendations]
    for (rank, _, files, findings, fixed, gain, per_file, priority), action in zip(
        ranked, report.recommendations
    ):
        assert (action.effort, action.findings) == (int(files), int(findings)), rank
        assert (action.score_if_fixed, action.gain) == (float(fixed), float(gain)), rank
        assert (action.gain_per_file, action.priority) == (float(per_file), int(priority)), rank

    verdict = DOC.read_text(encoding="utf-8").split("<!-- actions-verdict -->", 1)[1]
    stated = re.search(r"Verdict: \*\*(.+?)\*\*\n", verdict)
    assert stated is not None and stated[1] == report.verdict
