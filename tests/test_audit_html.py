"""The HTML report in a real headless browser, at desktop and phone width.

One page build per tree; at each width one Chromium run executes a probe script
(allowed by the page's own CSP, like the page's script) that measures the
layout and drives the page as a reader would: follows every table-of-contents
link, filters the file table, opens a file's findings, sorts by a column. The
probe writes what it saw into `<body data-probe=...>` and the test compares it
with `testgrade audit --format json` of the same tree.

CI installs Debian's chromium (`.ci/run`); a missing browser is a failure here,
not a skip, so that this check cannot silently stop running.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from audit_trees import separate_stderr_cli
from conftest import DEMO, Cli
from test_audit import hostile_tree

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1400, 390)

PROBE = """<script>
(function () {
  var out = {errors: []};
  try {
    var root = document.documentElement;
    out.viewport = window.innerWidth;
    out.pageWidth = root.scrollWidth;
    // Every section and whether the table of contents reaches it.
    out.sections = Array.prototype.map.call(document.querySelectorAll("main > section"),
      function (s) { return s.id; });
    out.toc = [];
    Array.prototype.forEach.call(document.querySelectorAll("nav.toc a"), function (a) {
      var id = a.getAttribute("href").slice(1);
      var target = document.getElementById(id);
      a.click();
      var top = target ? target.getBoundingClientRect().top : null;
      out.toc.push({id: id, found: !!target, top: top, hash: location.hash,
                    visible: target !== null && top < window.innerHeight && top > -5,
                    atBottom: window.innerHeight + window.scrollY >= root.scrollHeight - 2});
    });
    var nav = document.querySelector("nav.toc").getBoundingClientRect();
    out.tocStuck = nav.top <= 1 && nav.bottom > 0;  // still on screen after scrolling down
    // Filter the file table by a rule, then by kind; open a file's findings.
    var files = document.getElementById("files");
    function visible() {
      return Array.prototype.filter.call(files.tBodies, function (b) { return !b.hidden; })
        .map(function (b) { return b.getAttribute("data-path"); });
    }
    var filter = document.getElementById("filter");
    filter.value = "TG101";
    filter.dispatchEvent(new Event("input"));
    out.filteredByRule = visible();
    out.shownText = document.getElementById("shown").textContent;
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    var kind = document.getElementById("filter-kind");
    kind.value = "e2e";
    kind.dispatchEvent(new Event("change"));
    out.filteredByKind = visible();
    kind.value = "";
    kind.dispatchEvent(new Event("change"));
    out.unfiltered = visible().length;
    var button = files.querySelector("button.drill");
    if (button) {
      var row = document.getElementById(button.getAttribute("aria-controls"));
      out.drillHiddenBefore = row.hidden;
      button.click();
      out.drillHiddenAfter = row.hidden;
      out.drillPath = button.closest("tbody").getAttribute("data-path");
      out.drill = Array.prototype.map.call(row.querySelectorAll("li"), function (li) {
        return [parseInt(li.getAttribute("data-line"), 10), li.getAttribute("data-rule"),
                li.textContent];
      });
      out.pageWidthOpen = root.scrollWidth;
    }
    // Sort by Lines: the file bodies (with their findings rows) follow.
    files.querySelectorAll("th")[3].click();
    out.sortedLines = Array.prototype.map.call(files.tBodies, function (b) {
      return parseInt(b.rows[0].cells[3].getAttribute("data-value"), 10);
    });
  } catch (e) {
    out.errors.push(String(e));
  }
  document.body.setAttribute("data-probe", JSON.stringify(out));
})();
</script></body>"""


@pytest.fixture(scope="module")
def cli() -> Cli:
    return separate_stderr_cli()


def render_in_browser(page: Path, profile: Path, width: int = 1400) -> tuple[str, str]:
    """(the DOM after scripts ran, the browser's log) for a local HTML file."""
    browser = shutil.which("chromium") or CHROMIUM
    assert Path(browser).exists(), "chromium is required: apt-get install -y chromium"
    completed = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions",
            "--hide-scrollbars", f"--window-size={width},900",
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


def _probe(dom: str) -> dict[str, Any]:
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found is not None, "the probe did not run"
    return json.loads(html.unescape(found[1]))


@pytest.fixture(scope="module")
def demo_build(cli, tmp_path_factory) -> tuple[dict[str, Any], Path]:
    """The demo's audit JSON and its HTML page with the probe, built once."""
    out = tmp_path_factory.mktemp("html")
    page = out / "report.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(DEMO)
        document = cli.json("audit")
        assert cli("audit", "--format", "html", "-o", page).exit_code == 0
    page.write_text(page.read_text().replace("</body>", PROBE))
    return document, page


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def demo_page(request, demo_build, tmp_path_factory) -> tuple[dict[str, Any], str, dict]:
    document, page = demo_build
    dom, log = render_in_browser(page, tmp_path_factory.mktemp("profile"), request.param)
    assert _console_messages(log) == []
    return document, dom, _probe(dom)


def test_the_page_loads_its_script_and_shows_the_json_numbers(demo_page):
    document, dom, probe = demo_page
    assert probe["errors"] == []
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-ready="1"' in body[0], "the page script did not finish"
    assert "data-js-error" not in body[0]
    score = f"{document['score']:.1f}"
    assert re.search(rf'id="score" data-score="{re.escape(score)}"', dom)
    assert f'id="grade"' in dom and f">{document['grade']}</div>" in dom
    bars = re.findall(r'class="bar" data-category="([\w-]+)" data-score="([\d.]+)"', dom)
    assert bars == [
        (c["id"], f"{c['score']:.1f}") for c in document["categories"] if c["score"] is not None
    ]
    areas = re.findall(r'class="bar" data-area="([^"]+)" data-score="([\d.]+)"', dom)
    assert areas == [(a["name"], f"{a['score']:.1f}") for a in document["areas"]]
    rules = re.findall(r'class="bar" data-rule="(TG\d+)" data-findings="(\d+)"', dom)
    assert rules == [(r, str(n)) for r, n in document["summary"]["by_rule"].items()]
    assert dom.count('<tbody class="file"') == len(document["files"])
    assert probe["unfiltered"] == len(document["files"])


def test_no_horizontal_scroll_and_a_sticky_toc_reaching_every_section(demo_page):
    _, _, probe = demo_page
    assert probe["pageWidth"] <= probe["viewport"], probe
    assert probe["pageWidthOpen"] <= probe["viewport"], "an open drill-down widened the page"
    linked = [entry["id"] for entry in probe["toc"]]
    assert linked == probe["sections"]
    for entry in probe["toc"]:
        assert entry["found"] and entry["hash"] == f"#{entry['id']}", entry
        # A section is on screen after its link is followed (the last ones may sit
        # below a page bottom that cannot scroll further).
        assert entry["visible"] or entry["atBottom"], entry
    assert probe["tocStuck"], "the table of contents scrolled away"


def test_the_file_filter_and_drill_down_show_what_the_json_says(demo_page):
    document, _, probe = demo_page
    files = document["files"]
    with_mocks = [f["path"] for f in files if any(x["rule"] == "TG101" for x in f["findings"])]
    assert with_mocks and sorted(probe["filteredByRule"]) == sorted(with_mocks)
    assert probe["shownText"] == f"{len(with_mocks)} of {len(files)} files shown"
    e2e = [f["path"] for f in files if f["kind"] == "e2e"]
    assert e2e and sorted(probe["filteredByKind"]) == sorted(e2e)
    assert probe["drillHiddenBefore"] is True and probe["drillHiddenAfter"] is False
    opened = next(f for f in files if f["path"] == probe["drillPath"])
    assert [(line, rule) for line, rule, _ in probe["drill"]] == [
        (x["line"], x["rule"]) for x in opened["findings"]
    ]
    for (_, _, text), finding in zip(probe["drill"], opened["findings"]):
        assert finding["message"] in text
    assert probe["sortedLines"] == sorted(f["lines"] for f in files)


def test_hostile_names_stay_text_in_the_browser(cli, tmp_path):
    hostile_tree(tmp_path / "tree")
    page = tmp_path / "report.html"
    assert cli("audit", tmp_path / "tree", "--format", "html", "-o", page).exit_code == 0
    dom, log = render_in_browser(page, tmp_path / "profile", 390)
    assert _console_messages(log) == []
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and 'data-ready="1"' in body[0]
    assert "<img" not in dom
    assert dom.count("<script") == 1


def test_no_absolute_machine_path_in_any_report(cli, tmp_path):
    hostile_tree(tmp_path / "tree")
    (tmp_path / "tree" / "pyproject.toml").write_text("[tool.testgrade]\n")
    for fmt in ("text", "markdown", "json", "html"):
        result = cli("audit", tmp_path / "tree", "--format", fmt)
        assert result.exit_code == 0
        assert str(tmp_path) not in result.stdout, fmt
    summary = cli.json("audit", tmp_path / "tree")["summary"]
    assert summary["standards"]["Configuration"] == "pyproject.toml"
    assert summary["root"] == "tree"
