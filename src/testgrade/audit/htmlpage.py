"""The audit as one self-contained HTML page: inline CSS, inline SVG, inline JS.

No network: a Content-Security-Policy forbids every fetch, and nothing outside
the file is referenced. Every value from the tree goes through `esc()` (file
names are attacker-controlled: `<script>` is a valid file name). The layout is
responsive (no sideways page scroll down to phone width: wide tables scroll in
their own box, charts scale), has a sticky table of contents, and prints.

The script sorts tables, filters the file table and opens each file's findings;
when it has run it marks `<body data-ready="1">`, and any uncaught error marks
`data-js-error`, so a headless browser can prove the page works. Without
JavaScript every section, file and finding is still in the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from testgrade.audit.model import (
    LIST_LIMIT,
    PRIORITY_TITLES,
    FileEntry,
    Report,
    RuleGroup,
    action_effect,
    and_more,
    area_header,
    area_rows,
    format_delta,
    format_score,
    no_test_line,
    quantitative_rows,
)
from testgrade.output import plural, printable

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

_CSS = """
*{box-sizing:border-box}
html{scroll-padding-top:3.5rem}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;
background:#fff;overflow-wrap:break-word}
header.top{padding:1rem 1rem .5rem;max-width:84rem;margin:0 auto}
h1{margin:0 0 .3rem;font-size:1.6rem}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
.layout{max-width:84rem;margin:0 auto;padding:0 1rem 2rem}
nav.toc{position:sticky;top:0;z-index:2;background:#f6f8fa;border-bottom:1px solid #d0d7de;
margin:0 -1rem;padding:.4rem 1rem;overflow-x:auto;white-space:nowrap}
nav.toc ol{list-style:none;margin:0;padding:0;display:flex;gap:1rem}
nav.toc a{color:#0969da;text-decoration:none;font-size:.9rem}
nav.toc a:hover{text-decoration:underline}
main{min-width:0}
section{scroll-margin-top:3.5rem}
@media (min-width:64rem){
.layout{display:grid;grid-template-columns:13rem minmax(0,1fr);gap:2rem}
nav.toc{margin:0;border:0;background:none;padding:1rem 0;max-height:100vh;overflow-y:auto;
white-space:normal}
nav.toc ol{display:block}nav.toc li{margin:.25rem 0}
}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}th.sortable{cursor:pointer;user-select:none;white-space:nowrap}
th.sortable:after{content:" \\2195";color:#8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.panel{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:center;border:1px solid #d0d7de;
border-radius:8px;padding:1rem 1.5rem;background:#f6f8fa}
.panel>div{min-width:0;flex:1 1 16rem}
.grade{font-size:3rem;font-weight:700;flex:0 0 auto!important}.score{font-size:1.5rem}
.path,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;
overflow-wrap:anywhere}
code.cmd{display:inline-block;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;
padding:.1rem .4rem;white-space:pre-wrap}
.done{color:#1a7f37}.todo{color:#cf222e}.muted{color:#57606a}.warn{color:#9a6700}
.actions>li{margin:.6rem 0}
svg.chart{width:100%;max-width:44rem;height:auto;display:block}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr));gap:1rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
.filters input[type=search]{flex:1 1 12rem;min-width:0;padding:.3rem}
button.drill{font:inherit;font-size:.85rem;cursor:pointer;background:none;border:1px solid #d0d7de;
border-radius:4px;padding:0 .4rem}
tr.drill td{background:#fbfcfd}tr.drill ul{margin:.2rem 0;padding-left:1.2rem}
tbody.file[hidden]{display:none}
@media print{
nav.toc,.filters,button.drill{display:none}
.layout{display:block}tr.drill[hidden]{display:table-row}
body{font-size:11pt}h2{break-after:avoid}tbody.file{break-inside:avoid}
}
"""

_JS = """
(function () {
  "use strict";
  window.addEventListener("error", function () {
    document.body.setAttribute("data-js-error", "1");
  });
  function key(cell, type) {
    var raw = cell.getAttribute("data-value");
    if (raw === null) { raw = cell.textContent; }
    if (type === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  each(document.querySelectorAll("table.sortable"), function (table) {
    var headers = table.querySelectorAll("thead th");
    each(headers, function (th, column) {
      if (!th.classList.contains("sortable")) { return; }
      th.addEventListener("click", function () {
        var type = th.getAttribute("data-type");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        each(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        // A file's findings row travels with it: sort whole tbodies when there are several.
        var groups = table.tBodies.length > 1 ? Array.prototype.slice.call(table.tBodies)
          : Array.prototype.slice.call(table.tBodies[0].rows);
        var parent = groups.length && groups[0].parentNode;
        groups.sort(function (a, b) {
          var ra = a.rows ? a.rows[0] : a, rb = b.rows ? b.rows[0] : b;
          var x = key(ra.cells[column], type), y = key(rb.cells[column], type);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        groups.forEach(function (g) { parent.appendChild(g); });
      });
    });
  });
  each(document.querySelectorAll("button.drill"), function (button) {
    button.addEventListener("click", function () {
      var row = document.getElementById(button.getAttribute("aria-controls"));
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      row.hidden = open;
    });
  });
  var files = document.getElementById("files");
  var text = document.getElementById("filter");
  var kind = document.getElementById("filter-kind");
  var area = document.getElementById("filter-area");
  var flagged = document.getElementById("filter-findings");
  var shown = document.getElementById("shown");
  function apply() {
    var words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    each(files.tBodies, function (body) {
      var haystack = (body.getAttribute("data-path") + " " +
        body.getAttribute("data-rules")).toLowerCase();
      var ok = words.every(function (w) { return haystack.indexOf(w) !== -1; }) &&
        (!kind.value || body.getAttribute("data-kind") === kind.value) &&
        (!area.value || body.getAttribute("data-area") === area.value) &&
        (!flagged.checked || body.getAttribute("data-findings") !== "0");
      body.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + files.tBodies.length + " files shown";
    shown.setAttribute("data-shown", String(count));
  }
  if (files && text) {
    [text, kind, area, flagged].forEach(function (control) {
      control.addEventListener("input", apply);
      control.addEventListener("change", apply);
    });
    apply();
  }
  document.body.setAttribute("data-ready", "1");
})();
"""

_GREEN, _AMBER, _RED, _GREY, _TRACK = "#1a7f37", "#9a6700", "#cf222e", "#8c959f", "#eaeef2"
_KIND_COLOURS = {"unit": "#54aeff", "integration": "#8250df", "e2e": "#bf3989"}


def esc(value: object) -> str:
    """Text and attribute-safe HTML: control characters shown, markup escaped."""
    return html.escape(printable(str(value)), quote=True)


def prose(value: object) -> str:
    """A model sentence: escaped, with its `code` spans set as code."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick (from a file name): plain text
        return esc(value)
    return "".join(f"<code>{esc(p)}</code>" if n % 2 else esc(p) for n, p in enumerate(parts))


def _colour(score: float | None) -> str:
    if score is None:
        return _GREY
    return _GREEN if score >= 90 else _AMBER if score >= 70 else _RED


def _anchor(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _bars(svg_id: str, label: str, rows: Sequence[tuple[str, float | None, float, str, str]],
          attributes: Sequence[str] = ()) -> str:
    """A horizontal bar chart that scales with its box: (label, value, maximum, colour, text)."""
    label_w, bar_w, row = 210, 300, 28
    height = row * len(rows) + 6
    parts = [
        (f'<svg id="{svg_id}" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>")
    ]
    for n, (name, value, maximum, colour, text) in enumerate(rows):
        y = 3 + n * row
        shown = name if len(name) <= 28 else "\u2026" + name[-27:]
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="13">{esc(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" fill="{_TRACK}"/>'
        )
        if value is not None and maximum > 0:
            width = round(bar_w * value / maximum, 1)
            extra = attributes[n] if n < len(attributes) else ""
            parts.append(
                f'<rect class="bar"{extra} x="{label_w}" y="{y + 4}" width="{width}" '
                f'height="18" fill="{colour}"/>'
            )
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 18}" font-size="13">'
                     f"{esc(text)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _category_chart(report: Report) -> str:
    categories = report.audit.categories
    rows = [(c.name, c.score, 100.0, _colour(c.score), format_score(c.score)) for c in categories]
    attributes = [f' data-category="{esc(c.id)}" data-score="{c.score}"' for c in categories]
    return _bars("chart", "Score per category", rows, attributes)


def _area_chart(report: Report) -> str:
    rows = [(a.name, a.score, 100.0, _colour(a.score), format_score(a.score))
            for a in report.areas]
    attributes = [f' data-area="{esc(a.name)}" data-score="{a.score}"' for a in report.areas]
    return _bars("area-chart", "Score per area", rows, attributes)


def _rule_chart(report: Report) -> str:
    if not report.by_rule:
        return '<p id="rule-chart">No findings.</p>'
    most = max(report.by_rule.values())
    rows = [(rule, float(n), float(most), _RED, f"{n:,}") for rule, n in report.by_rule.items()]
    attributes = [f' data-rule="{esc(rule)}" data-findings="{n}"'
                  for rule, n in report.by_rule.items()]
    return _bars("rule-chart", "Findings by rule", rows, attributes)


def _kind_chart(report: Report) -> str:
    """Files by kind in each area: one stacked bar per area, with a legend."""
    label_w, bar_w, row = 210, 300, 28
    areas = report.areas
    most = max((a.files for a in areas), default=0)
    height = row * (len(areas) + 1) + 6
    parts = [
        (f'<svg id="kind-chart" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}" role="img" '
        f'aria-label="Files by kind and area"><title>Files by kind and area</title>')
    ]
    x: float = label_w
    for kind, colour in _KIND_COLOURS.items():
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="17" font-size="13">{esc(kind)}</text>')
        x += 100
    for n, area in enumerate(areas):
        y = 3 + (n + 1) * row
        shown = area.name if len(area.name) <= 28 else "\u2026" + area.name[-27:]
        parts.append(f'<text x="0" y="{y + 18}" font-size="13">{esc(shown)}</text>')
        x = label_w
        for kind, colour in _KIND_COLOURS.items():
            count = area.files_by_kind.get(kind, 0)
            if count and most:
                width = round(bar_w * count / most, 1)
                parts.append(f'<rect class="bar" data-area="{esc(area.name)}" '
                             f'data-kind="{kind}" data-files="{count}" x="{x}" y="{y + 4}" '
                             f'width="{width}" height="18" fill="{colour}"/>')
                x += width
        parts.append(f'<text x="{x + 6}" y="{y + 18}" font-size="13">{area.files:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _history_chart(report: Report) -> str:
    """Score per category over time: one line per category, the overall score in black."""
    assert report.history is not None
    points = report.history.points
    left, width, top, height = 40, 520, 10, 200
    step = width / max(1, len(points) - 1)
    categories = report.audit.categories
    palette = ["#cf222e", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a"]
    parts = [
        (f'<svg id="history-chart" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {left + width + 20} {top + height + 40 + 20 * (len(categories) + 1)}" '
        f'role="img" aria-label="Score per category over time">'
        f"<title>Score per category over time</title>")
    ]
    for value in (0, 50, 100):
        y = top + height * (1 - value / 100)
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" '
                     f'stroke="{_TRACK}"/><text x="0" y="{y + 4}" font-size="12">{value}</text>')
    series = [("Overall", "#1b1f24", [p.score for p in points])] + [
        (c.name, palette[n % len(palette)], [p.categories.get(c.id) for p in points])
        for n, c in enumerate(categories)
    ]
    for n, (name, colour, values) in enumerate(series):
        coordinates = [
            f"{left + i * step:.1f},{top + height * (1 - v / 100):.1f}"
            for i, v in enumerate(values) if v is not None
        ]
        if coordinates:
            parts.append(f'<polyline class="series" data-series="{esc(name)}" fill="none" '
                         f'stroke="{colour}" stroke-width="2" points="{" ".join(coordinates)}"/>')
        y = top + height + 40 + 20 * n
        parts.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{left + 18}" y="{y}" font-size="12">{esc(name)}</text>')
    for i, point in enumerate(points):
        anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
        parts.append(f'<text x="{left + i * step:.1f}" y="{top + height + 18}" font-size="11" '
                     f'text-anchor="{anchor}">{esc(point.label.split(" ")[0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _files_list(entries: list[str], total: int) -> str:
    more = and_more(total, len(entries))
    return "<ul>" + "".join(entries) + (f"<li>{esc(more)}</li>" if more else "") + "</ul>"


def _groups(groups: tuple[RuleGroup, ...], empty: str) -> str:
    if not groups:
        return f"<p>{esc(empty)}</p>"
    out = []
    for g in groups:
        out.append(
            f'<h3 data-rule="{esc(g.rule)}" data-findings="{g.findings}">{esc(g.rule)} '
            f"{esc(g.name)}: {esc(plural(g.findings, 'finding'))} in "
            f"{esc(plural(len(g.files), 'file'))}</h3>"
        )
        out.append(_files_list(
            [f'<li><span class="path">{esc(p)}</span> ({n:,})</li>' for p, n in g.files[:LIST_LIMIT]],
            len(g.files),
        ))
    return "".join(out)


def _entries(entries: Sequence[FileEntry], empty: str) -> str:
    if not entries:
        return f"<p>{esc(empty)}</p>"
    return "<ol>" + "".join(
        f'<li><span class="path">{esc(e.path)}</span>: {esc(plural(e.lines, "line"))}, '
        f"score {esc(format_score(e.score))} ({esc(e.grade)}); {esc('; '.join(e.reasons))}"
        "</li>" for e in entries
    ) + "</ol>"


def _table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: Sequence[bool], sortable: bool = False) -> str:
    head = "".join(
        f'<th class="{"sortable " if sortable else ""}{"num" if num else ""}" '
        f'data-type="{"number" if num else "text"}">{esc(h)}</th>'
        for h, num in zip(header, numeric)
    )
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num" data-value="{esc(cell)}">{esc(cell)}</td>' if num
            else f"<td>{esc(cell)}</td>"
            for cell, num in zip(row, numeric)
        ) + "</tr>"
        for row in rows
    )
    classes = ' class="sortable"' if sortable else ""
    return (f'<div class="scroll"><table id="{table_id}"{classes}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


class _Page:
    """Sections in order, each with an anchor the table of contents links to."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, str]] = []
        self.body: list[str] = []

    def section(self, anchor: str, title: str, *content: str) -> None:
        self.sections.append((anchor, title))
        self.body.append(f'<section id="{anchor}"><h2>{esc(title)}</h2>{"".join(content)}'
                         "</section>")

    def toc(self) -> str:
        return ('<nav class="toc" aria-label="Contents"><ol>' + "".join(
            f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in self.sections
        ) + "</ol></nav>")


def _actions(report: Report) -> str:
    if not report.recommendations:
        return "<p>Nothing to do: no findings.</p>"
    out = []
    number = 0
    for level, title in PRIORITY_TITLES.items():
        actions = report.priority(level)
        if not actions:
            continue
        out.append(f'<h3 id="priority-{level}">{esc(title)}</h3>'
                   f'<ol class="actions" start="{number + 1}">')
        for a in actions:
            number += 1
            items = [f'<li class="path">{esc(i)}</li>' for i in a.items[:LIST_LIMIT]]
            out.append(
                f'<li data-key="{esc(a.key)}" data-priority="{a.priority}" '
                f'data-gain="{esc(format_delta(a.gain))}"><strong>{prose(a.title)}</strong>'
                f'<div class="muted">{esc(action_effect(a))}</div>'
                f'<code class="cmd">{esc(a.command)}</code>'
                f"<details><summary>{esc(plural(a.effort, 'file'))}, most impact first"
                f"</summary>{_files_list(items, len(a.items))}</details></li>"
            )
        out.append("</ol>")
    return "".join(out)


def _root_causes(report: Report) -> str:
    if not report.root_causes:
        return "<p>No finding shares a root cause with another file or rule.</p>"
    rows = "".join(
        f'<tr data-key="{esc(a.key)}"><td>{prose(a.why)}</td><td class="num">{a.effort:,}</td>'
        f'<td class="num">{a.findings:,}</td><td class="num">{esc(format_delta(a.gain))}</td>'
        f'<td><code class="cmd">{esc(a.command)}</code></td></tr>'
        for a in report.root_causes
    )
    return ('<div class="scroll"><table id="root-causes-table"><thead><tr><th>Root cause</th>'
            '<th class="num">Files</th><th class="num">Findings cleared</th>'
            '<th class="num">Gain</th><th>Command</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _areas(report: Report) -> str:
    if not report.areas:
        return "<p>No files.</p>"
    header = list(area_header(report))
    rows = [list(r) for r in area_rows(report)]
    numeric = [False, True, True, True, False] + [True] * (len(header) - 5)
    comparison = report.comparison
    if comparison is not None:
        header += ["Change", "Findings change"]
        numeric += [True, True]
        for area, row in zip(report.areas, rows):
            change = (comparison.area_changes or {}).get(area.name)
            delta = None if change is None else change.findings_delta
            row += [format_delta(None if change is None else change.score_delta),
                    "n/a" if delta is None else f"{delta:+,}"]
    return (_table("areas-table", header, rows, numeric, sortable=True)
            + "<p class=\"muted\">Click a column heading to sort.</p>"
            + '<div class="charts">' + _area_chart(report) + _kind_chart(report) + "</div>")


def _scores(report: Report) -> str:
    comparison = report.comparison
    head = ["Category", "Score", "Grade", "Weight", "Applicable files", "Failing files", "Details"]
    if comparison is not None:
        head += ["Change", "Findings change"]
    out = [_category_chart(report),
           '<div class="scroll"><table id="categories"><thead><tr>'
           + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for c in report.audit.categories:
        cells = [
            f"<td>{esc(c.name)}</td>",
            f'<td class="num">{esc(format_score(c.score))}</td>',
            f"<td>{esc(c.grade)}</td>",
            f'<td class="num">{c.weight:g}</td>',
            f'<td class="num">{c.applicable_files:,}</td>',
            f'<td class="num">{c.failing_files:,}</td>',
            f"<td>{esc(report.details[c.id])}</td>",
        ]
        if comparison is not None:
            change = (comparison.category_changes or {}).get(c.id)
            delta = None if change is None else change.findings_delta
            cells.append(
                f'<td class="num">{esc(format_delta(comparison.categories.get(c.id)))}</td>')
            cells.append(
                f'<td class="num">{esc("n/a" if delta is None else f"{delta:+,}")}</td>')
        out.append(
            f'<tr data-category="{esc(c.id)}" data-score="{esc(format_score(c.score))}" '
            f'data-applicable="{c.applicable_files}" data-failing="{c.failing_files}">'
            + "".join(cells) + "</tr>"
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def _file_table(report: Report, areas: dict[str, str]) -> str:
    kinds = sorted({f.kind.value for f in report.audit.files})
    area_names = [a.name for a in report.areas]
    options = "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
    area_options = "".join(f'<option value="{esc(a)}">{esc(a)}</option>' for a in area_names)
    out = [
        ('<div class="filters">'
        '<input type="search" id="filter" placeholder="Filter by path or rule (TG101)" '
        'aria-label="Filter files by path or rule">'
        f'<select id="filter-kind" aria-label="Kind"><option value="">every kind</option>'
        f"{options}</select>"
        f'<select id="filter-area" aria-label="Area"><option value="">every area</option>'
        f"{area_options}</select>"
        '<label><input type="checkbox" id="filter-findings"> with findings only</label>'
        f'<span id="shown" class="muted" data-shown="{len(report.audit.files)}">'
        f"{esc(plural(len(report.audit.files), 'file'))}</span></div>"),
        ('<div class="scroll"><table id="files" class="sortable"><thead><tr>'
        '<th class="sortable" data-type="text">Path</th>'
        '<th class="sortable num" data-type="number">Score</th>'
        '<th class="sortable" data-type="text">Grade</th>'
        '<th class="sortable num" data-type="number">Lines</th>'
        '<th class="sortable" data-type="text">Kind</th>'
        '<th class="sortable num" data-type="number">Findings</th>'
        "</tr></thead>"),
    ]
    for n, f in enumerate(report.audit.files):
        rules = " ".join(sorted({x.rule for x in f.findings}))
        count = len(f.findings)
        if count:
            drill = (f'<button type="button" class="drill" aria-expanded="false" '
                     f'aria-controls="file-{n}">{count:,}</button>')
        else:
            drill = "0"
        out.append(
            f'<tbody class="file" data-path="{esc(f.path)}" data-kind="{esc(f.kind.value)}" '
            f'data-area="{esc(areas[f.path])}" data-rules="{esc(rules)}" data-findings="{count}">'
            f'<tr><td class="path">{esc(f.path)}</td>'
            f'<td class="num" data-value="{esc(format_score(f.score))}">'
            f"{esc(format_score(f.score))}</td>"
            f"<td>{esc(f.grade)}</td>"
            f'<td class="num" data-value="{f.lines}">{f.lines:,}</td>'
            f"<td>{esc(f.kind.value)}</td>"
            f'<td class="num" data-value="{count}">{drill}</td></tr>'
        )
        if count:
            findings = "".join(
                f'<li data-line="{x.line}" data-rule="{esc(x.rule)}">line {x.line}, '
                f"<strong>{esc(x.rule)}</strong> ({esc(x.severity.value)}): {esc(x.message)}</li>"
                for x in f.findings
            )
            out.append(f'<tr class="drill" id="file-{n}" hidden><td colspan="6"><ul>'
                       f"{findings}</ul></td></tr>")
        out.append("</tbody>")
    out.append("</table></div>")
    return "".join(out)


def render_html(report: Report) -> str:
    audit = report.audit
    comparison = report.comparison
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    page = _Page()

    verdict = [
        '<div class="panel">',
        (f'<div class="grade" id="grade" style="color:{_colour(audit.score)}">'
        f"{esc(audit.grade)}</div>"),
        (f'<div><div class="score" id="score" data-score="{esc(format_score(audit.score))}">'
        f"{esc(format_score(audit.score))}/100</div>"),
        f'<p id="verdict-line"><strong>{prose(report.verdict)}</strong></p>',
        (f'<p class="muted">{esc(plural(report.files, "file"))} ({esc(kinds)}), '
        f"{report.lines:,} lines, {esc(plural(report.findings, 'finding'))} "
        f"({esc(plural(report.errors, 'error'))}, {esc(plural(report.warnings, 'warning'))})"
        "</p>"),
    ]
    empty = no_test_line(report)
    if empty:
        verdict.append(f'<p class="warn" id="no-test-line">{esc(empty)}</p>')
    if comparison is not None and comparison.total is not None:
        delta = comparison.total.findings_delta
        verdict.append(
            f'<p id="delta" data-delta="{esc(format_delta(comparison.overall))}" '
            f'data-findings-delta="{esc("n/a" if delta is None else delta)}">Change since '
            f"the previous audit ({esc(comparison.previous_date or 'undated')}, score "
            f"{esc(format_score(comparison.previous_score))}): "
            f"{esc(format_delta(comparison.overall))} points, "
            f"{esc('n/a' if delta is None else f'{delta:+,}')} findings</p>"
        )
    verdict.append("</div></div>")
    page.section("verdict", "Verdict", *verdict)
    page.section("actions", "What to do first", _actions(report))
    page.section("root-causes", "Root causes: fix once, clear many", _root_causes(report))
    page.section("areas", "Scores by area", _areas(report))
    page.section("scores", "Compliance scores", _scores(report))
    page.section("findings-by-rule", "Findings by rule", _rule_chart(report))
    if report.history is not None:
        page.section("history", "Score over time", _history_chart(report))

    summary = []
    for title, lines in (("Strengths", report.strengths),
                         ("Areas for improvement", report.improvements),
                         ("Not assessed", report.not_assessed)):
        if lines:
            summary.append(f"<h3>{esc(title)}</h3>{_list(lines)}")
    page.section("summary", "Executive summary", *summary)

    statistics = ['<div class="scroll"><table id="statistics">']
    for label, value in quantitative_rows(report):
        statistics.append(f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>")
    statistics.append("</table></div>")
    for title, counts in (("Files by kind", report.files_by_kind),
                          ("Files by role", report.files_by_role)):
        statistics.append(f"<h3>{esc(title)}</h3><table>" + "".join(
            f'<tr><td>{esc(k)}</td><td class="num">{n:,}</td></tr>' for k, n in counts.items()
        ) + "</table>")
    page.section("quantitative", "Quantitative analysis", *statistics)

    exemplary = []
    for kind, entries in report.exemplary_by_kind.items():
        exemplary.append(f'<h3 id="exemplary-{_anchor(kind)}">{esc(kind.capitalize())}</h3>')
        exemplary.append(_entries(
            entries, f"No {kind} test module collects tests without a finding."))
    page.section("exemplary", "Exemplary files", *exemplary)
    if report.no_test_modules:
        items = [f'<li><span class="path">{esc(e.path)}</span> ({e.lines:,} lines)</li>'
                 for e in report.no_test_modules[:LIST_LIMIT]]
        page.section("no-tests", "Test modules that collect no tests",
                     f"<p>{esc(empty)}</p>", _files_list(items, len(report.no_test_modules)))
    page.section("attention", "Files needing attention",
                 _entries(report.attention, "No file has findings."))
    page.section("critical", "Critical issues",
                 _groups(report.critical, "No findings of error severity."))
    page.section("warnings", "Warnings",
                 _groups(report.warning_groups, "No findings of warning severity."))

    checklist = ["<ul>"]
    for item in report.checklist:
        if item.done is None:
            mark, state = '<span class="muted">n/a</span>', "n/a"
        elif item.done:
            mark, state = '<span class="done">&#x2611;</span>', "done"
        else:
            mark, state = '<span class="todo">&#x2610;</span>', "open"
        checklist.append(
            f'<li data-state="{state}">{mark} {esc(item.text)}: {esc(item.current)}</li>')
    checklist.append("</ul>")
    page.section("checklist", "Acceptance checklist", *checklist)

    page.section("all-files", "Files",
                 f"<p>{esc(plural(report.files, 'file'))}; filter them, click a heading to "
                 "sort, click a findings count to see each finding.</p>",
                 _file_table(report, report.file_areas))
    page.section("standards", "Standards", '<div class="scroll"><table>' + "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in report.standards
    ) + "</table></div>")

    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        (f"<title>{esc(report.title)}: {esc(audit.grade)} ({esc(format_score(audit.score))})"
        "</title>"),
        f"<style>{_CSS}</style></head><body>",
        (f'<header class="top"><h1>{esc(report.title)}</h1>'
        f'<p class="muted">{esc(report.date)} &middot; scope '
        f'<span class="path">{esc(", ".join(report.paths))}</span> of '
        f'<span class="path">{esc(report.root)}</span></p></header>'),
        '<div class="layout">',
        page.toc(),
        "<main>",
    ]
    tail = [
        "</main></div>",
        (f'<footer class="layout muted">Generated by testgrade audit on {esc(report.date)}.'
        "</footer>"),
        f"<script>{_JS}</script></body></html>",
    ]
    return "\n".join(head + page.body + tail) + "\n"
