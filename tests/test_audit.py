"""`testgrade audit`: scores equal the formula over `check`'s findings, formats agree,
and no sentence contradicts the data."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from audit_trees import (
    BVJ,
    CATEGORY_ORDER,
    RULE_CATEGORY,
    expected_scores,
    facts,
    separate_stderr_cli,
    write_tree,
)
from conftest import DEMO, Cli

EPOCH = "1767225600"  # 2026-01-01, so every format of one run carries the same date


@pytest.fixture
def cli() -> Cli:
    return separate_stderr_cli()


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def audit_json(cli, *args: Any) -> dict[str, Any]:
    return cli.json("audit", *args)


def audit_text(cli, *args: Any, fmt: str = "text") -> str:
    result = cli("audit", *args, "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


def write(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --- the scores are the formula applied to check's findings -----------------------


@pytest.mark.parametrize("seed", range(12))
def test_generated_tree_scores_equal_the_formula_over_check_findings(cli, tmp_path, seed):
    files = write_tree(tmp_path, seed)
    check = cli.json("check", tmp_path)
    audit = audit_json(cli, tmp_path)
    categories, overall = expected_scores(check, files)
    assert {c["id"]: c["score"] for c in audit["categories"]} == categories
    assert audit["score"] == overall
    assert sorted(f["path"] for f in audit["files"]) == sorted(files)
    # The audit reports exactly check's findings, no more, no fewer.
    in_audit = sorted(json.dumps(x, sort_keys=True) for f in audit["files"] for x in f["findings"])
    assert in_audit == sorted(json.dumps(x, sort_keys=True) for x in check["findings"])


def test_demo_tree_scores_equal_the_formula_over_check_findings(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    check = cli.json("check")
    audit = audit_json(cli)
    # Classification is the engine's job, not scoring's: take kinds from the audit,
    # but make sure it lists every file check saw.
    files = {f["path"]: facts(f) for f in audit["files"]}
    assert len(files) == check["summary"]["files"]
    assert {f["path"] for f in check["findings"]} <= set(files)
    categories, overall = expected_scores(check, files)
    assert {c["id"]: c["score"] for c in audit["categories"]} == categories
    assert audit["score"] == overall
    assert audit["summary"]["findings"] == check["summary"]["findings"]
    # The demo has mocks in integration tests: the real-services category must show it.
    assert categories["real-services"] is not None and categories["real-services"] < 100


def test_select_and_ignore_reach_the_scores(cli, tmp_path):
    files = write_tree(tmp_path, 3)
    check = cli.json("check", tmp_path, "--ignore", "TG3,TG101")
    audit = audit_json(cli, tmp_path, "--ignore", "TG3,TG101")
    checked = ["imports", "size", "integrity"]
    categories, overall = expected_scores(check, files, categories=checked)
    assert {c["id"]: c["score"] for c in audit["categories"]} == categories
    assert audit["score"] == overall
    assert audit["summary"]["mock_free_integration_files"] is None


def test_configured_weights_are_used(cli, tmp_path):
    files = write_tree(tmp_path, 5)
    weights = {"real-services": 1, "imports": 4, "documentation": 0, "size": 2, "integrity": 1}
    with (tmp_path / "pyproject.toml").open("a") as handle:
        handle.write("[tool.testgrade.scoring]\nweights = { " + ", ".join(
            f'"{c}" = {w}' for c, w in weights.items()) + " }\n")
    check = cli.json("check", tmp_path)
    audit = audit_json(cli, tmp_path)
    assert audit["score"] == expected_scores(check, files, weights=weights)[1]


# --- clean trees, empty categories, no contradictions ----------------------------


def _clean_tree(root: Path) -> None:
    for tier in ("unit", "integration", "e2e"):
        write(root, f"tests/{tier}/test_{tier}.py", BVJ + "\n\ndef test_ok():\n    assert True\n")


def test_a_clean_tree_scores_100_a_plus(cli, tmp_path):
    _clean_tree(tmp_path)
    audit = audit_json(cli, tmp_path)
    assert (audit["score"], audit["grade"]) == (100.0, "A+")
    assert [c["score"] for c in audit["categories"]] == [100.0] * 5
    assert audit["summary"]["improvements"] == []
    assert all(item["done"] for item in audit["summary"]["checklist"])
    text = audit_text(cli, tmp_path)
    assert "A+" in text and "100.0/100" in text


def test_an_empty_tree_has_no_score_and_ticks_nothing(cli, tmp_path):
    audit = audit_json(cli, tmp_path)
    assert (audit["score"], audit["grade"]) == (None, "n/a")
    assert all(c["score"] is None for c in audit["categories"])
    assert all(item["done"] is None for item in audit["summary"]["checklist"])
    result = cli("audit", tmp_path, "--fail-under", "0")
    assert result.exit_code == 1  # no score cannot meet any bar
    assert "score n/a does not meet --fail-under 0" in result.stderr


def _mock_tree(root: Path) -> None:
    _clean_tree(root)
    write(root, "tests/integration/test_mocked.py",
          BVJ + "from unittest.mock import patch\n\n\ndef test_x():\n    assert patch\n")
    write(root, "tests/e2e/test_mocked_e2e.py",
          BVJ + "from unittest import mock\n\n\ndef test_y():\n    assert mock\n")


def test_mocks_in_integration_tests_are_never_called_mock_free_or_perfect(cli, tmp_path):
    _mock_tree(tmp_path)
    check = cli.json("check", tmp_path)
    mock_files = len({f["path"] for f in check["findings"] if f["rule"] == "TG101"})
    assert mock_files == 2
    audit = audit_json(cli, tmp_path)
    summary = audit["summary"]
    real = next(c for c in audit["categories"] if c["id"] == "real-services")
    assert real["score"] == 50.0 and real["failing_files"] == 2
    assert summary["mock_free_integration_files"] == 2
    assert summary["mock_free_share"] == 50.0
    assert not any(s.startswith("Real services") for s in summary["strengths"])
    item = next(i for i in summary["checklist"] if "mocks" in i["item"])
    assert item["done"] is False and item["current"] == "currently 2 files with mocks"
    for fmt in ("text", "markdown", "html", "json"):
        output = audit_text(cli, tmp_path, fmt=fmt)
        assert "perfect" not in output.lower()
        assert "mock-free" not in output.lower().replace("mock_free", "")
    markdown = audit_text(cli, tmp_path, fmt="markdown")
    assert "- [ ] Zero mocks in integration and e2e tests: currently 2 files with mocks" \
        in markdown
    assert "[x] Zero mocks" not in markdown


def test_a_category_with_nothing_to_score_is_na_not_100(cli, tmp_path):
    write(tmp_path, "tests/unit/test_a.py", BVJ + "\n\ndef test_ok():\n    assert True\n")
    audit = audit_json(cli, tmp_path)
    real = next(c for c in audit["categories"] if c["id"] == "real-services")
    assert (real["score"], real["grade"], real["applicable_files"]) == (None, "n/a", 0)
    summary = audit["summary"]
    assert not any(s.startswith("Real services") for s in summary["strengths"])
    assert any(s.startswith("Real services") for s in summary["not_assessed"])
    assert next(i for i in summary["checklist"] if "mocks" in i["item"])["done"] is None
    markdown = audit_text(cli, tmp_path, fmt="markdown")
    assert re.search(r"^\| Real services \(no mocks\) \| n/a \| n/a \|", markdown, re.MULTILINE)
    assert "(n/a) Zero mocks" in markdown
    assert "Real services (no mocks) | 100" not in markdown


def test_ignoring_the_mock_rule_claims_nothing_about_mocks(cli, tmp_path):
    _mock_tree(tmp_path)
    audit = audit_json(cli, tmp_path, "--ignore", "TG101")
    real = next(c for c in audit["categories"] if c["id"] == "real-services")
    assert real["score"] is None and "not checked" in real["detail"]
    assert not any("mocks" in i["item"] for i in audit["summary"]["checklist"])
    markdown = audit_text(cli, tmp_path, "--ignore", "TG101", fmt="markdown")
    assert "not measured (TG101 not selected)" in markdown


def test_strengths_and_improvements_split_at_90_with_counts(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    audit = audit_json(cli)
    summary = audit["summary"]
    unparsable = any(x["rule"] == "TG000" for f in audit["files"] for x in f["findings"])
    assert unparsable, "the demo has a merge-conflict marker: integrity must not be a strength"
    for category in audit["categories"]:
        lines = [s for s in summary["strengths"] + summary["improvements"]
                 if s.startswith(category["name"] + ":")]
        if category["score"] is None:
            assert lines == []
            continue
        (line,) = lines
        strength = category["score"] >= 90 and category["failing_files"] < 100 and not (
            category["id"] == "integrity" and unparsable)
        assert (line in summary["strengths"]) == strength
        assert f"{category['score']:.1f}" in line
        if category["failing_files"]:
            assert f" of {category['applicable_files']:,} " in line


def test_recommendations_split_oversized_files_by_the_configured_limit(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.testgrade.size]\nwarn = 10\nmax = 20\n")
    write(tmp_path, "tests/unit/test_big.py",
          BVJ + "".join(f"# {n}\n" for n in range(40)) + "\ndef test_ok():\n    assert 1\n")
    audit = audit_json(cli, tmp_path)
    lines = audit["files"][0]["lines"]
    (rec,) = audit["summary"]["recommendations"]
    assert rec["rule"] == "TG401"
    parts = -(-lines // 10)
    assert rec["items"] == [
        (f"tests/unit/test_big.py ({lines:,} lines, limit 20): split into {parts} files "
        "of at most 10 lines")
    ]
    assert rec["score_if_fixed"] == 100.0
    assert rec["gain"] == round(100.0 - audit["score"], 1)


# --- the formats agree ------------------------------------------------------------


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), and attributes of elements with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.ids: dict[str, dict[str, str | None]] = {}
        self.rows: list[dict[str, str | None]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._drill = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[str(attributes["id"])] = attributes
        if tag == "table":
            self._table = attributes.get("id")
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            # A file's drill-down row (its findings) is not a row of the table's data.
            self._drill = attributes.get("class") == "drill"
            if not self._drill:
                self.tables[self._table].append([])
                self.rows.append(attributes)
        elif tag in ("td", "th") and self._table and not self._drill:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "tr":
            self._drill = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _outside_code(markdown: str) -> str:
    """The Markdown with every code span removed (what a renderer could interpret)."""
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def _unmd(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _md_table(markdown: str, heading: str) -> list[list[str]]:
    block = markdown.split(f"\n{heading}\n", 1)[1].strip().splitlines()
    rows = []
    for line in block[2:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([_unmd(c.strip()) for c in cells])
    return rows


def _agreement(cli, *args: Any) -> None:
    document = audit_json(cli, *args)
    markdown = audit_text(cli, *args, fmt="markdown")
    page = _Page()
    page.feed(audit_text(cli, *args, fmt="html"))
    score = "n/a" if document["score"] is None else f"{document['score']:.1f}"

    assert f"**{document['grade']} ({score}/100)" in _unmd(markdown)
    assert document["summary"]["verdict"].startswith(f"{document['grade']} ({score}/100)")
    assert page.ids["score"]["data-score"] == score
    html_grade = page.ids["grade"]
    assert html_grade is not None

    md_rows = _md_table(markdown, "## Compliance scores")
    html_rows = page.tables["categories"][1:]
    assert len(md_rows) == len(html_rows) == len(document["categories"])
    for category, md_row, html_row in zip(document["categories"], md_rows, html_rows):
        expected = [
            category["name"],
            "n/a" if category["score"] is None else f"{category['score']:.1f}",
            category["grade"],
            f"{category['weight']:g}",
            f"{category['applicable_files']:,}",
            f"{category['failing_files']:,}",
            category["detail"],
        ]
        assert md_row[:7] == expected
        assert html_row[:7] == expected
    chart = [r for r in page.rows if r.get("data-category")]
    assert [r["data-score"] for r in chart] == [
        "n/a" if c["score"] is None else f"{c['score']:.1f}" for c in document["categories"]
    ]

    summary = document["summary"]
    md_stats = dict(_md_table(markdown, "## Quantitative analysis"))
    html_stats = {row[0]: row[1] for row in page.tables["statistics"]}
    assert md_stats == html_stats
    assert md_stats["Files"] == f"{summary['files']:,}"
    assert md_stats["Total lines"] == f"{summary['lines']:,}"
    if summary["tests"]:
        assert md_stats["BVJ coverage"].startswith(f"{summary['bvj_coverage']:.1f}%")
    if summary["mock_free_share"] is not None:
        assert md_stats["Integration and e2e files free of mocks"].startswith(
            f"{summary['mock_free_share']:.1f}% ({summary['mock_free_integration_files']:,} of "
            f"{summary['integration_files']:,} files)"
        )

    files = page.tables["files"][1:]
    assert [row[0] for row in files] == [f["path"] for f in document["files"]]
    for row, record in zip(files, document["files"]):
        shown = "n/a" if record["score"] is None else f"{record['score']:.1f}"
        assert row[1:4] == [shown, record["grade"], f"{record['lines']:,}"]
        assert row[5] == f"{len(record['findings']):,}"

    plain = _unmd(markdown)
    for rec in summary["recommendations"]:
        sentence = (f"score {rec['score_if_fixed']:.1f} if done ({rec['gain']:+.1f} points; "
                    f"{rec['effort']:,} file")
        assert sentence in plain
    for item in summary["checklist"]:
        assert f"{item['item']}: {item['current']}" in plain


def test_markdown_html_and_json_agree_on_the_demo(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    _agreement(cli)


@pytest.mark.parametrize("seed", [1, 7])
def test_markdown_html_and_json_agree_on_generated_trees(cli, tmp_path, seed):
    write_tree(tmp_path, seed)
    _agreement(cli, tmp_path)


# --- hostile names -------------------------------------------------------------------

HOSTILE = [
    "tests/[red]x[/red].py",
    "tests/unit/test_<img src=x onerror=alert(1)>.py",
    "tests/unit/test_a|b`c.py",
    "tests/unit/test_\x1b[31mred.py",
]


def hostile_tree(root: Path) -> None:
    for relpath in HOSTILE:
        write(root, relpath, "from . import helpers\n\n\ndef test_a():\n    pass\n")


def test_hostile_file_names_are_printed_literally_and_escaped(cli, tmp_path):
    hostile_tree(tmp_path)
    text = audit_text(cli, tmp_path)
    assert "tests/[red]x[/red].py" in text
    assert "tests/unit/test_\\x1b[31mred.py" in text
    for fmt in ("text", "markdown", "html", "json"):
        assert "\x1b" not in audit_text(cli, tmp_path, fmt=fmt)
    page = audit_text(cli, tmp_path, fmt="html")
    assert "<img" not in page
    assert "test_&lt;img src=x onerror=alert(1)&gt;.py" in page
    markdown = audit_text(cli, tmp_path, fmt="markdown")
    # Paths are code spans: a backtick in the name lengthens the fence, nothing escapes it.
    assert "`` tests/unit/test_a|b`c.py ``" in markdown
    assert "a|b`c" not in _outside_code(markdown)
    assert "<img" not in _outside_code(markdown)
    document = audit_json(cli, tmp_path)
    assert {f["path"] for f in document["files"]} == set(HOSTILE)


# --- CLI contract: -o, --fail-under, --compare, exit codes ---------------------------


def test_terminal_output_is_readable_when_piped(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    text = audit_text(cli)
    assert "\x1b" not in text
    for name in ("Real services (no mocks)", "Imports", "Documentation (BVJ)", "File size",
                 "Integrity", "Files needing attention", "Acceptance checklist"):
        assert name in text
    assert "\u2588" in text  # the bars are characters, not colours


def test_output_file_is_written(cli, tmp_path):
    _clean_tree(tmp_path)
    target = tmp_path / "report.html"
    result = cli("audit", tmp_path, "--format", "html", "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_output_that_cannot_be_written_is_exit_2_and_keeps_the_old_file(
    cli, tmp_path, monkeypatch
):
    _clean_tree(tmp_path)
    target = tmp_path / "report.md"
    target.write_text("previous report\n")

    real_replace = os.replace

    def full_disk(source: Any, destination: Any) -> None:
        if Path(destination) == target:  # only the report fails, not e.g. a cache
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr("testgrade.fileio.os.replace", full_disk)
    result = cli("audit", tmp_path, "--format", "markdown", "-o", target)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"testgrade: error: cannot write {target}: No space left on device"
    ]
    assert target.read_text() == "previous report\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.md")]


def test_output_into_a_missing_directory_is_exit_2(cli, tmp_path):
    _clean_tree(tmp_path)
    result = cli("audit", tmp_path, "-o", tmp_path / "missing" / "report.txt")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.output


def test_fail_under(cli, tmp_path):
    _mock_tree(tmp_path)
    score = audit_json(cli, tmp_path)["score"]
    assert 0 < score < 100
    below = cli("audit", tmp_path, "--fail-under", score + 0.1)
    assert below.exit_code == 1
    assert f"score {score:.1f} does not meet --fail-under" in below.stderr
    assert cli("audit", tmp_path, "--fail-under", score).exit_code == 0
    assert cli("audit", tmp_path, "--fail-under", "101").exit_code == 2
    # Findings alone never fail an audit: that is `check`'s job.
    assert cli("audit", tmp_path).exit_code == 0


def test_compare_shows_deltas_in_every_format(cli, tmp_path):
    _mock_tree(tmp_path)
    previous = tmp_path.parent / f"{tmp_path.name}-previous.json"
    previous.write_text(cli("audit", tmp_path, "--format", "json").stdout)
    before = json.loads(previous.read_text())
    (tmp_path / "tests/e2e/test_mocked_e2e.py").unlink()
    after = audit_json(cli, tmp_path, "--compare", previous)
    comparison = after["summary"]["comparison"]
    delta = round(after["score"] - before["score"], 1)
    assert delta > 0 and comparison["score_delta"] == delta
    real_before = before["categories"][0]["score"]
    assert comparison["category_deltas"]["real-services"] == round(
        after["categories"][0]["score"] - real_before, 1)
    for fmt in ("text", "markdown", "html"):
        output = _unmd(audit_text(cli, tmp_path, "--compare", previous, fmt=fmt))
        assert f"{delta:+.1f}" in output
    markdown = audit_text(cli, tmp_path, "--compare", previous, fmt="markdown")
    header = _md_table(markdown, "## Compliance scores")
    assert header[0][-2] == f"{comparison['category_deltas']['real-services']:+.1f}"
    findings_delta = comparison["categories"]["real-services"]["findings_delta"]
    assert findings_delta < 0 and header[0][-1] == f"{findings_delta:+,}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "is not valid JSON"),
        ('{"findings": []}', "is not a `testgrade audit --format json` report"),
        ('{"score": "high", "categories": []}', "must be a number or null"),
    ],
)
def test_compare_with_an_unusable_file_is_a_one_line_error(cli, tmp_path, content, message):
    _clean_tree(tmp_path)
    previous = tmp_path.parent / f"{tmp_path.name}-previous.json"
    if content is not None:
        previous.write_text(content)
    result = cli("audit", tmp_path, "--compare", previous)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("testgrade: error: --compare:") and message in line


def test_json_has_the_documented_shape_in_a_stable_order(cli, monkeypatch):
    monkeypatch.chdir(DEMO)
    first = cli("audit", "--format", "json").stdout
    assert first == cli("audit", "--format", "json").stdout
    document = json.loads(first)
    assert list(document) == ["schema", "score", "grade", "categories", "files", "areas",
                              "root_causes", "summary"]
    assert document["schema"] == 2
    assert [c["id"] for c in document["categories"]] == CATEGORY_ORDER
    for category in document["categories"]:
        assert list(category)[:3] == ["id", "name", "score"]
        assert {"applicable_files", "failing_files"} <= set(category)
    for record in document["files"]:
        assert {"path", "score", "grade", "lines", "findings"} <= set(record)
        for finding in record["findings"]:
            assert RULE_CATEGORY[finding["rule"]]
    assert document["summary"]["date"] == "2026-01-01"


def test_an_unparsable_integration_file_is_not_claimed_mock_free(cli, tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path, "tests/integration/test_clean.py", f"{BVJ}\n\ndef test_ok():\n    pass\n")
    write(tmp_path, "tests/integration/test_broken.py", "def test_x(:\n")
    summary = audit_json(cli, tmp_path)["summary"]
    assert summary["mock_free_integration_files"] == 1
    assert "1 of 2 files" in audit_text(cli, tmp_path, fmt="markdown")
