"""SARIF, JUnit and GitHub annotations carry exactly the findings of `check`."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from testgrade.catalogue import load_catalogue

from conftest import DEMO
from test_cli import write


def demo_findings(cli):
    return cli.json("check", DEMO)["findings"]


def test_sarif_has_every_rule_and_every_finding_located(cli, monkeypatch):
    monkeypatch.chdir(DEMO)  # paths are shown from the current directory
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
    assert [r["partialFingerprints"]["testgrade/v1"] for r in run["results"]] == [
        f["fingerprint"] for f in demo_findings(cli)
    ]


def test_junit_has_a_suite_per_file_and_a_failure_per_finding(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
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


def test_junit_cases_carry_file_and_line_and_keep_their_names_when_lines_move(
    cli, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG1', 'TG2']\n")
    test_file = write(tmp_path / "tests/integration/test_a.py",
                      "from unittest.mock import patch\nfrom . import b\n")

    def cases():
        root = ElementTree.fromstring(cli("check", tmp_path, "--format", "junit").stdout)
        return [(c.get("name"), c.get("file"), c.get("line")) for c in root.iter("testcase")]

    before = cases()
    assert [(file, line) for _, file, line in before] == [
        ("tests/integration/test_a.py", "1"), ("tests/integration/test_a.py", "2")
    ]
    assert before[0][0].startswith("TG101 mock-in-integration-test ")
    test_file.write_text("import os\n\n" + test_file.read_text())
    after = cases()
    assert [name for name, _, _ in after] == [name for name, _, _ in before]
    assert [line for _, _, line in after] == ["3", "4"]


ODD_NAMES = ["test a b.py", "test_100%.py", "test_#1.py", "test_caf\u00e9.py", "test_?x.py",
             "test_[x].py"]


def test_sarif_with_odd_file_names_validates_against_the_sarif_schema(cli, tmp_path, monkeypatch):
    from urllib.parse import unquote

    import jsonschema

    from conftest import REPO

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG1', 'TG2']\n")
    for name in ODD_NAMES:
        write(tmp_path / "tests/integration" / name, "import mock\n")
    document = json.loads(cli("check", tmp_path, "--format", "sarif").stdout)
    schema = json.loads((REPO / "tests/schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document
    )
    (run,) = document["runs"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert sorted(unquote(u) for u in uris) == sorted(f"tests/integration/{n}" for n in ODD_NAMES)
    assert all(not set(u) & set(" %#?[]\u00e9") - {"%"} for u in uris)
    assert "tests/integration/test_%231.py" in uris and "tests/integration/test_100%25.py" in uris
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_rules_link_to_their_section_of_the_rules_documentation(cli):
    import re

    from conftest import REPO

    (run,) = json.loads(cli("check", DEMO, "--format", "sarif").stdout)["runs"]
    headings = re.findall(r"^## (.+)$", (REPO / "docs/rules.md").read_text(), re.MULTILINE)
    anchors = {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in headings}
    for rule in run["tool"]["driver"]["rules"]:
        page, anchor = rule["helpUri"].split("#")
        assert page.endswith("/docs/rules.md") and anchor in anchors
        assert rule["help"]["markdown"].startswith(f"## {rule['id']} {rule['name']}")


def test_in_a_monorepo_paths_resolve_from_the_repository_root(cli, tmp_path, monkeypatch):
    """services/api has its own pyproject.toml; CI runs from the repository root."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    api = tmp_path / "services/api"
    write(api / "pyproject.toml", "[tool.testgrade]\nselect = ['TG1', 'TG2']\n")
    write(api / "tests/integration/test_orders.py", "import mock\n")
    expected = "services/api/tests/integration/test_orders.py"

    github = cli("check", "services/api", "--format", "github").stdout
    assert github.startswith(f"::error file={expected},line=1,col=8,")
    (run,) = json.loads(cli("check", "services/api", "--format", "sarif").stdout)["runs"]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": expected, "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert cli("check", "services/api").stdout.startswith(f"{expected}:1:8: TG101")
    junit = ElementTree.fromstring(cli("check", "services/api", "--format", "junit").stdout)
    assert junit.find("testsuite").get("name") == expected
    document = cli.json("check", "services/api")  # JSON keeps project-root paths, plus the root
    assert document["findings"][0]["path"] == "tests/integration/test_orders.py"
    assert document["root"] == str(api)
