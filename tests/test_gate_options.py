"""`check` options a CI gate or a ruff user reaches for, and `--since` on a real git
checkout."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from test_cli import write

BVJ = '"""BVJ: Segment: All; Business Goal: g; Value Impact: v; Strategic Impact: s"""\n'


@pytest.fixture
def tree(tmp_path):
    write(tmp_path / "pyproject.toml",
          "[tool.testgrade]\nselect = ['TG1', 'TG2', 'TG4']\nsize = { warn = 3, max = 100 }\n")
    write(tmp_path / "tests/integration/test_a.py", "from unittest.mock import patch\n")
    write(tmp_path / "tests/unit/test_b.py", BVJ + "from . import x\nfrom . import y\n"
          "def test_b():\n    assert x\n")
    return tmp_path


def test_text_shows_severity_and_the_fix_hint(cli, tree):
    out = cli("check", tree).stdout
    assert "tests/integration/test_a.py:1:27: TG101 [error] `unittest.mock.patch` imported" in out
    assert "tests/unit/test_b.py:1:1: TG401 [warning] File has 5 lines" in out
    assert out.endswith("2 fixable with `testgrade check --fix`.\n")


def test_exit_zero_reports_but_passes(cli, tree):
    result = cli("check", tree, "--exit-zero")
    assert result.exit_code == 0 and "TG101" in result.stdout


def test_output_file_gets_the_output_and_stdout_nothing(cli, tree):
    target = tree / "out" / "report.sarif"
    target.parent.mkdir()
    result = cli("check", tree, "--format", "sarif", "-o", target)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    unwritable = cli("check", tree, "-o", tree / "missing-dir" / "x.txt")
    assert unwritable.exit_code == 2 and unwritable.stderr.startswith("testgrade: error: cannot write")


@pytest.mark.parametrize(("env", "option", "colored"), [
    ({}, "--color=always", True),
    ({"FORCE_COLOR": "1"}, "--color=auto", True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "--color=auto", False),
    ({"FORCE_COLOR": "1"}, "--color=never", False),
    ({"NO_COLOR": "1"}, "--color=always", True),
    ({}, "--color=auto", False),  # not a terminal
])
def test_color_follows_the_option_then_no_color_then_force_color(
    cli, tree, monkeypatch, env, option, colored
):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = cli("check", tree, option).stdout
    assert ("\x1b[" in out) is colored


def test_statistics_prints_counts_per_rule_only(cli, tree):
    out = cli("check", tree, "--statistics").stdout
    assert out == (
        "     1  TG101      mock-in-integration-test\n"
        "     2  TG201  [*] relative-import\n"
        "     1  TG401      oversized-file\n"
    )
    rows = json.loads(cli("check", tree, "--statistics", "--format", "json").stdout)
    assert rows[1] == {"rule": "TG201", "name": "relative-import", "count": 2, "fixable": 2}


def test_quiet_prints_findings_only(cli, tree):
    cli("baseline", tree, "--select", "TG2")
    result = cli("check", tree, "-q", "--baseline", tree / "testgrade-baseline.json")
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["TG101", "TG401"]


def test_show_settings_prints_the_effective_configuration_and_its_file(cli, tree):
    import tomllib

    result = cli("check", tree, "--show-settings", "--ignore", "TG4")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"# configuration file: {tree / 'pyproject.toml'}\n")
    settings = tomllib.loads(result.stdout)
    assert settings["size"] == {"warn": 3, "max": 100, "exceptions": {}}
    assert settings["ignore"] == ["TG4"]
    assert settings["integration-paths"] == ["**/integration/**", "**/e2e/**"]


def test_rules_as_json_and_a_rule_by_name(cli):
    rules = json.loads(cli("rules", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rules}
    assert by_id["TG201"]["name"] == "relative-import" and by_id["TG201"]["fixable"] is True
    assert by_id["TG001"]["severity"] == "warning"
    by_name = cli("rule", "mock-in-integration-test")
    assert by_name.exit_code == 0 and by_name.stdout.startswith("## TG101 mock-in-integration-test")


# --- --since ------------------------------------------------------------------------


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_since_checks_committed_staged_unstaged_and_untracked_changes(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG2']\n")
    for name in ("old", "committed", "staged", "unstaged", "deleted"):
        write(tmp_path / f"tests/test_{name}.py", "import os\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path / "tests/test_old.py", "from . import old\n")
    git(tmp_path, "stash", "-q")  # test_old stays unchanged since main: it is never checked
    for name in ("committed", "staged", "unstaged"):
        write(tmp_path / f"tests/test_{name}.py", f"from . import {name}\n")
    git(tmp_path, "add", "tests/test_committed.py")
    git(tmp_path, "rm", "-q", "tests/test_deleted.py")
    git(tmp_path, "commit", "-q", "-m", "work")
    git(tmp_path, "add", "tests/test_staged.py")
    write(tmp_path / "tests/test_untracked.py", "from . import untracked\n")
    write(tmp_path / "notes.txt", "not python\n")

    document = cli.json("check", tmp_path, "--since", "main")
    checked = [f["path"] for f in document["files"]]
    assert checked == [f"tests/test_{n}.py" for n in ("committed", "staged", "unstaged",
                                                      "untracked")]
    assert len(document["findings"]) == 4


def test_since_a_ref_the_branch_has_moved_past_counts_only_the_branch(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG2']\n")
    write(tmp_path / "tests/test_a.py", "import os\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path / "tests/test_mine.py", "from . import a\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "mine")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path / "tests/test_theirs.py", "from . import b\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "theirs")
    git(tmp_path, "checkout", "-q", "feature")
    document = cli.json("check", tmp_path, "--since", "main")
    assert [f["path"] for f in document["files"]] == ["tests/test_mine.py"]


def test_since_outside_git_or_with_an_unknown_ref_is_a_one_line_error(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    outside = cli("check", tmp_path, "--since", "main")
    assert outside.exit_code == 2
    assert outside.stderr.startswith("testgrade: error: --since needs a git checkout")
    assert outside.stderr.count("\n") == 1
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    for ref in ("no-such-branch", "--output=x"):
        unknown = cli("check", tmp_path, "--since", ref)
        assert unknown.exit_code == 2 and unknown.stderr.count("\n") == 1
        assert f"--since {ref}: no such commit, branch or tag" in unknown.stderr
