"""The command line as a user meets it: exit codes, formats, the catalogue."""

from __future__ import annotations

import json

from testgrade.catalogue import load_catalogue


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_clean_tree_exits_zero(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/test_ok.py", '"""BVJ:\n- Segment: All\n- Business Goal: g\n- Value Impact: v\n- Strategic Impact: s\n"""\n\ndef test_ok():\n    assert True\n')
    result = cli("check", tmp_path)
    assert result.exit_code == 0, result.output
    assert "All checks passed: 1 file checked." in result.output


def test_errors_exit_one_and_print_path_line_col(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    # A helper module: a test module holding no tests would also be TG506.
    write(tmp_path / "tests/integration/fakes.py", "from unittest.mock import patch\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 1
    assert "tests/integration/fakes.py:1:27: TG101 " in result.output
    assert "Found 1 finding (1 error, 0 warnings) in 1 of 1 file." in result.output


def test_warnings_alone_exit_zero(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nsize = { warn = 1, max = 100 }\n")
    write(tmp_path / "helper.py", "a = 1\nb = 2\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 0
    assert "TG401" in result.output


def test_json_shape_is_the_documented_contract(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/rel.py", "from .x import y\n")
    document = cli.json("check", tmp_path)
    assert set(document) >= {"version", "findings", "summary"}
    (finding,) = document["findings"]
    assert set(finding) == {
        "rule", "name", "severity", "path", "line", "column", "message", "fixable", "cause",
        "fingerprint",
    }
    assert len(finding.pop("fingerprint")) == 16
    assert finding == {
        "rule": "TG201",
        "name": "relative-import",
        "severity": "error",
        "path": "tests/rel.py",
        "line": 1,
        "column": 1,
        "message": "Relative import `from .x import y`; use `from tests.x import y`",
        "fixable": True,
        "cause": "",
    }


def test_select_and_ignore_by_prefix(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/integration/test_a.py", "from unittest.mock import patch\nfrom . import x\n")
    only_imports = cli.json("check", tmp_path, "--select", "TG2")
    assert {f["rule"] for f in only_imports["findings"]} == {"TG201"}
    no_mocks = cli.json("check", tmp_path, "--ignore", "TG101")
    assert "TG101" not in {f["rule"] for f in no_mocks["findings"]}


def test_unknown_select_prefix_is_a_usage_error(cli, tmp_path):
    result = cli("check", tmp_path, "--select", "XY9")
    assert result.exit_code == 2
    assert "no rule matches 'XY9'" in result.stderr


def test_rules_lists_every_rule(cli):
    result = cli("rules")
    assert result.exit_code == 0
    for rule_id, spec in load_catalogue().items():
        assert f"{rule_id}  {spec.name}" in result.output


def test_rule_explains_one_rule_with_examples(cli):
    result = cli("rule", "tg101")
    assert result.exit_code == 0
    assert result.output.startswith("## TG101 mock-in-integration-test")
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Options"):
        assert f"### {heading}\n" in result.output
    assert "# tests/integration/test_auth.py\nfrom unittest.mock import patch" in result.output


def test_rules_documentation_in_docs_is_generated_from_the_catalogue(cli):
    from conftest import REPO

    generated = cli("rules", "--format", "markdown").output
    assert (REPO / "docs" / "rules.md").read_text() == generated, (
        "docs/rules.md is stale: run `testgrade rules --format markdown > docs/rules.md`"
    )


def test_unknown_rule_is_a_clear_error(cli):
    result = cli("rule", "TG999")
    assert result.exit_code == 2
    assert result.stderr.strip() == "testgrade: error: unknown rule 'TG999' (see `testgrade rules`)"


def test_python_dash_m_works(tmp_path):
    import subprocess
    import sys

    write(tmp_path / "tests/test_rel.py", "from . import x\n")
    result = subprocess.run(
        [sys.executable, "-m", "testgrade", "check", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["rule"] == "TG201"


def test_start_up_does_not_import_the_parser_or_rich():
    """The pre-commit path answers from the cache; importing libcst (~90 ms) or rich
    at start-up would be paid on every commit."""
    import subprocess
    import sys

    code = "import sys, testgrade.cli; print(sorted({m.split('.')[0] for m in sys.modules} & {'libcst', 'rich'}))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "[]", completed.stderr


def test_checking_one_file_imports_nothing_it_does_not_need(tmp_path):
    """A pre-commit run of `check FILE`: the parent process loads neither the parser
    (its worker does), nor the baseline, shard, audit or report machinery."""
    import subprocess
    import sys

    (tmp_path / ".git").mkdir()
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert 1\n")
    unneeded = ["libcst", "rich", "testgrade.baseline", "testgrade.shard", "testgrade.audit",
                "testgrade.ci_formats", "testgrade.engine", "testgrade.fix"]
    code = (
        "import sys\n"
        "from testgrade.cli import main\n"
        "try:\n"
        "    main(['check', 'test_one.py', '--no-cache'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {unneeded!r} if m in sys.modules), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert completed.stderr.strip().splitlines()[-1] == "[]", completed.stderr
