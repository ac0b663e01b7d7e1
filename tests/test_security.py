"""Security: the code under analysis is never imported or run, configuration is
data and never code, and every output shows hostile names and messages as text:
no rich markup, no ANSI or bidi control, no HTML, no Markdown structure, no
forged lines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import click
import pytest

from testgrade.ftypes import FileResult, Finding, Kind, Role, Severity
from testgrade.output import printable, render_text

# --- never imported, never executed ----------------------------------------------------


def booby_trapped_tree(root: Path, marker: Path) -> Path:
    """Files whose import or execution would leave a marker, exit, or never return."""
    trap = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    files = {
        "conftest.py": trap + "import sys\nsys.exit(3)\n",
        "tests/__init__.py": trap,
        "tests/conftest.py": trap + "def pytest_configure(config):\n    " + trap,
        "tests/test_exits.py": trap + "import sys\nsys.exit(4)\n\n\ndef test_a():\n    pass\n",
        "tests/test_os_exit.py": trap + "import os\nos._exit(5)\n",
        "tests/test_hangs.py": trap + "while True:\n    pass\n",
        "tests/test_raises.py": trap + "raise SystemExit('imported!')\n",
        "tests/json.py": trap + "dumps = None  # would shadow the standard library if imported\n",
        "tests/sitecustomize.py": trap,
        "tests/test_plugins.py": "pytest_plugins = ['tests.conftest']\n" + trap,
        "tests/test_dunder_import.py": "__import__('tests.test_exits')\n" + trap,
        "setup.py": trap,
    }
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    (root / "pyproject.toml").write_text("[tool.testgrade]\n")
    return root


@pytest.mark.parametrize("command", ["check", "audit"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_code_under_analysis_is_never_imported_or_executed(tmp_path, command, jobs):
    marker = tmp_path / "executed.txt"
    tree = booby_trapped_tree(tmp_path / "tree", marker)
    result = subprocess.run(
        [sys.executable, "-m", "testgrade", command, str(tree), "--format", "json", "-j", jobs],
        cwd=tree, capture_output=True, text=True, timeout=120, check=False,
    )
    assert not marker.exists(), marker.read_text()
    assert result.returncode in (0, 1), result.stderr
    files = json.loads(result.stdout)["files"]
    assert len(files) == 12  # every file was read as text, and nothing stopped the run


def test_configuration_is_data_not_code(tmp_path, cli):
    marker = tmp_path / "evaluated.txt"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    (tmp_path / "pyproject.toml").write_text(
        "[tool.testgrade]\n"
        f"exclude = [{json.dumps(payload)}]\n"
        f"integration-paths = [{json.dumps(payload)}]\n"
        f"per-file-ignores = {{ {json.dumps(payload)} = [\"TG301\"] }}\n"
        "[tool.testgrade.bvj]\n"
        f"fields = [{json.dumps(payload)}]\n"
        f"segments = [{json.dumps(payload)}]\n"
        "[tool.testgrade.size]\n"
        f"exceptions = {{ {json.dumps(payload)} = 10 }}\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(f'"""{payload}: x"""\n\n\ndef test_a():\n    pass\n')
    for command in ("check", "audit"):
        result = cli(command, tmp_path, "--no-cache")
        assert result.exit_code in (0, 1), result.output
    assert not marker.exists()


def test_a_config_file_holding_python_is_an_invalid_toml_error(tmp_path, cli):
    marker = tmp_path / "evaluated.txt"
    (tmp_path / "testgrade.toml").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("testgrade: error: ") and "invalid TOML" in line
    assert not marker.exists()


# --- outputs show what they embed as text --------------------------------------------

ESC = "\x1b"
# Comma-separated so each hostile piece is its own unknown segment (a parenthesis
# would be read as a description of the segment before it).
HOSTILE_SEGMENT = f"{ESC}[31m<script>alert, </script>[bold]b[/bold] | `x` \u202eevil"
HOSTILE_NAMES = [
    "tests/[red]x[/red].py",
    f"tests/test_{ESC}[31mevil.py",
    "tests/test_new\nline.py",  # could forge a finding line of its own
    "tests/test_<script>alert(1)</script>.py",
    "tests/test_pipe|x`y.py",
]


def hostile_tree(root: Path) -> Path:
    (root / "pyproject.toml").write_text("[tool.testgrade]\n")
    (root / "tests").mkdir()
    for relpath in HOSTILE_NAMES:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)  # "[red]x[" is a directory
        (root / relpath).write_text("from . import helpers\n\n\ndef test_a():\n    assert helpers\n")
    # The unknown BVJ segment is quoted in the TG302 message: attacker-chosen text.
    (root / "tests" / "test_message.py").write_text(
        '"""Business Value Justification (BVJ):\n'
        f"- Segment: {HOSTILE_SEGMENT}\n"
        "- Business Goal: g\n- Value Impact: v\n- Strategic Impact: s\n"
        '"""\n\n\ndef test_a():\n    assert True\n'
    )
    return root


@pytest.fixture
def hostile(tmp_path) -> Path:
    return hostile_tree(tmp_path)


def test_the_hostile_message_really_reaches_the_findings(cli, hostile):
    messages = [f["message"] for f in cli.json("check", hostile, "--no-cache")["findings"]]
    assert any(f"`{ESC}[31m<script>alert`" in m and "\u202eevil" in m for m in messages)


def test_check_text_shows_names_and_messages_as_themselves(cli, hostile):
    out = cli("check", hostile, "--no-cache").stdout
    assert ESC not in out and "\u202e" not in out
    assert "tests/[red]x[/red].py:1:1: TG201" in out  # rich markup stays text
    assert "tests/test_\\x1b[31mevil.py:1:1: TG201" in out
    assert "tests/test_new\\x0aline.py:1:1: TG201" in out
    assert "`\\x1b[31m<script>alert`" in out and "`</script>[bold]b[/bold]`" in out
    assert "\\u202eevil" in out
    finding_lines = [line for line in out.splitlines() if ": TG" in line]
    expected = cli.json("check", hostile, "--no-cache")["findings"]
    assert len(finding_lines) == len(expected) == 9
    assert all(line.startswith("tests/") for line in finding_lines)


def test_check_text_in_colour_still_shows_names_as_themselves():
    finding = Finding("tests/[red]x[/red].py", 1, 1, "TG201", f"a {ESC}[2J b", Severity.ERROR)
    result = FileResult(finding.path, Role.TEST, Kind.UNIT, 1, 0, 0, (finding,))
    out = render_text([result], color=True)
    assert "tests/[red]x[/red].py:1:1:" in out and "a \\x1b[2J b" in out
    rule_in_colour = click.style("TG201", fg="red", bold=True)
    assert ESC not in out.replace(rule_in_colour, "TG201")  # only testgrade's own colour


def test_printable_escapes_every_line_break_and_control():
    assert printable("a\nb\rc\x1bd\x85e\u2028f\u202eg\th") == (
        "a\\x0ab\\x0dc\\x1bd\\x85e\\u2028f\\u202eg\th"
    )


@pytest.mark.parametrize("output_format", ["text", "markdown", "html"])
def test_audit_reports_hold_no_raw_control_characters(cli, hostile, output_format):
    out = cli("audit", hostile, "--format", output_format, "--no-cache").stdout
    assert ESC not in out and "\u202e" not in out
    assert "test_new\nline" not in out


def test_audit_text_prints_rich_markup_literally(cli, hostile):
    out = cli("audit", hostile, "--no-cache").stdout
    assert "tests/[red]x[/red].py" in out


def test_audit_html_escapes_names_and_messages(cli, hostile):
    page = cli("audit", hostile, "--format", "html", "--no-cache").stdout
    assert "<script>alert(1)" not in page
    assert "test_&lt;script&gt;alert(1)&lt;/script&gt;.py" in page


def test_audit_markdown_keeps_its_table_structure(cli, hostile):
    document = cli("audit", hostile, "--format", "markdown", "--no-cache").stdout
    # Paths are code spans (their content is never markup); nothing outside one may be.
    prose = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", document)
    assert "<script>" not in prose and "pipe|x" not in prose and "[red]" not in prose
    assert "`` tests/test_pipe|x`y.py ``" in document
    tables: list[list[str]] = [[]]
    for line in document.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert tables
    for table in tables:  # an unescaped pipe in a name would add a cell to its row
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in table}) == 1, table


def test_junit_is_well_formed_xml_whatever_the_names(cli, hostile):
    document = cli("check", hostile, "--format", "junit", "--no-cache").stdout
    root = ElementTree.fromstring(document.encode())
    assert ESC not in document
    names = {suite.get("name") for suite in root.iter("testsuite")}
    assert "tests/[red]x[/red].py" in names


def test_github_annotations_cannot_be_forged_by_a_name_or_message(cli, hostile):
    out = cli("check", hostile, "--format", "github", "--no-cache").stdout
    lines = out.splitlines()
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert len(lines) == len(cli.json("check", hostile, "--no-cache")["findings"])


def test_sarif_is_json_with_the_exact_names(cli, hostile):
    from urllib.parse import unquote

    document = json.loads(cli("check", hostile, "--format", "sarif", "--no-cache").stdout)
    uris = unquote(json.dumps(document))  # URIs are percent-encoded, names otherwise exact
    assert "[red]x[/red].py" in uris
