"""How the audit reads: terminal width and colour, paths never split, Markdown as a
pull-request comment, and trends (--compare with findings, --history)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from audit_trees import BVJ, separate_stderr_cli, write_services_tree
from conftest import DEMO, Cli

LONG = ("netra_backend/tests/integration/websocket_agent_events/subsystem_with_a_long_name/"
        "test_agent_started_events_with_a_long_name.py")


@pytest.fixture
def cli() -> Cli:
    return separate_stderr_cli()


def _write(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _long_path_tree(root: Path) -> None:
    _write(root, "pyproject.toml", "[tool.testgrade]\n")
    _write(root, LONG, BVJ + "from unittest.mock import patch\n\n\ndef test_x():\n"
           "    assert patch\n")
    _write(root, "auth/tests/unit/test_ok.py", BVJ + "\n\ndef test_ok():\n    assert 1\n")


@pytest.mark.parametrize("columns", [60, 100, 160])
def test_the_terminal_report_follows_columns_when_piped_and_never_splits_a_name(
    cli, tmp_path, monkeypatch, columns
):
    _long_path_tree(tmp_path)
    monkeypatch.setenv("COLUMNS", str(columns))
    text = cli("audit", tmp_path).stdout
    name = LONG.rsplit("/", 1)[1]
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines if "$ testgrade" not in line) <= columns
    # The file's name is whole on one line wherever it is shown, never broken in two.
    assert any(name in line for line in lines)
    for line in lines:
        for cut in range(8, len(name) - 8):
            assert not line.rstrip().endswith(name[:cut]), (cut, line)
    # Commands stay whole for copy and paste.
    assert any(line.strip().startswith("$ testgrade check --select TG101") for line in lines)


def test_the_terminal_report_has_one_grade_line_and_every_column_headed(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    monkeypatch.setenv("COLUMNS", "200")
    document = cli.json("audit")
    text = cli("audit").stdout
    head = f"{document['grade']} ({document['score']:.1f}/100)"
    assert text.count(head) == 1
    assert "Overall grade" not in text
    # Every column of every table has a heading (on one of its heading lines).
    tables = re.split(r"\n(?=\S[^\n]*\n┏)", text)
    for table in tables:
        rows = re.findall(r"^┃(.*)┃$", table, re.MULTILINE)
        if not rows:
            continue
        columns = len(rows[0].split("┃"))
        filled = [False] * columns
        for row in rows:
            for n, cell in enumerate(row.split("┃")):
                filled[n] = filled[n] or bool(cell.strip())
        assert all(filled), table.splitlines()[0]


def test_no_color_is_honoured_and_a_pipe_gets_no_escape_codes(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    from testgrade import cli as cli_module

    assert not cli_module.use_color("auto", True)  # the one colour rule check also uses
    assert "\x1b[" not in cli("audit").stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert cli_module.use_color("auto", True)


def test_markdown_paths_are_code_and_the_summary_fits_a_comment(cli, tmp_path):
    # Enough files that the full report is far longer than a comment may be.
    _write(tmp_path, "pyproject.toml", "[tool.testgrade]\n")
    for service in range(30):
        for n in range(30):
            _write(tmp_path, f"service_{service:02d}/tests/integration/test_{'x' * 40}_{n}.py",
                   "from unittest.mock import patch\nfrom . import helpers\n\n\n"
                   "def test_x():\n    assert patch\n")
    full = cli("audit", tmp_path, "--format", "markdown").stdout
    summary = cli("audit", tmp_path, "--format", "markdown", "--summary").stdout
    assert len(full) > 65_000
    assert 0 < len(summary) < 65_000
    document = cli.json("audit", tmp_path)
    assert f"**{document['grade']} ({document['score']:.1f}/100): " in summary
    assert "### What to do first" in summary and "Acceptance checklist" in summary
    # Paths are code, never bold.
    path = document["files"][0]["path"]
    assert f"`{path}`" in full and f"**{path}**" not in full
    assert "\u2026 and " in full and " mores" not in full
    bad = cli("audit", tmp_path, "--summary")
    assert bad.exit_code == 2 and bad.stderr.startswith("testgrade: error: --summary")


def _audit_json(cli: Cli, root: Path, target: Path) -> dict[str, Any]:
    target.write_text(cli("audit", root, "--format", "json").stdout)
    return json.loads(target.read_text())


def test_compare_shows_findings_deltas_where_the_score_cannot_move(cli, tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    write_services_tree(root, 2)
    mocked = root / "auth_service/tests/integration/test_more_mocks.py"
    _write(root, "auth_service/tests/integration/test_more_mocks.py",
           BVJ + "from unittest.mock import patch\n\n\ndef test_x():\n    assert patch\n")
    before = _audit_json(cli, root, tmp_path / "before.json")
    # More mocks in a file that already had mocks: the score cannot move, the count does.
    mocked.write_text(mocked.read_text() + "from unittest.mock import MagicMock, AsyncMock\n")
    after = cli.json("audit", root, "--compare", tmp_path / "before.json")
    comparison = after["summary"]["comparison"]
    real = comparison["categories"]["real-services"]
    assert real["score_delta"] == 0.0 and real["findings_delta"] == 2
    area = comparison["areas"]["auth_service"]
    assert area["score_delta"] == 0.0 and area["findings_delta"] == 2
    assert comparison["findings"]["findings_delta"] == 2
    assert after["summary"]["findings"] - before["summary"]["findings"] == 2
    for fmt in ("text", "markdown", "html"):
        output = cli("audit", root, "--compare", tmp_path / "before.json", "--format", fmt)
        assert "+2" in output.stdout, fmt


def test_history_charts_the_score_per_category_over_time(cli, tmp_path):
    root = tmp_path / "tree"
    history = tmp_path / "history"
    history.mkdir()
    root.mkdir()
    write_services_tree(root, 1)
    dates = ["2026-01-01", "2026-02-01"]
    for date in dates:
        document = json.loads(cli("audit", root, "--format", "json").stdout)
        document["summary"]["date"] = date
        (history / f"audit-{date}.json").write_text(json.dumps(document))
        shutil.rmtree(root / "search_service")  # the tree changes between audits
        write_services_tree(root, 3)
    current = cli.json("audit", root, "--history", history)
    points = current["summary"]["history"]
    assert [p["label"] for p in points[:2]] == dates
    assert points[-1]["score"] == current["score"]
    page = cli("audit", root, "--history", history, "--format", "html").stdout
    lines = re.findall(r'<polyline class="series" data-series="([^"]+)"[^>]*points="([^"]+)"',
                       page)
    assert [name for name, _ in lines][0] == "Overall"
    assert len(lines) == 1 + len(current["categories"])
    assert all(len(coordinates.split()) == 3 for _, coordinates in lines)
    assert 'href="#history"' in page
    text = cli("audit", root, "--history", history).stdout
    assert "Score over time" in text and dates[0] in text
    bad = cli("audit", root, "--history", tmp_path / "missing")
    assert bad.exit_code == 2 and bad.stderr.startswith("testgrade: error: --history")
