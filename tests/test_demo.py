"""The bundled demo tree: its full findings are checked in beside it."""

from __future__ import annotations

import json

from conftest import DEMO


def test_demo_findings_match_the_checked_in_expectation(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    document = cli.json("check")
    found = [{"rule": f["rule"], "path": f["path"], "line": f["line"]} for f in document["findings"]]
    expected = json.loads((DEMO / "expected_findings.json").read_text())
    assert found == expected


def test_demo_violates_every_rule_and_has_compliant_files(cli):
    document = cli.json("check", DEMO)
    rules = {f["rule"] for f in document["findings"]}
    assert rules == {"TG000", "TG101", "TG201", "TG202", "TG203", "TG301", "TG302", "TG102", "TG401", "TG501", "TG502", "TG503", "TG504", "TG505", "TG506"}
    summary = document["summary"]
    assert 0 < summary["files_with_findings"] < summary["files"]


def test_demo_honours_gitignore_exclude_and_per_file_ignores(cli):
    paths = {f["path"] for f in cli.json("check", DEMO)["findings"]}
    assert not any(p.startswith("generated/") for p in paths)  # .gitignore
    assert not any("/fixtures/" in p for p in paths)  # exclude
    assert "tests/legacy/test_old_runner.py" not in paths  # per-file-ignores TG301


def test_demo_suppressions_are_counted_not_reported(cli):
    document = cli.json("check", DEMO)
    assert not any("test_staging_sdk_e2e" in f["path"] for f in document["findings"])
    assert document["summary"]["suppressed"] == 2
