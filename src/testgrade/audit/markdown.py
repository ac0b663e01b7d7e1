"""The audit as Markdown, for pull requests, wikis and issue trackers.

Every piece of prose goes through `md()` and every path through `code()`: file
names are chosen by whoever wrote the tree, and a `|`, backtick or
`[x](javascript:...)` in one must not change the document's structure.
`summary=True` gives the short version for a pull-request comment, always under
GitHub's 65,536-character limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from testgrade.audit.causes import Action
from testgrade.audit.model import (
    LIST_LIMIT,
    PRIORITY_TITLES,
    FileEntry,
    Report,
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

# The characters with an inline meaning in CommonMark / GFM (emphasis, code, links,
# images, raw HTML, entities, tables, strikethrough, math). Line-start markers
# (#, -, +, 1.) need no escape: data never starts a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&$])")
SUMMARY_LIMIT = 65_000  # GitHub refuses comments over 65,536 characters
SUMMARY_FILES = 5  # files shown per action in the summary
SUMMARY_AREAS = 40
SUMMARY_ACTIONS = 12  # actions shown in the summary (Priority 1 always in full)


def md(value: object) -> str:
    """Inline text with no Markdown or HTML meaning: escaped, on one line."""
    text = printable(str(value)).replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", text)


def prose(value: object, *, in_table: bool = False) -> str:
    """A model sentence: escaped, with its `code` spans kept as code spans."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick (from a file name): plain text
        return md(value)
    return "".join(code(p, in_table=in_table) if n % 2 else md(p) for n, p in enumerate(parts))


def code(value: object, *, in_table: bool = False) -> str:
    """A path or command as an inline code span (`in_table`: with GFM's `\\|` for a pipe)."""
    text = printable(str(value)).replace("\r", " ").replace("\n", " ")
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(md(c) for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(*header), "|" + "|".join("---" for _ in header) + "|", *(_row(*r) for r in rows)]


def _capped(items: list[str], total: int, indent: str = "") -> list[str]:
    more = and_more(total, len(items))
    if more:
        items.append(f"{indent}- {md(more)}")
    return items


def _actions(report: Report, files_per_action: int, limit: int | None = None) -> list[str]:
    """The actions by priority; `limit`: at most that many after Priority 1."""
    out: list[str] = []
    number = 0
    if not report.recommendations:
        return ["Nothing to do: no findings."]
    for level, title in PRIORITY_TITLES.items():
        actions = report.priority(level)
        if not actions:
            continue
        if limit is not None and level > 1 and number >= limit:
            break
        out += [f"### {md(title)}", ""]
        for action in actions:
            if limit is not None and level > 1 and number >= limit:
                break
            number += 1
            out += _action(number, action, files_per_action)
        out.append("")
    more = and_more(len(report.recommendations), number)
    if more:
        out += [md(f"{more} actions in the full report."), ""]
    return out[:-1]


def _action(number: int, action: Action, files_per_action: int) -> list[str]:
    lines = [
        f"{number}. **{prose(action.title)}**: {md(action_effect(action))}.  ",
        f"   {code(action.command)}",
    ]
    items = [f"   - {_item(item)}" for item in action.items[:files_per_action]]
    return lines + _capped(items, len(action.items), "   ")


def _item(item: str) -> str:
    """"path (3 findings)" or "path (N lines, ...): advice": the path as code."""
    path, _, rest = item.partition(" (")
    return f"{code(path)} {md('(' + rest)}" if rest else code(path)


def _entries(entries: Sequence[FileEntry]) -> list[str]:
    return [
        f"{n}. {code(e.path)}: {md(plural(e.lines, 'line'))}, score "
        f"{md(format_score(e.score))} ({md(e.grade)}); {md('; '.join(e.reasons))}"
        for n, e in enumerate(entries, 1)
    ]


def _head(report: Report) -> list[str]:
    comparison = report.comparison
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    out = [
        f"# {md(report.title)}",
        "",
        f"**{prose(report.verdict)}**",
        "",
        (f"{md(report.date)} · {md(plural(report.files, 'file'))} ({md(kinds)}), "
         f"{report.lines:,} lines, {md(plural(report.findings, 'finding'))} "
         f"({md(plural(report.errors, 'error'))}, {md(plural(report.warnings, 'warning'))})"
         f" · scope {', '.join(code(p) for p in report.paths)} of {code(report.root)}"),
    ]
    empty = no_test_line(report)
    if empty:
        out += ["", f"**{md(empty)}**"]
    if comparison is not None and comparison.total is not None:
        delta = comparison.total.findings_delta
        out += [
            "",
            (f"Change since the previous audit ({md(comparison.previous_date or 'undated')}, "
             f"score {md(format_score(comparison.previous_score))}): "
             f"**{md(format_delta(comparison.overall))}** points, "
             f"**{md('n/a' if delta is None else f'{delta:+,}')}** findings"),
        ]
    return out


def _scores(report: Report) -> list[str]:
    comparison = report.comparison
    header: tuple[str, ...] = ("Category", "Score", "Grade", "Weight", "Applicable files",
                               "Failing files", "Details")
    rows = []
    for c in report.audit.categories:
        row: tuple[object, ...] = (c.name, format_score(c.score), c.grade, f"{c.weight:g}",
                                   f"{c.applicable_files:,}", f"{c.failing_files:,}",
                                   report.details[c.id])
        if comparison is not None:
            change = (comparison.category_changes or {}).get(c.id)
            delta = None if change is None else change.findings_delta
            row += (format_delta(comparison.categories.get(c.id)),
                    "n/a" if delta is None else f"{delta:+,}")
        rows.append(row)
    if comparison is not None:
        header += ("Change", "Findings change")
    return _table(header, rows)


def _areas(report: Report, limit: int | None = None) -> list[str]:
    if not report.areas:
        return ["No files."]
    comparison = report.comparison
    header = list(area_header(report))
    rows = [list(r) for r in area_rows(report)]
    if comparison is not None:
        header += ["Change", "Findings change"]
        for area, row in zip(report.areas, rows):
            change = (comparison.area_changes or {}).get(area.name)
            delta = None if change is None else change.findings_delta
            row += [format_delta(None if change is None else change.score_delta),
                    "n/a" if delta is None else f"{delta:+,}"]
    shown = rows if limit is None else rows[:limit]
    out = _table(header, shown)
    more = and_more(len(rows), len(shown))
    return out + (["", md(more)] if more else [])


def _root_causes(report: Report) -> list[str]:
    if not report.root_causes:
        return ["No finding shares a root cause with another file or rule."]
    out = [_row("Root cause", "Files", "Findings cleared", "Gain") + " Command |",
           "|---|---|---|---|---|"]
    for a in report.root_causes:
        out.append(f"| {prose(a.why, in_table=True)} " + _row(f"{a.effort:,}", f"{a.findings:,}",
                                                 format_delta(a.gain)) + f" {code(a.command, in_table=True)} |")
    return out


def _checklist(report: Report) -> list[str]:
    return [
        f"- {'[x]' if item.done else '[ ]' if item.done is False else '(n/a)'} "
        f"{md(item.text)}: {md(item.current)}"
        for item in report.checklist
    ]


def render_markdown(report: Report, *, summary: bool = False) -> str:
    if summary:
        return _summary(report)
    audit = report.audit
    out = _head(report)
    out += ["", "**Standards:**", "",
            *(f"- {md(label)}: {md(value)}" for label, value in report.standards)]
    out += ["", "## What to do first", "", *_actions(report, LIST_LIMIT)]
    out += ["", "## Root causes: fix once, clear many", "", *_root_causes(report)]
    out += ["", "## Scores by area", "", *_areas(report)]
    out += ["", "## Executive summary"]
    for title, lines in (
        ("Strengths", report.strengths),
        ("Areas for improvement", report.improvements),
        ("Not assessed", report.not_assessed),
    ):
        if lines:
            out += ["", f"### {title}", "", *(f"- {md(line)}" for line in lines)]

    out += ["", "## Compliance scores", "", *_scores(report)]
    out += ["", "## Quantitative analysis", ""]
    out += _table(("Measure", "Value"), quantitative_rows(report))
    out += ["", "### Files by kind", ""]
    out += _table(("Kind", "Files"), [(k, f"{n:,}") for k, n in report.files_by_kind.items()])
    out += ["", "### Files by role", ""]
    out += _table(("Role", "Files"), [(k, f"{n:,}") for k, n in report.files_by_role.items()])

    out += ["", "## Exemplary files"]
    for kind, entries in report.exemplary_by_kind.items():
        out += ["", f"### {md(kind.capitalize())}", ""]
        out += _entries(entries) or [f"No {md(kind)} test module collects tests without a finding."]
    if report.no_test_modules:
        out += ["", "## Test modules that collect no tests", "", md(no_test_line(report)), ""]
        out += _capped([f"- {code(e.path)} ({e.lines:,} lines)"
                        for e in report.no_test_modules[:LIST_LIMIT]],
                       len(report.no_test_modules))
    out += ["", "## Files needing attention", ""]
    out += _entries(report.attention) or ["No file has findings."]

    for title, groups, empty in (
        ("Critical issues", report.critical, "No findings of error severity."),
        ("Warnings", report.warning_groups, "No findings of warning severity."),
    ):
        out += ["", f"## {title}", ""]
        if not groups:
            out.append(empty)
        for g in groups:
            out += [
                (f"### {md(g.rule)} {md(g.name)}: {md(plural(g.findings, 'finding'))} in "
                 f"{md(plural(len(g.files), 'file'))}"),
                "",
                *_capped(
                    [f"- {code(path)} ({count:,})" for path, count in g.files[:LIST_LIMIT]],
                    len(g.files),
                ),
                "",
            ]
        if groups:
            out.pop()
    if report.history is not None:
        out += ["", "## History", "", *_history(report)]
    out += ["", "## Acceptance checklist", "", *_checklist(report)]
    out += ["", "---", f"*Generated by testgrade audit on {md(report.date)}*", ""]
    del audit
    return "\n".join(out)


def _history(report: Report) -> list[str]:
    assert report.history is not None
    categories = [c for c in report.audit.categories]
    rows = [
        (p.label, format_score(p.score), "n/a" if p.findings is None else f"{p.findings:,}",
         *(format_score(p.categories.get(c.id)) for c in categories))
        for p in report.history.points
    ]
    return _table(("Audit", "Score", "Findings", *(c.name for c in categories)), rows)


def _summary(report: Report) -> str:
    """The pull-request comment: verdict, actions, areas, scores, checklist."""
    for files_per_action, areas, actions in ((SUMMARY_FILES, SUMMARY_AREAS, SUMMARY_ACTIONS),
                                             (1, 10, 5), (0, 0, 3)):
        out = _head(report)
        out += ["", "### What to do first", ""]
        out += [line.replace("### ", "#### ", 1) if line.startswith("### ") else line
                for line in _actions(report, files_per_action, actions)]
        if areas:
            out += ["", "### Scores by area", "", *_areas(report, areas)]
        out += ["", "### Compliance scores", "", *_scores(report)]
        out += ["", "### Acceptance checklist", "", *_checklist(report)]
        out += ["", (f"*testgrade audit, {md(report.date)}; the full report: "
                "`testgrade audit --format markdown`*"), ""]
        text = "\n".join(out)
        if len(text) <= SUMMARY_LIMIT:
            return text
    return text[:SUMMARY_LIMIT - 40].rsplit("\n", 1)[0] + "\n\n*(cut to fit a comment)*\n"
