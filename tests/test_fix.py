"""`check --fix` rewrites only what is safe, re-parses it, and writes atomically."""

from __future__ import annotations

import pytest

from testgrade import fileio
from testgrade.fix import plan_fix  # noqa: F401 - the subprocess script imports it too

from test_cli import write

CONFIG = """[tool.testgrade]
select = ["TG2"]
[tool.testgrade.deprecated-imports]
"shared.logging.unified_logger_factory" = "shared.logging.unified_logging_ssot"
"""


@pytest.fixture
def tree(tmp_path):
    write(tmp_path / "pyproject.toml", CONFIG)
    return tmp_path


def test_fix_rewrites_relative_and_deprecated_imports_and_reports_the_rest(cli, tree):
    target = write(tree / "svc/tests/test_a.py", (
        "from .helpers import make_order  # keeps its comment\n"
        "from ..conftest import (\n    real_db,\n)\n"
        "from shared.logging.unified_logger_factory import get_logger\n"
        "from shared.logging import unified_logger_factory\n"
        "import shared.logging.unified_logger_factory\n"
    ))
    result = cli("check", tree, "--fix")
    assert target.read_text() == (
        "from svc.tests.helpers import make_order  # keeps its comment\n"
        "from svc.conftest import (\n    real_db,\n)\n"
        "from shared.logging.unified_logging_ssot import get_logger\n"
        "from shared.logging import unified_logging_ssot as unified_logger_factory\n"
        "import shared.logging.unified_logger_factory\n"
    )
    assert "Fixed 4 findings in 1 file." in result.stderr
    # `import a.b.c` binds `a`: renaming it would break every use, so it stays reported
    assert "svc/tests/test_a.py:7:8: TG202" in result.stdout
    assert result.exit_code == 1


def test_unfixable_findings_say_so_in_json(cli, tree):
    write(tree / "test_b.py", "import shared.logging.unified_logger_factory\nfrom .... import x\n")
    findings = cli.json("check", tree)["findings"]
    assert [(f["rule"], f["fixable"]) for f in findings] == [("TG202", False), ("TG201", False)]


def test_diff_shows_the_fix_and_changes_nothing(cli, tree):
    target = write(tree / "tests/test_c.py", "from . import helpers\n")
    result = cli("check", tree, "--diff")
    assert result.exit_code == 1
    assert "-from . import helpers\n+from tests import helpers\n" in result.stdout
    assert target.read_text() == "from . import helpers\n"


def test_diff_with_nothing_to_fix_exits_zero(cli, tree):
    write(tree / "tests/test_d.py", "import os\n")
    result = cli("check", tree, "--diff")
    assert (result.exit_code, result.stdout) == (0, "")


def test_fix_and_diff_together_is_a_usage_error(cli, tree):
    assert cli("check", tree, "--fix", "--diff").exit_code == 2


def test_suppressed_findings_are_not_fixed(cli, tree):
    target = write(tree / "tests/test_e.py", "from . import x  # testgrade: ignore[TG201] plugin layout\n")
    cli("check", tree, "--fix")
    assert target.read_text().startswith("from . import x")


def test_encoding_and_bom_survive_a_fix(cli, tree):
    latin = write(tree / "tests/test_latin.py", "")
    latin.write_bytes("# -*- coding: latin-1 -*-\n# caf\xe9\nfrom . import x\n".encode("latin-1"))
    bom = write(tree / "tests/test_bom.py", "")
    bom.write_bytes(b"\xef\xbb\xbffrom . import y\r\n")
    assert cli("check", tree, "--fix").exit_code == 0
    assert latin.read_bytes() == "# -*- coding: latin-1 -*-\n# caf\xe9\nfrom tests import x\n".encode("latin-1")
    assert bom.read_bytes() == b"\xef\xbb\xbffrom tests import y\r\n"


def test_a_file_changed_since_the_check_is_left_alone(cli, tree, monkeypatch):
    """Edited between the check and the fix (here: a suppression added): the fix is
    planned from the checked bytes only, so the edited file is reported, not rewritten."""
    from testgrade import fix

    target = write(tree / "tests/test_f.py", "from . import x\n")
    edited = "from . import x  # testgrade: ignore[TG201] vendored\n"
    original_plan = fix.plan_fixes

    def edit_then_plan(*args, **kwargs):
        target.write_text(edited)
        return original_plan(*args, **kwargs)

    monkeypatch.setattr(fix, "plan_fixes", edit_then_plan)
    result = cli("check", tree, "--fix", "--no-cache")
    assert target.read_text() == edited
    assert "tests/test_f.py: not fixed: changed since it was checked" in result.stderr


def test_a_failing_write_keeps_the_file_and_says_so(cli, tree, monkeypatch):
    target = write(tree / "tests/test_g.py", "from . import x\n")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", disk_full)
    result = cli("check", tree, "--fix")
    assert target.read_text() == "from . import x\n"
    assert "could not write tests/test_g.py: No space left on device; left unchanged" in result.stderr
    assert result.exit_code == 1
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_turned_pathological_before_the_fix_is_left_alone(tmp_path):
    """Checked clean, then rewritten with 2,000-deep parentheses: planning the fix
    must refuse it, not hand it to libcst (which would segfault). In a subprocess,
    so a regression fails this test instead of killing the test run."""
    import subprocess
    import sys
    import textwrap

    target = write(tmp_path / "tests/test_h.py", "(" * 2000 + ")" * 2000 + "\n")
    script = textwrap.dedent(f"""
        from pathlib import Path
        from testgrade.fix import FixRefused, plan_fix
        from testgrade.ftypes import Finding, Severity
        finding = Finding("tests/test_h.py", 1, 1, "TG201", "m", Severity.ERROR, True)
        try:
            plan_fix(Path({str(target)!r}).read_bytes(), "tests/test_h.py", [finding],
                     package="tests", deprecated_imports={{}})
        except FixRefused as exc:
            print("refused:", exc)
    """)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("refused: Too deeply nested"), completed.stdout
