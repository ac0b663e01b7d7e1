"""SARIF, JUnit and GitHub annotations carry exactly the findings of `check`."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from testgrade.catalogue import load_catalogue

from conftest import DEMO
from test_cli import write


def demo_findings(cli):
    return cli.json("check", DEMO)["findings"]


def test_sarif_has_every_rule_and_every_finding_located(cli):
    result = cli("check", DEMO, "--format", "sarif")
    assert result.exit_code == 1
    (run,) = json.loads(result.stdout)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(load_catalogue())
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["level"],
        )
        for r in run["results"]
    ]
    assert located == [
        (f["rule"], f["path"], f["line"], f["column"], f["severity"]) for f in demo_findings(cli)
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_junit_has_a_suite_per_file_and_a_failure_per_finding(cli):
    result = cli("check", DEMO, "--format", "junit")
    root = ElementTree.fromstring(result.stdout)
    findings = demo_findings(cli)
    failures = root.findall(".//failure")
    assert int(root.get("failures")) == len(failures) == len(findings)
    assert [f.get("type") for f in failures] == [f["rule"] for f in findings]
    assert len(root.findall("testsuite")) == cli.json("check", DEMO)["summary"]["files"]


def test_github_annotations_escape_what_would_break_them(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/integration/a,b:100%.py", "import mock\n")
    result = cli("check", tmp_path, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=tests/integration/a%2Cb%3A100%25.py,line=1,col=8,"
        "title=TG101 mock-in-integration-test::"
        "`mock` imported in an integration helper module; test against the real service, "
        "or move the test to the unit tier\n"
    )


def test_junit_stays_well_formed_with_control_characters_in_names(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/integration/test_\x1b[31mred.py", "import mock\n")
    result = cli("check", tmp_path, "--format", "junit")
    root = ElementTree.fromstring(result.stdout)  # raises if the XML is broken
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "tests/integration/test_\\x1b[31mred.py"


def test_github_annotations_carry_no_terminal_escape_sequences(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/integration/test_\x1b[2Jwipe.py", "import mock\n")
    output = cli("check", tmp_path, "--format", "github").stdout
    assert "\x1b" not in output
    assert "file=tests/integration/test_\\x1b[2Jwipe.py," in output
