"""The HTML report in a real headless browser: it loads without errors or network
requests, its script runs, and the score and the chart are in the rendered page.

CI installs Debian's chromium (`.ci/run`); a missing browser is a failure here,
not a skip, so that this check cannot silently stop running.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from audit_trees import separate_stderr_cli
from conftest import DEMO, Cli
from test_audit import hostile_tree

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def cli() -> Cli:
    return separate_stderr_cli()


def render_in_browser(page: Path, profile: Path) -> tuple[str, str]:
    """(the DOM after scripts ran, the browser's log) for a local HTML file."""
    browser = shutil.which("chromium") or CHROMIUM
    assert Path(browser).exists(), "chromium is required: apt-get install -y chromium"
    completed = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout, completed.stderr


def _console_messages(log: str) -> list[str]:
    # Page errors, CSP violations and console.* calls all appear as CONSOLE lines.
    return [line for line in log.splitlines() if ":CONSOLE" in line]


@pytest.mark.parametrize("tree", ["demo", "hostile"])
def test_html_report_renders_in_a_headless_browser(cli, tmp_path, monkeypatch, tree):
    if tree == "demo":
        monkeypatch.chdir(DEMO)
        args: list[object] = []
    else:
        hostile_tree(tmp_path / "tree")
        args = [tmp_path / "tree"]
    document = cli.json("audit", *args)
    page = tmp_path / "report.html"
    result = cli("audit", *args, "--format", "html", "-o", page)
    assert result.exit_code == 0, result.output

    dom, log = render_in_browser(page, tmp_path / "profile")
    assert _console_messages(log) == []
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-ready="1"' in body[0], "the page script did not finish"
    assert "data-js-error" not in body[0]
    score = f"{document['score']:.1f}"
    assert re.search(rf'id="score" data-score="{re.escape(score)}"', dom)
    assert f"{score}/100" in dom
    assert f'id="grade">{document["grade"]}<' in dom
    assert '<svg id="chart"' in dom
    bars = re.findall(r'class="bar" data-category="([\w-]+)" data-score="([\d.]+)"', dom)
    assert bars == [
        (c["id"], f"{c['score']:.1f}") for c in document["categories"] if c["score"] is not None
    ]
    rows = re.search(r'<table id="files">.*?</table>', dom, re.DOTALL)
    assert rows is not None and rows[0].count("<tr>") == len(document["files"]) + 1
    # Hostile file names stay text: no element was injected.
    assert "<img" not in dom
    assert dom.count("<script") == 1


def test_clicking_a_column_heading_sorts_the_files_table(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(DEMO)
    document = cli.json("audit")
    page = tmp_path / "report.html"
    assert cli("audit", "--format", "html", "-o", page).exit_code == 0
    # A second inline script (allowed by the page's CSP) clicks "Lines" once and
    # records the order the page's own sorter produced.
    probe = """<script>
    document.querySelectorAll("#files th")[3].click();
    var lines = Array.prototype.map.call(document.querySelectorAll("#files tbody tr"),
      function (row) { return row.cells[3].getAttribute("data-value"); });
    document.body.setAttribute("data-sorted-lines", lines.join(","));
    </script></body>"""
    page.write_text(page.read_text().replace("</body>", probe))
    dom, log = render_in_browser(page, tmp_path / "profile")
    assert _console_messages(log) == []
    shown = re.search(r'data-sorted-lines="([\d,]*)"', dom)
    assert shown is not None
    assert shown[1] == ",".join(str(n) for n in sorted(f["lines"] for f in document["files"]))
