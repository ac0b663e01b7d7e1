"""The audit in the terminal: verdict, scores per category and area, what to do first.

Every value from the tree is put in a rich `Text`, never into markup: a file
named `[red]x[/red].py` prints as exactly that. Colour only when asked (a
terminal without NO_COLOR); the bars are characters, so the report reads the
same in a pipe. Paths never wrap mid-name: they are shortened from the left
("…/events/test_x.py") to the space they have, and commands are printed whole.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from testgrade.audit.model import (
    PRIORITY_TITLES,
    Report,
    action_effect,
    and_more,
    area_header,
    area_rows,
    format_delta,
    format_score,
    no_test_line,
)
from testgrade.output import plural, printable

BAR_WIDTH = 20
WORST_FILES = 10
FILES_PER_ACTION = 5
ELLIPSIS = "\u2026"


def _t(value: object, style: str = "") -> Text:
    return Text(printable(str(value)), style=style)


def _style(score: float | None) -> str:
    if score is None:
        return "dim"
    return "green" if score >= 90 else "yellow" if score >= 70 else "red"


def _bar(score: float | None) -> Text:
    if score is None:
        return Text("n/a".ljust(BAR_WIDTH), style="dim")
    filled = round(BAR_WIDTH * score / 100)
    return Text("\u2588" * filled, style=_style(score)) + Text("\u2591" * (BAR_WIDTH - filled),
                                                               style="dim")


def shorten_path(path: str, width: int) -> str:
    """`path` in at most `width` characters, cut from the left at a `/`: the file name
    is what a reader needs, and a name is never split (even one longer than `width`)."""
    path = printable(path)
    if len(path) <= width:
        return path
    parts = path.split("/")
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + 1 + len(kept) + 2 > width:
            break
        kept = f"{part}/{kept}"
    # A name longer than the width stays whole: the terminal may wrap it, we never cut it.
    return f"{ELLIPSIS}/{kept}"


def _delta_findings(delta: int | None) -> str:
    return "n/a" if delta is None else f"{delta:+,}"


def render_terminal(report: Report, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color,
        color_system="standard" if color else None, highlight=False, emoji=False,
        legacy_windows=False,
    )
    audit = report.audit
    comparison = report.comparison
    lines = [_t(report.verdict, f"bold {_style(audit.score)}")]
    if comparison is not None and comparison.total is not None:
        lines.append(_t(
            f"Change since the previous audit ({comparison.previous_date or 'undated'}, "
            f"score {format_score(comparison.previous_score)}): "
            f"{format_delta(comparison.overall)} points, "
            f"{_delta_findings(comparison.total.findings_delta)} findings"
        ))
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    lines.append(_t(
        f"{plural(report.files, 'file')} ({kinds}), {report.lines:,} lines, "
        f"{plural(report.findings, 'finding')} ({plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')})", "dim",
    ))
    empty = no_test_line(report)
    if empty:
        lines.append(_t(empty, "yellow"))
    console.print(Panel(Group(*lines), title=_t(f"{report.title}, {report.date}")))

    table = Table(title="Compliance scores", title_justify="left")
    table.add_column("Category")
    table.add_column("Score", justify="right")
    table.add_column("Grade")
    table.add_column("0 to 100", no_wrap=True)
    if comparison is not None:
        table.add_column("Change", justify="right")
        table.add_column("Findings change", justify="right")
    table.add_column("Details")
    for c in audit.categories:
        row = [_t(c.name), _t(format_score(c.score), _style(c.score)), _t(c.grade), _bar(c.score)]
        if comparison is not None:
            change = (comparison.category_changes or {}).get(c.id)
            row.append(_t(format_delta(comparison.categories.get(c.id))))
            row.append(_t(_delta_findings(change.findings_delta if change else None)))
        row.append(_t(report.details[c.id]))
        table.add_row(*row)
    console.print(table)

    if len(report.areas) > 1:
        _areas(console, report, width)

    if report.history is not None:
        history = Table(title="Score over time", title_justify="left")
        history.add_column("Audit", no_wrap=True)
        history.add_column("Score", justify="right")
        history.add_column("Findings", justify="right")
        for c in audit.categories:
            history.add_column(c.id, justify="right")
        for point in report.history.points:
            history.add_row(
                _t(point.label), _t(format_score(point.score)),
                _t("n/a" if point.findings is None else f"{point.findings:,}"),
                *(_t(format_score(point.categories.get(c.id))) for c in audit.categories),
            )
        console.print(history)

    _actions(console, report, width)
    _files(console, report, width)

    console.print(_t("Acceptance checklist", "bold"))
    for item in report.checklist:
        if item.done is None:
            mark = Text("[-] ", style="dim")
        else:
            mark = Text("[x] ", style="green") if item.done else Text("[ ] ", style="red")
        console.print(mark + _t(f"{item.text}: {item.current}"))
    return buffer.getvalue()


def _actions(console: Console, report: Report, width: int) -> None:
    if not report.recommendations:
        console.print(_t("Nothing to do: no findings."))
        return
    number = 0
    for level, title in PRIORITY_TITLES.items():
        actions = report.priority(level)
        if not actions:
            continue
        console.print(_t(title, "bold"))
        for action in actions:
            number += 1
            grid = Table.grid(padding=(0, 1))
            grid.add_column(justify="right", no_wrap=True)
            grid.add_column()
            grid.add_row(_t(f"{number}."), _t(action.title))
            grid.add_row(_t(""), _t(action_effect(action), "dim"))
            console.print(grid)
            # Whole, never wrapped by us: it must survive copy and paste.
            console.print(_t(f"   $ {action.command}", "cyan"), soft_wrap=True)
    if report.root_causes:
        causes = Table(title="Root causes: fix once, clear many", title_justify="left")
        causes.add_column("Root cause")
        causes.add_column("Files", justify="right")
        causes.add_column("Findings cleared", justify="right")
        causes.add_column("Gain", justify="right")
        for action in report.root_causes:
            causes.add_row(_t(action.why), _t(f"{action.effort:,}"), _t(f"{action.findings:,}"),
                           _t(format_delta(action.gain)))
        console.print(causes)


def _files(console: Console, report: Report, width: int) -> None:
    for kind, entries in report.exemplary_by_kind.items():
        if not entries:
            continue
        console.print(_t(f"Exemplary {kind} files", "bold"))
        for e in entries:
            console.print(_t(f"- {shorten_path(e.path, width - 2)}", "green"))
            console.print(_t(f"  {'; '.join(e.reasons)}", "dim"))
    if report.no_test_modules:
        console.print(_t(no_test_line(report), "bold"))
        for e in report.no_test_modules[:WORST_FILES]:
            console.print(_t(f"- {shorten_path(e.path, width - 16)} ({e.lines:,} lines)"))
        more = and_more(len(report.no_test_modules), WORST_FILES)
        if more:
            console.print(_t(f"  {more}"))
    if not report.attention:
        console.print(_t("No file has findings."))
        return
    entries = report.attention[:WORST_FILES]
    lines_width = max(5, *(len(f"{e.lines:,}") for e in entries))
    longest = max(len(printable(e.path)) for e in entries)
    # Score, Lines and the table's borders take 13 + 5 + lines_width columns.
    if longest <= (width - 13 - 5 - lines_width) * 3 // 5:
        worst = Table(title="Files needing attention", title_justify="left")
        worst.add_column("Score", justify="right")
        worst.add_column("Lines", justify="right")
        worst.add_column("File", no_wrap=True, min_width=longest)
        worst.add_column("Reasons")
        for e in entries:
            worst.add_row(_t(format_score(e.score), _style(e.score)), _t(f"{e.lines:,}"),
                          _t(e.path), _t("; ".join(e.reasons)))
        console.print(worst)
        return
    # Too narrow for whole paths in a column: each path on its own line instead.
    console.print(_t("Files needing attention", "bold"))
    for e in entries:
        console.print(_t(f"- {shorten_path(e.path, width - 2)}"), soft_wrap=True)
        console.print(_t(f"  score {format_score(e.score)} ({e.grade}), {e.lines:,} lines: "
                         f"{'; '.join(e.reasons)}", _style(e.score)))


def _areas(console: Console, report: Report, width: int) -> None:
    """Area x category when it fits; else each area with its weakest category."""
    comparison = report.comparison
    header = list(area_header(report, short=True))
    rows = [list(r) for r in area_rows(report)]
    changes: list[list[str]] = []
    for area in report.areas:
        if comparison is None:
            changes.append([])
            continue
        change = (comparison.area_changes or {}).get(area.name)
        changes.append([format_delta(change.score_delta if change else None),
                        _delta_findings(change.findings_delta if change else None)])
    extra = ["Change", "Findings\nchange"] if comparison is not None else []
    # Category ids break at their hyphens into header lines.
    full = header[:5] + [h.replace("-", "-\n") for h in header[5:]] + extra
    full_rows = [r + c for r, c in zip(rows, changes)]
    compact = header[:5] + ["Weakest category"] + extra
    compact_rows = []
    for area, row, deltas in zip(report.areas, rows, changes):
        scored = [c for c in area.categories if c.score is not None]
        weakest = min(scored, key=lambda c: (c.score or 0.0, c.id), default=None)
        text = "n/a" if weakest is None else f"{weakest.id} {format_score(weakest.score)}"
        compact_rows.append(row[:5] + [text] + deltas)

    def needed(headings: list[str], cells: list[list[str]]) -> int:
        widths = [max(max(len(p) for p in h.split("\n")), *(len(printable(r[n])) for r in cells))
                  for n, h in enumerate(headings)]
        return sum(widths) + 3 * len(widths) + 1

    headings, cells = (full, full_rows) if needed(full, full_rows) <= width else (
        compact, compact_rows)
    table = Table(title="Scores by area", title_justify="left")
    for n, heading in enumerate(headings):
        numeric = n not in (0, 4) and heading != "Weakest category"
        table.add_column(heading, justify="right" if numeric else "left", no_wrap=n == 0)
    for area, row in zip(report.areas, cells):
        table.add_row(*(_t(v, _style(area.score) if n == 3 else "") for n, v in enumerate(row)))
    console.print(table)
