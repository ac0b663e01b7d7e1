"""Areas, root causes, ranking, priorities, verdict and exemplary files, recomputed.

Everything here is derived again from `testgrade check --format json` alone (its
findings, with their `cause`, and its per-file facts) by the rules written in
docs/scoring.md, and compared with `testgrade audit --format json` of the same
tree: on the demo tree and on generated trees of three services. Nothing is
frozen, so findings that others add to the demo only change what is recomputed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import pytest
from audit_trees import (
    CATEGORY_ORDER,
    RULE_CATEGORY,
    SERVICES,
    applies,
    expected_scores,
    facts,
    separate_stderr_cli,
    write_services_tree,
)
from conftest import DEMO, Cli

INTEGRITY = "TG000"


@pytest.fixture(scope="module")
def cli() -> Cli:
    return separate_stderr_cli()


def _facts(check: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {f["path"]: facts(f) for f in check["files"]}


def area_of(path: str) -> str:
    """The default areas: one per top-level directory, "." for files at the root."""
    return path.split("/", 1)[0] if "/" in path else "."


def family(path: str) -> str:
    directory, _, name = path.rpartition("/")
    stem = re.sub(r"(_(batch|part|chunk)?\d+)+$", "", name.removesuffix(".py")) or name
    return f"{directory}/{stem}" if directory else stem


def cause_key(finding: dict[str, Any]) -> str:
    if finding["cause"]:
        return finding["cause"]
    if finding["rule"] == "TG401":
        return f"size:family:{family(finding['path'])}"
    return f"rule:{finding['rule']}:{area_of(finding['path'])}"


def expected_actions(check: dict[str, Any]) -> list[dict[str, Any]]:
    """Every group of findings one action clears, ranked, with its gain and priority."""
    files = _facts(check)
    _, current = expected_scores(check, files)
    groups: dict[str, list[int]] = defaultdict(list)
    for n, finding in enumerate(check["findings"]):
        groups[cause_key(finding)].append(n)
    actions = []
    for key, members in groups.items():
        rest = [f for n, f in enumerate(check["findings"]) if n not in set(members)]
        _, fixed = expected_scores({"findings": rest}, files)
        mine = [check["findings"][n] for n in members]
        paths = {f["path"] for f in mine}
        gain = round((fixed or 0.0) - (current or 0.0), 1)
        actions.append({
            "key": key,
            "rules": sorted({f["rule"] for f in mine}),
            "findings": len(mine),
            "files": len(paths),
            "gain": gain,
            "gain_per_file": round(gain / len(paths), 2),
            "severity": "error" if any(f["severity"] == "error" for f in mine) else "warning",
        })
    actions.sort(key=lambda a: (INTEGRITY not in a["rules"], -a["gain_per_file"],
                                -a["findings"], a["key"]))
    first = 0
    for action in actions:
        if INTEGRITY in action["rules"]:
            action["priority"] = 1
        elif action["severity"] == "error":
            first += 1
            action["priority"] = 1 if first <= 3 else 2
        else:
            action["priority"] = 3
    return actions


def expected_exemplary(check: dict[str, Any]) -> dict[str, list[str]]:
    flagged = {f["path"] for f in check["findings"]}
    out = {}
    for kind in ("unit", "integration", "e2e"):
        clean = [f for f in check["files"] if f["kind"] == kind and f["role"] == "test"
                 and f["tests"] and f["tests_with_bvj"] == f["tests"]
                 and f["path"] not in flagged]
        clean.sort(key=lambda f: (-f["tests"], f["lines"], f["path"]))
        out[kind] = [f["path"] for f in clean[:3]]
    return out


def _check_and_audit(cli: Cli, *args: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return cli.json("check", *args), cli.json("audit", *args)


def _assert_recomputed(check: dict[str, Any], audit: dict[str, Any]) -> None:
    files = _facts(check)
    summary = audit["summary"]

    # Per-area scores: the same formula over each area's files and findings.
    areas = sorted({area_of(p) for p in files})
    assert [a["name"] for a in audit["areas"]] == areas
    for area in audit["areas"]:
        mine = {p: facts for p, facts in files.items() if area_of(p) == area["name"]}
        findings = [f for f in check["findings"] if f["path"] in mine]
        categories, overall = expected_scores({"findings": findings}, mine)
        assert area["score"] == overall, area["name"]
        assert {c["id"]: c["score"] for c in area["categories"]} == categories
        assert area["files"] == len(mine) and area["findings"] == len(findings)
    assert {f["path"]: f["area"] for f in audit["files"]} == {p: area_of(p) for p in files}

    # Root causes and ranked actions: every finding in exactly one, in this order.
    actions = expected_actions(check)
    got = summary["recommendations"]
    assert [a["key"] for a in got] == [a["key"] for a in actions]
    for mine, theirs in zip(actions, got):
        for field in ("rules", "findings", "gain", "gain_per_file", "severity", "priority"):
            assert theirs[field] == mine[field], (mine["key"], field)
        assert theirs["effort"] == mine["files"] == len(theirs["files"])
        assert theirs["root_cause"] == (not mine["key"].startswith("rule:"))
        assert theirs["command"].startswith("testgrade check ")
        assert f"--select {','.join(mine['rules'])}" in theirs["command"]
    assert sum(a["findings"] for a in got) == len(check["findings"])
    assert audit["root_causes"] == [a["key"] for a in actions if not a["key"].startswith("rule:")]

    # The verdict: grade and score, the costliest category, the first action.
    score = "n/a" if audit["score"] is None else f"{audit['score']:.1f}"
    verdict = summary["verdict"]
    if check["findings"]:
        assert verdict.startswith(f"{audit['grade']} ({score}/100): ")
        assert verdict.endswith(f"start with: {got[0]['text']} (`{got[0]['command']}`)")
        categories, _ = expected_scores(check, files)
        weights = {c["id"]: c["weight"] for c in audit["categories"]}
        failing = {RULE_CATEGORY[f["rule"]] for f in check["findings"]}
        worst = max((c for c in CATEGORY_ORDER if c in failing and categories[c] is not None),
                    key=lambda c: (weights[c] * (100 - categories[c]), c))
        inside = {f["path"] for f in check["findings"] if RULE_CATEGORY[f["rule"]] == worst
                  and applies(worst, *files[f["path"]])}
        applicable = sum(1 for facts in files.values() if applies(worst, *facts))
        assert f": {len(inside):,} of {applicable:,} " in verdict

    # Exemplary files per kind, and the modules that collect no tests.
    exemplary = {k: [e["path"] for e in v] for k, v in summary["exemplary_by_kind"].items()}
    assert exemplary == expected_exemplary(check)
    unparsable = {f["path"] for f in check["findings"] if f["rule"] == INTEGRITY}
    empty = [f for f in check["files"]
             if f["role"] == "test" and f["tests"] == 0 and f["path"] not in unparsable]
    assert summary["no_test_modules"]["files"] == len(empty)
    assert summary["no_test_modules"]["lines"] == sum(f["lines"] for f in empty)


def test_the_demo_report_is_recomputed_from_check(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    check, audit = _check_and_audit(cli)
    _assert_recomputed(check, audit)
    # The demo has a merge-conflict marker: it is Priority 1, first, never a strength.
    first = audit["summary"]["recommendations"][0]
    assert first["rules"] == [INTEGRITY] and first["priority"] == 1
    assert not any(s.startswith("Integrity") for s in audit["summary"]["strengths"])


@pytest.mark.parametrize("seed", range(4))
def test_a_three_service_report_is_recomputed_from_check(cli, tmp_path, seed):
    write_services_tree(tmp_path, seed)
    check, audit = _check_and_audit(cli, tmp_path)
    assert {a["name"] for a in audit["areas"]} == set(SERVICES)
    _assert_recomputed(check, audit)
    # Deprecated modules are root causes: one group per module, across services.
    deprecated = Counter(f["cause"] for f in check["findings"] if f["rule"] == "TG202")
    for cause, count in deprecated.items():
        assert cause.startswith("deprecated:")
        group = next(a for a in audit["summary"]["recommendations"] if a["key"] == cause)
        assert group["findings"] == count and group["root_cause"]
    # The oversized `_batchN` files are one family.
    families = [a for a in audit["summary"]["recommendations"]
                if a["key"].startswith("size:family:") and "test_event_stream" in a["key"]]
    assert len(families) <= 1


def test_configured_areas_group_files_by_pattern(cli, tmp_path):
    write_services_tree(tmp_path, 1)
    with (tmp_path / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.testgrade.audit]\nareas = { "money" = "billing_service/**", '
                     '"people" = ["auth_service/**"] }\n')
    check, audit = _check_and_audit(cli, tmp_path)
    names = [a["name"] for a in audit["areas"]]
    assert names == ["money", "people", "other"]
    expected = {"billing_service": "money", "auth_service": "people", "search_service": "other"}
    for record in audit["files"]:
        assert record["area"] == expected[record["path"].split("/", 1)[0]]
    money = next(a for a in audit["areas"] if a["name"] == "money")
    mine = {p: facts for p, facts in _facts(check).items() if p.startswith("billing_service/")}
    findings = [f for f in check["findings"] if f["path"] in mine]
    assert money["score"] == expected_scores({"findings": findings}, mine)[1]
    assert money["path"] == "billing_service/"


@pytest.mark.parametrize(
    ("areas", "message"),
    [('areas = { "x" = 3 }', "must be an array of strings"),
     ('areas = { "x" = [] }', "at least one pattern"),
     ('colours = 1', "unknown key")],
)
def test_bad_area_settings_are_a_one_line_config_error(cli, tmp_path, areas, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.testgrade.audit]\n{areas}\n")
    result = cli("audit", tmp_path)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert message in line and "Traceback" not in result.output
