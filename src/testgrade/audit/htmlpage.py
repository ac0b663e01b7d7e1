"""The audit as one self-contained HTML page: inline CSS, inline SVG, inline JS.

No network: a Content-Security-Policy forbids every fetch, and nothing outside
the file is referenced. Every value from the tree goes through `esc()` (file
names are attacker-controlled: `<script>` is a valid file name). The script
only sorts the files table; when it has run it marks `<body data-ready="1">`,
and any uncaught error marks `data-js-error`, so a headless browser can prove
the page works.
"""

from __future__ import annotations

import html

from testgrade.audit.model import (
    LIST_LIMIT,
    Report,
    RuleGroup,
    format_delta,
    format_score,
    plural,
    quantitative_rows,
)
from testgrade.output import printable

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1f24;background:#fff}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}th.sortable{cursor:pointer;user-select:none}
th.sortable:after{content:" \\2195";color:#8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.panel{display:flex;gap:2rem;align-items:center;border:1px solid #d0d7de;border-radius:8px;
padding:1rem 1.5rem;background:#f6f8fa}
.grade{font-size:3rem;font-weight:700}.score{font-size:1.5rem}
.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.done{color:#1a7f37}.todo{color:#cf222e}.muted{color:#57606a}
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
  var table = document.getElementById("files");
  if (table) {
    var headers = table.querySelectorAll("th.sortable");
    Array.prototype.forEach.call(headers, function (th, column) {
      th.addEventListener("click", function () {
        var type = th.getAttribute("data-type");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], type), y = key(b.cells[column], type);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  document.body.setAttribute("data-ready", "1");
})();
"""


def esc(value: object) -> str:
    """Text and attribute-safe HTML: control characters shown, markup escaped."""
    return html.escape(printable(str(value)), quote=True)


def _chart(report: Report) -> str:
    categories = report.audit.categories
    bar_x, bar_width, row = 230, 400, 34
    height = row * len(categories) + 10
    parts = [
        (f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{bar_x + bar_width + 70}" '
        f'height="{height}" role="img" aria-label="Score per category">')
    ]
    for n, c in enumerate(categories):
        y = 5 + n * row
        parts.append(
            f'<text x="0" y="{y + 20}" font-size="14">{esc(c.name)}</text>'
            f'<rect x="{bar_x}" y="{y + 4}" width="{bar_width}" height="22" fill="#eaeef2"/>'
        )
        if c.score is not None:
            width = round(bar_width * c.score / 100, 1)
            colour = "#1a7f37" if c.score >= 90 else "#9a6700" if c.score >= 70 else "#cf222e"
            parts.append(
                f'<rect class="bar" data-category="{esc(c.id)}" data-score="{c.score}" '
                f'x="{bar_x}" y="{y + 4}" width="{width}" height="22" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{bar_x + bar_width + 8}" y="{y + 20}" font-size="14">'
            f"{esc(format_score(c.score))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _list(items: list[str] | tuple[str, ...]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _files_list(entries: list[str], total: int) -> str:
    more = f"<li>\u2026 and {esc(plural(total - len(entries), 'more'))}</li>" \
        if total > len(entries) else ""
    return "<ul>" + "".join(entries) + more + "</ul>"


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


def render_html(report: Report) -> str:
    audit = report.audit
    comparison = report.comparison
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    o: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}: {esc(audit.grade)} ({esc(format_score(audit.score))})</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
        (f'<p class="muted">Date: {esc(report.date)} &middot; Scope: '
        f'{esc(", ".join(report.paths))} under <span class="path">{esc(report.root)}</span>: '
        f"{esc(plural(report.files, 'file'))} ({esc(kinds)})</p>"),
        '<section class="panel">',
        f'<div class="grade" id="grade">{esc(audit.grade)}</div>',
        (f'<div><div class="score" id="score" data-score="{esc(format_score(audit.score))}">'
        f"{esc(format_score(audit.score))}/100</div>"),
        f"<div>{esc(report.verdict)}</div>",
    ]
    if comparison is not None:
        o.append(
            f'<div id="delta" data-delta="{esc(format_delta(comparison.overall))}">Change since '
            f"the previous audit ({esc(comparison.previous_date or 'undated')}, score "
            f"{esc(format_score(comparison.previous_score))}): "
            f"{esc(format_delta(comparison.overall))}</div>"
        )
    o.append("</div></section>")
    o.append("<h2>Standards</h2><table>" + "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in report.standards
    ) + "</table>")
    o.append("<h2>Executive summary</h2>")
    for title, lines in (("Strengths", report.strengths),
                         ("Areas for improvement", report.improvements),
                         ("Not assessed", report.not_assessed)):
        if lines:
            o.append(f"<h3>{esc(title)}</h3>{_list(lines)}")

    o.append("<h2>Compliance scores</h2>")
    o.append(_chart(report))
    head = ["Category", "Score", "Grade", "Weight", "Applicable files", "Failing files", "Details"]
    if comparison is not None:
        head.append("Change")
    o.append('<table id="categories"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in head)
             + "</tr></thead><tbody>")
    for c in audit.categories:
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
            cells.append(
                f'<td class="num">{esc(format_delta(comparison.categories.get(c.id)))}</td>'
            )
        o.append(
            f'<tr data-category="{esc(c.id)}" data-score="{esc(format_score(c.score))}" '
            f'data-applicable="{c.applicable_files}" data-failing="{c.failing_files}">'
            + "".join(cells) + "</tr>"
        )
    o.append("</tbody></table>")

    o.append("<h2>Quantitative analysis</h2><table id=\"statistics\">")
    for label, value in quantitative_rows(report):
        o.append(f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>")
    o.append("</table>")
    for title, counts in (("Files by kind", report.files_by_kind),
                          ("Files by role", report.files_by_role),
                          ("Files by top-level directory", report.files_by_directory)):
        o.append(f"<h3>{esc(title)}</h3><table>" + "".join(
            f'<tr><td>{esc(k)}</td><td class="num">{n:,}</td></tr>' for k, n in counts.items()
        ) + "</table>")

    for title, entries, empty in (
        ("Exemplary files", report.exemplary, "No test module is free of findings."),
        ("Files needing attention", report.attention, "No file has findings."),
    ):
        o.append(f"<h2>{esc(title)}</h2>")
        if not entries:
            o.append(f"<p>{esc(empty)}</p>")
            continue
        o.append("<ol>" + "".join(
            f'<li><span class="path">{esc(e.path)}</span>: {esc(plural(e.lines, "line"))}, '
            f"score {esc(format_score(e.score))} ({esc(e.grade)}); {esc('; '.join(e.reasons))}"
            "</li>" for e in entries
        ) + "</ol>")

    o.append("<h2>Critical issues</h2>")
    o.append(_groups(report.critical, "No findings of error severity."))
    o.append("<h2>Warnings</h2>")
    o.append(_groups(report.warning_groups, "No findings of warning severity."))

    o.append("<h2>Recommendations</h2>")
    if not report.recommendations:
        o.append("<p>Nothing to recommend: no findings.</p>")
    else:
        o.append("<ol>")
        for r in report.recommendations:
            items = [f'<li class="path">{esc(i)}</li>' for i in r.items[:LIST_LIMIT]]
            o.append(
                f'<li data-rule="{esc(r.rule)}" data-gain="{esc(format_delta(r.gain))}">'
                f"<strong>Priority {esc(r.priority)}:</strong> {esc(r.text)}. Fixing every "
                f"{esc(r.rule)} finding raises the overall score to "
                f"{esc(format_score(r.score_if_fixed))} ({esc(format_delta(r.gain))})."
                + _files_list(items, len(r.items)) + "</li>"
            )
        o.append("</ol>")

    o.append("<h2>Acceptance checklist</h2><ul>")
    for item in report.checklist:
        if item.done is None:
            mark, state = '<span class="muted">n/a</span>', "n/a"
        elif item.done:
            mark, state = '<span class="done">&#x2611;</span>', "done"
        else:
            mark, state = '<span class="todo">&#x2610;</span>', "open"
        o.append(f'<li data-state="{state}">{mark} {esc(item.text)}: {esc(item.current)}</li>')
    o.append("</ul>")

    o.append(f"<h2>Files</h2><p>{esc(plural(report.files, 'file'))}; "
             "click a column heading to sort.</p>")
    o.append('<table id="files"><thead><tr>'
             '<th class="sortable" data-type="text">Path</th>'
             '<th class="sortable num" data-type="number">Score</th>'
             '<th class="sortable" data-type="text">Grade</th>'
             '<th class="sortable num" data-type="number">Lines</th>'
             '<th class="sortable" data-type="text">Kind</th>'
             '<th class="sortable num" data-type="number">Findings</th>'
             "</tr></thead><tbody>")
    for f in audit.files:
        o.append(
            f'<tr><td class="path">{esc(f.path)}</td>'
            f'<td class="num" data-value="{esc(format_score(f.score))}">'
            f"{esc(format_score(f.score))}</td>"
            f"<td>{esc(f.grade)}</td>"
            f'<td class="num" data-value="{f.lines}">{f.lines:,}</td>'
            f"<td>{esc(f.kind.value)}</td>"
            f'<td class="num" data-value="{len(f.findings)}">{len(f.findings):,}</td></tr>'
        )
    o.append("</tbody></table>")
    o.append(f'<p class="muted">Generated by testgrade audit on {esc(report.date)}.</p>')
    o.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(o) + "\n"
