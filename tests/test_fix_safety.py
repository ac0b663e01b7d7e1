"""`--fix` changes only the imports it means to change, keeps the file's identity,
and is planned from the bytes that were checked, within the checking time budget."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testgrade.catalogue import load_catalogue
from testgrade.config import parse_settings
from testgrade.discovery import package_name
from testgrade.engine import lint_source
from testgrade.fix import FixRefused, plan_fix

from conftest import lint_example

CONFIG = """[tool.testgrade]
select = ["TG2"]
[tool.testgrade.deprecated-imports]
"shared.logging" = "shared.logging.ssot"
"""


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "tests").mkdir()
    return root


def fix_bytes(data: bytes, relpath: str = "tests/test_a.py", config_text: str = CONFIG) -> bytes:
    """The engine's findings on `data`, then the planned fix (or `data` unchanged)."""
    import tomllib

    root = Path("/nonexistent-project-root")
    config = parse_settings(tomllib.loads(config_text)["tool"]["testgrade"], root=root, source=None)
    package = package_name(root, relpath)
    result = lint_source(data, relpath, config, package=package)
    planned = plan_fix(data, relpath, result.findings, package=package,
                       deprecated_imports=config.deprecated_imports)
    return data if planned is None else planned.fixed


# --- bytes outside the rewritten statement never change ---------------------------------


def test_a_form_feed_and_a_trailing_lone_cr_survive_a_fix():
    source = b"from . import x\n\x0c\ndef test_a():\n    pass\r"
    assert fix_bytes(source) == b"from tests import x\n\x0c\ndef test_a():\n    pass\r"


def test_only_the_import_changes_in_a_file_of_mixed_line_ends_and_tabs():
    source = b"import os\r\nfrom . import x  # keep\r\ny = (\r\n\t1)\rfrom shared.logging import y\n"
    assert fix_bytes(source) == (
        b"import os\r\nfrom tests import x  # keep\r\ny = (\r\n\t1)\r"
        b"from shared.logging.ssot import y\n"
    )


_NOISE = st.sampled_from(
    ["\x0c", "\r", "\r\n", "\n", "\t", " ", "# caf\xe9\n", "x = 1\n", "\x0c\n", "  \n",
     "def test_a():\n\tpass\n", "if x:\r\n    y = 2\r\n", '"""doc\r\n"""\n', "\\\n"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(_NOISE, max_size=6),
    after=st.lists(_NOISE, max_size=6),
    ending=st.sampled_from(["\n", "\r\n", "\r", ""]),
    header=st.sampled_from(["", "\ufeff", "# -*- coding: latin-1 -*-\n", "# coding: cp1252\r\n"]),
)
def test_fix_changes_no_byte_outside_the_rewritten_import(before, after, ending, header):
    """Generated sources with form feeds, lone CRs, tabs, a BOM, CRLF and non-UTF-8
    coding cookies: the fixed file is the original with exactly the import replaced,
    or (when libcst cannot reproduce the bytes) the file is refused, never damaged."""
    encoding = "utf-8" if not header.startswith("#") else ("latin-1" if "latin" in header else "cp1252")
    prefix = "".join(before)
    # the import must start a line for Python to accept it: after a line end
    if prefix and not prefix.endswith(("\n", "\r")):
        prefix += "\n"
    statement, replacement = "from . import x", "from tests import x"
    text = header + prefix + statement + ending + "".join(after)
    data = text.encode(encoding)  # a "\ufeff" header becomes the UTF-8 BOM
    try:
        fixed = fix_bytes(data)
    except FixRefused:
        return  # refused with a reason: the file is left as it was
    if fixed == data:
        return  # nothing to fix: the source did not parse, or the import is not a statement
    expected = data.replace(statement.encode(), replacement.encode(), 1)
    assert fixed == expected


def test_every_fixable_catalogue_example_is_fixed_once_and_for_all():
    """Idempotent: after one fix no fixable finding remains, so a second fix is a no-op."""
    checked = 0
    for spec in load_catalogue().values():
        if not spec.fixable:
            continue
        for example in spec.invalid:
            result = lint_example(example)
            fixable = [f for f in result.findings if f.fixable]
            if not fixable:
                continue
            root = Path("/nonexistent-project-root")
            config = parse_settings(example.config, root=root, source=None)
            package = package_name(root, example.path)
            data = example.code.lstrip("\n").encode()
            planned = plan_fix(data, example.path, result.findings, package=package,
                               deprecated_imports=config.deprecated_imports)
            assert planned is not None, (spec.id, example.code)
            again = lint_source(planned.fixed, example.path, config, package=package)
            assert [f for f in again.findings if f.fixable] == [], (spec.id, planned.fixed)
            assert plan_fix(planned.fixed, example.path, again.findings, package=package,
                            deprecated_imports=config.deprecated_imports) is None
            checked += 1
    assert checked >= 3


def test_a_replacement_under_the_old_path_is_not_flagged_and_fix_is_idempotent(cli, tree):
    target = tree / "tests" / "test_a.py"
    target.write_text("from shared.logging import get_logger\n")
    assert cli("check", tree, "--fix", "--no-cache").exit_code == 0
    assert target.read_text() == "from shared.logging.ssot import get_logger\n"
    assert cli("check", tree, "--fix", "--no-cache").exit_code == 0
    assert target.read_text() == "from shared.logging.ssot import get_logger\n"


# --- relative imports above the top-level package ----------------------------------------


def test_a_relative_import_above_the_top_level_package_is_not_fixable(cli, tree):
    for package in ("a", "a/b"):
        (tree / package).mkdir(exist_ok=True)
        (tree / package / "__init__.py").write_text("")
    target = tree / "a" / "b" / "test_x.py"
    target.write_text("from ...other import b\n")
    document = cli.json("check", tree, "--no-cache")
    (finding,) = document["findings"]
    assert finding["fixable"] is False
    assert "climbs above the top-level package `a`" in finding["message"]
    cli("check", tree, "--fix", "--no-cache")
    assert target.read_text() == "from ...other import b\n"


# --- the file's identity -----------------------------------------------------------------


def test_a_symlinked_file_stays_a_link_and_its_target_inside_the_root_is_fixed(cli, tree):
    real = tree / "shared_tests" / "test_real.py"
    real.parent.mkdir()
    (real.parent / "__init__.py").write_text("")
    real.write_text("from . import helpers\n")
    link = tree / "tests" / "test_link.py"
    link.symlink_to(real)
    cli("check", tree / "shared_tests", tree / "tests", "--fix", "--no-cache")
    assert link.is_symlink()
    assert real.read_text() == "from shared_tests import helpers\n"


def test_a_link_to_a_file_outside_the_root_is_not_written(cli, tree, tmp_path):
    outside = tmp_path / "elsewhere" / "test_out.py"
    outside.parent.mkdir()
    outside.write_text("from shared.logging import x\n")
    (tree / "tests" / "test_link.py").symlink_to(outside)
    result = cli("check", tree / "tests" / "test_link.py", "--fix", "--no-cache")
    assert outside.read_text() == "from shared.logging import x\n"
    assert (tree / "tests" / "test_link.py").is_symlink()
    assert "outside the project root" in result.stderr


def test_owner_group_and_mode_are_kept(cli, tree):
    target = tree / "tests" / "test_a.py"
    target.write_text("from . import x\n")
    os.chmod(target, 0o640)
    if os.geteuid() == 0:
        os.chown(target, 4321, 8765)
    before = target.stat()
    cli("check", tree, "--fix", "--no-cache")
    after = target.stat()
    assert target.read_text() == "from tests import x\n"
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)


def test_a_read_only_file_is_reported_not_written(cli, tree):
    target = tree / "tests" / "test_a.py"
    target.write_text("from . import x\n")
    os.chmod(target, 0o444)
    result = cli("check", tree, "--fix", "--no-cache")
    assert target.read_text() == "from . import x\n"
    assert "tests/test_a.py: not fixed: it is read-only; left unchanged" in result.stderr
    assert result.exit_code == 1


def test_hard_links_are_kept(cli, tree):
    target = tree / "tests" / "test_a.py"
    target.write_text("from . import x\n")
    twin = tree / "twin.txt"
    os.link(target, twin)
    inode = target.stat().st_ino
    cli("check", tree, "--fix", "--no-cache")
    assert target.stat().st_ino == inode and target.stat().st_nlink == 2
    assert twin.read_text() == target.read_text() == "from tests import x\n"


# --- the time budget ---------------------------------------------------------------------


def test_planning_a_fix_has_the_checking_time_budget(cli, tree, monkeypatch):
    (tree / "pyproject.toml").write_text(CONFIG + "[tool.testgrade.limits]\ntimeout = 1\n")
    target = tree / "tests" / "test_a.py"
    target.write_text("from . import x\n")
    (tree / "tests" / "test_b.py").write_text("from . import y\n")
    from testgrade import fix

    original = fix.plan_fix

    def slow_on_a(data, relpath, *args, **kwargs):
        if relpath == "tests/test_a.py":
            import time

            time.sleep(60)
        return original(data, relpath, *args, **kwargs)

    monkeypatch.setattr(fix, "plan_fix", slow_on_a)
    result = cli("check", tree, "--fix", "--no-cache")
    assert "tests/test_a.py: not fixed: planning took longer than 1 s (limits.timeout)" in result.stderr
    assert target.read_text() == "from . import x\n"
    assert (tree / "tests" / "test_b.py").read_text() == "from tests import y\n"


# --- --diff applies with git ---------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to apply the diff")
def test_diff_applies_with_git_for_crlf_and_latin_1_files(cli, tree, tmp_path):
    crlf = tree / "tests" / "test_crlf.py"
    crlf.write_bytes(b"import os\r\nfrom . import x\r\n\r\ndef f():\r\n    pass")
    latin = tree / "tests" / "test_latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\n# caf\xe9\nfrom . import y\n".encode("latin-1"))
    copy = tmp_path / "copy"
    shutil.copytree(tree, copy)
    result = cli("check", tree, "--diff", "--no-cache")
    assert result.exit_code == 1
    patch = tmp_path / "fix.patch"
    patch.write_bytes(result.stdout_bytes)
    applied = subprocess.run(["git", "apply", str(patch)], cwd=copy, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    cli("check", tree, "--fix", "--no-cache")
    for name in ("test_crlf.py", "test_latin.py"):
        assert (copy / "tests" / name).read_bytes() == (tree / "tests" / name).read_bytes()
    assert (tree / "tests" / "test_crlf.py").read_bytes() == (
        b"import os\r\nfrom tests import x\r\n\r\ndef f():\r\n    pass"
    )
