"""The real `pre-commit` tool runs testgrade as the README tells users to set it up.

One throw-away git repository uses a copy of this checkout as its hook repository,
configured with the README's snippet (only the repository URL is replaced, the
`rev` is pinned by `pre-commit autoupdate --freeze` as the README says). The hook
environment is built once for the module: it is the slow part.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

README_URL = "https://github.com/testgrade/testgrade"
VIOLATION = "from . import helpers\n"
FIXED = "from tests.unit import helpers\n"
BVJ = '"""BVJ: Segment: All; Business Goal: g; Value Impact: v; Strategic Impact: s"""\n'


def readme_snippet(marker: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker}:[^>]*-->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert match, f"README.md has no block marked {marker}"
    return match.group(1)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=_git_env()
    ).stdout


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> Path:
    """This checkout's working tree, committed: what pre-commit clones and installs."""
    repository = tmp_path_factory.mktemp("testgrade-hooks")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, repository / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "rules"):
        shutil.copytree(REPO / name, repository / name, ignore=ignore)
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "testgrade")
    return repository


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project(tmp_path: Path, config: str) -> Path:
    """A user's repository: tests under `include`, application code outside it."""
    git(tmp_path, "init", "-q", "-b", "main")
    stage(tmp_path, "pyproject.toml", "[tool.testgrade]\ninclude = ['tests']\n")
    stage(tmp_path, "tests/unit/helpers.py", "")
    stage(tmp_path, "tests/unit/test_orders.py", BVJ + "def test_a():\n    assert True\n")
    stage(tmp_path, ".pre-commit-config.yaml", config)
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **_git_env(),
        "PRE_COMMIT_HOME": str(home),
        # the local hook finds testgrade where this test runs it from
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )


def stage(repo: Path, relpath: str, text: str) -> None:
    path = repo / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, "add", relpath)


def exercise_hook(repo: Path, home: Path) -> None:
    """Fails on a staged violation, passes once it is fixed, ignores code outside
    `include` even when staged."""
    stage(repo, "tests/unit/test_orders.py", BVJ + VIOLATION + "def test_a():\n    assert True\n")
    failed = pre_commit(repo, home, "run")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "tests/unit/test_orders.py:2:1: TG201" in failed.stdout

    stage(repo, "tests/unit/test_orders.py", BVJ + FIXED + "def test_a():\n    assert True\n")
    passed = pre_commit(repo, home, "run")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    git(repo, "commit", "-q", "-m", "fixed")
    stage(repo, "src/app/orders.py", VIOLATION)  # application code: outside `include`
    outside = pre_commit(repo, home, "run")
    assert outside.returncode == 0, outside.stdout + outside.stderr
    assert "testgrade" in outside.stdout and "TG201" not in outside.stdout


def test_readme_snippet_pinned_to_a_commit_gates_staged_test_files(
    tmp_path, hook_repository, pre_commit_home
):
    config = yaml.safe_load(readme_snippet("pre-commit-snippet"))
    (entry,) = config["repos"]
    assert entry["repo"] == README_URL
    snippet = readme_snippet("pre-commit-snippet").replace(README_URL, str(hook_repository))
    repo = project(tmp_path, snippet)

    frozen = pre_commit(repo, pre_commit_home, "autoupdate", "--bleeding-edge", "--freeze")
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    sha = git(hook_repository, "rev-parse", "HEAD").strip()
    pinned = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert pinned["repos"][0]["rev"] == sha
    git(repo, "add", ".pre-commit-config.yaml")

    exercise_hook(repo, pre_commit_home)


def test_readme_local_hook_gates_staged_test_files(tmp_path, pre_commit_home):
    repo = project(tmp_path, readme_snippet("pre-commit-local-snippet"))
    exercise_hook(repo, pre_commit_home)


def test_the_published_hook_runs_serially_on_python_files():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "testgrade" and hook["entry"] == "testgrade check"
    assert hook["require_serial"] is True and hook["types"] == ["python"]
