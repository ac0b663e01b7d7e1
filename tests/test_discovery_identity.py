"""Discovery names each file by its real path inside the root, checks it once,
reports what it cannot list, and survives deep trees and hostile paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testgrade.config import load_config
from testgrade.discovery import discover

from test_adversarial import _drop_file_permission_override


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.testgrade]\nselect = ["TG000", "TG2"]\n')
    return root


def test_a_file_behind_a_symlinked_directory_is_named_by_its_real_path_once(cli, repo):
    real = repo / "shared" / "suite"
    real.mkdir(parents=True)
    (real / "helpers.py").write_text("")
    (real / "test_x.py").write_text("from . import helpers\n")
    (repo / "a_link").symlink_to(real, target_is_directory=True)
    document = cli.json("check", repo, "--no-cache")
    assert [f["path"] for f in document["files"]] == [
        "shared/suite/helpers.py", "shared/suite/test_x.py"
    ]
    (finding,) = document["findings"]
    assert finding["path"] == "shared/suite/test_x.py"
    assert "from shared.suite import helpers" in finding["message"]


def test_a_file_named_twice_is_checked_once(cli, repo):
    (repo / "tests").mkdir()
    (repo / "tests" / "test_a.py").write_text("from . import x\n")
    (repo / "tests" / "test_alias.py").symlink_to(repo / "tests" / "test_a.py")
    document = cli.json("check", repo / "tests", repo / "tests" / "test_a.py",
                        repo / "tests" / "test_alias.py", "--no-cache")
    assert [f["path"] for f in document["files"]] == ["tests/test_a.py"]
    assert len(document["findings"]) == 1


def test_a_path_given_through_a_link_outside_the_root_is_related_to_the_root(cli, repo, tmp_path):
    (repo / "tests").mkdir()
    (repo / "tests" / "test_a.py").write_text("from . import x\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "link").symlink_to(tmp_path, target_is_directory=True)
    document = cli.json("check", elsewhere / "link" / "repo" / "tests", "--no-cache")
    assert [f["path"] for f in document["files"]] == ["tests/test_a.py"]


def test_a_thousand_nested_directories_are_walked_without_recursion_error(cli, repo):
    deep = repo
    for _ in range(1_000):  # 2,000 characters: within PATH_MAX (os.makedirs itself recurses)
        deep = deep / "d"
        deep.mkdir()
    (deep / "test_deep.py").write_text("from . import x\n")
    document = cli.json("check", repo, "--no-cache")
    assert len(document["findings"]) == 1
    assert document["findings"][0]["path"].endswith("/d/test_deep.py")


def test_an_unreadable_directory_is_a_tg000_not_a_clean_pass(repo):
    (repo / "tests" / "secret").mkdir(parents=True)
    (repo / "tests" / "secret" / "test_hidden.py").write_text("from . import x\n")
    (repo / "tests" / "test_ok.py").write_text("x = 1\n")
    (repo / "tests" / "secret").chmod(0)
    try:
        as_root = os.geteuid() == 0
        result = subprocess.run(
            [sys.executable, "-m", "testgrade", "check", ".", "--no-cache", "--format", "json"],
            cwd=repo, capture_output=True, text=True, timeout=120,
            preexec_fn=_drop_file_permission_override if as_root else None,
        )
    finally:
        (repo / "tests" / "secret").chmod(0o755)
    if result.returncode == 97:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here (no CAP_SETPCAP)")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["rule"], f["message"]) for f in findings] == [
        ("tests/secret", "TG000", "Cannot read directory: Permission denied")
    ]


def test_discovery_of_an_unlistable_directory_yields_an_error_candidate(repo, monkeypatch):
    """The same, without needing permissions: os.scandir refused for one directory."""
    (repo / "tests" / "secret").mkdir(parents=True)
    (repo / "tests" / "test_ok.py").write_text("x = 1\n")
    real_scandir = os.scandir

    def refusing(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    candidates = discover([repo], load_config(repo))
    assert [(c.relpath, c.error) for c in candidates] == [
        ("tests/secret", "Cannot read directory: Permission denied"),
        ("tests/test_ok.py", None),
    ]


def test_paths_too_long_for_the_system_are_one_line_errors(cli, repo):
    for args in (["check", str(repo / ("x" * 5000))],
                 ["check", str(repo), "--config", str(repo / ("y" * 5000) / "pyproject.toml")]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("testgrade: error: ") and result.stderr.count("\n") == 1
