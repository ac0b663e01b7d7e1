"""Discovery: gitignore honoured without git, symlinks kept inside the root."""

from __future__ import annotations

import os

from testgrade.config import load_config
from testgrade.discovery import discover, package_name

from test_cli import write


def found(tmp_path, *paths):
    config = load_config(tmp_path)
    return [c.relpath for c in discover(list(paths) or [tmp_path], config)]


def test_gitignore_is_honoured_outside_a_git_checkout(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / ".gitignore", "build_out/\n*_generated.py\n!keep_generated.py\n")
    write(tmp_path / "tests/sub/.gitignore", "local_only.py\n")
    for name in [
        "tests/test_a.py", "build_out/test_b.py", "tests/x_generated.py",
        "tests/keep_generated.py", "tests/sub/local_only.py", "tests/sub/test_c.py",
        "local_only.py",
    ]:
        write(tmp_path / name, "")
    assert not (tmp_path / ".git").exists()
    assert found(tmp_path) == [
        "local_only.py", "tests/keep_generated.py", "tests/sub/test_c.py", "tests/test_a.py",
    ]


def test_nested_gitignores_anchor_to_their_directory_and_the_deepest_decides(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / ".gitignore", "*_gen.py\n/top_only.py\nskipdir/\n")
    write(tmp_path / "tests/.gitignore", "!keep_gen.py\nlocal.py\n/anchored.py\n")
    write(tmp_path / "tests/deep/.gitignore", "!local.py\n")
    for name in [
        "top_only.py", "tests/top_only.py", "a_gen.py", "tests/keep_gen.py", "tests/x_gen.py",
        "tests/local.py", "tests/deep/local.py", "tests/anchored.py", "tests/deep/anchored.py",
        "skipdir/a.py", "tests/skipdir/b.py", "tests/deep/c_gen.py",
    ]:
        write(tmp_path / name, "")
    assert found(tmp_path) == [
        "tests/deep/anchored.py", "tests/deep/local.py", "tests/keep_gen.py", "tests/top_only.py",
    ]
    # Walked from a subdirectory, the root's .gitignore still applies.
    assert found(tmp_path, tmp_path / "tests") == found(tmp_path)


def test_non_python_and_tool_directories_are_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    for name in ["a.py", "notes.txt", "data.json", ".venv/lib/x.py", "__pycache__/a.py", "script"]:
        write(tmp_path / name, "")
    assert found(tmp_path) == ["a.py"]


def test_include_and_exclude(tmp_path):
    write(tmp_path / "pyproject.toml",
          "[tool.testgrade]\ninclude = ['tests']\nexclude = ['tests/fixtures/**']\n")
    for name in ["src/app.py", "tests/test_a.py", "tests/fixtures/test_data.py"]:
        write(tmp_path / name, "")
    assert found(tmp_path) == ["tests/test_a.py"]


def test_explicit_files_honour_include_and_exclude_as_pre_commit_passes_them(tmp_path):
    """pre-commit names every staged file: application code outside `include` must not
    be held to the test policy that `testgrade check` applies to the tree."""
    write(tmp_path / "pyproject.toml",
          "[tool.testgrade]\ninclude = ['tests']\nexclude = ['tests/gen/**']\n")
    app = write(tmp_path / "src/app.py", "")
    generated = write(tmp_path / "tests/gen/test_x.py", "")
    kept = write(tmp_path / "tests/test_y.py", "")
    assert found(tmp_path, app, generated, kept) == ["tests/test_y.py"]


def test_symlinks_are_not_followed_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "test_secret.py", "")
    root = tmp_path / "project"
    write(root / "pyproject.toml", "[tool.testgrade]\n")
    write(root / "tests/test_a.py", "")
    os.symlink(outside, root / "tests/linked_dir")
    os.symlink(outside / "test_secret.py", root / "tests/test_linked.py")
    os.symlink(root / "tests", root / "tests/loop")  # inside the root, but a cycle
    assert found(root) == ["tests/test_a.py"]


def test_package_name_follows_init_chain_else_the_path(tmp_path):
    write(tmp_path / "svc/__init__.py", "")
    write(tmp_path / "svc/tests/__init__.py", "")
    write(tmp_path / "svc/tests/test_a.py", "")
    write(tmp_path / "plain/tests/test_b.py", "")
    write(tmp_path / "my-repo/svc/__init__.py", "")
    assert package_name(tmp_path, "svc/tests/test_a.py") == "svc.tests"
    assert package_name(tmp_path, "plain/tests/test_b.py") == "plain.tests"
    assert package_name(tmp_path, "my-repo/svc/test_c.py") == "svc"
    assert package_name(tmp_path, "my-repo/test_d.py") is None


def test_a_directory_1100_levels_deep_is_walked_from_the_root_or_named_directly(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / ".gitignore", "*_gen.py\n")
    deep = tmp_path
    for _ in range(1100):  # one level at a time: pathlib's mkdir(parents=True) recurses
        deep = deep / "d"
        deep.mkdir()
    write(deep / "test_deep.py", "")
    write(deep / "x_gen.py", "")
    expected = ["/".join(["d"] * 1100 + ["test_deep.py"])]
    assert found(tmp_path) == expected
    assert found(tmp_path, deep) == expected  # the root's .gitignore still applies there


def test_a_directory_named_outside_the_project_root_contributes_no_file(tmp_path):
    project, other = tmp_path / "project", tmp_path / "other"
    write(project / "pyproject.toml", "[tool.testgrade]\n")
    write(project / "tests/test_a.py", "")
    write(other / "test_x.py", "")
    config = load_config(project)
    assert [c.relpath for c in discover([project, other], config)] == ["tests/test_a.py"]
