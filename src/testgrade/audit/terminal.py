"""The audit in the terminal: a score panel, the category table with bars, the worst files.

Every value from the tree is put in a rich `Text`, never into markup: a file
named `[red]x[/red].py` prints as exactly that. Colour only when asked (a
terminal); the bars are characters, so the table reads the same in a pipe.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from testgrade.audit.model import Report, format_delta, format_score, plural
from testgrade.output import printable

BAR_WIDTH = 20
WORST_FILES = 10


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


def render_terminal(report: Report, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color,
        color_system="standard" if color else None, highlight=False, emoji=False,
        legacy_windows=False,
    )
    audit = report.audit
    comparison = report.comparison
    headline = Text.assemble(
        (f"{audit.grade}  ", f"bold {_style(audit.score)}"),
        ("n/a" if audit.score is None else f"{format_score(audit.score)}/100", "bold"),
    )
    lines = [headline, _t(report.verdict)]
    if comparison is not None:
        lines.append(_t(
            f"Change since the previous audit ({comparison.previous_date or 'undated'}, "
            f"score {format_score(comparison.previous_score)}): {format_delta(comparison.overall)}"
        ))
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    lines.append(_t(
        f"{plural(report.files, 'file')} ({kinds}), {report.lines:,} lines, "
        f"{plural(report.findings, 'finding')} ({plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')})", "dim",
    ))
    console.print(Panel(Group(*lines), title=_t(f"{report.title}, {report.date}"), expand=False))

    table = Table(title="Compliance scores", title_justify="left", expand=False)
    table.add_column("Category")
    table.add_column("Score", justify="right")
    table.add_column("Grade")
    table.add_column("", no_wrap=True)
    if comparison is not None:
        table.add_column("Change", justify="right")
    table.add_column("Details")
    for c in audit.categories:
        row = [_t(c.name), _t(format_score(c.score), _style(c.score)), _t(c.grade), _bar(c.score)]
        if comparison is not None:
            row.append(_t(format_delta(comparison.categories.get(c.id))))
        row.append(_t(report.details[c.id]))
        table.add_row(*row)
    console.print(table)

    if report.attention:
        worst = Table(title="Files needing attention", title_justify="left", expand=False)
        worst.add_column("Score", justify="right")
        worst.add_column("Lines", justify="right")
        worst.add_column("File", overflow="fold")
        worst.add_column("Reasons", overflow="fold")
        for e in report.attention[:WORST_FILES]:
            worst.add_row(_t(format_score(e.score), _style(e.score)), _t(f"{e.lines:,}"),
                          _t(e.path), _t("; ".join(e.reasons)))
        console.print(worst)
    else:
        console.print(_t("No file has findings."))

    if report.recommendations:
        console.print(_t("Recommendations", "bold"))
        for n, r in enumerate(report.recommendations, 1):
            console.print(_t(
                f"{n}. [{r.priority}] {r.text}: score {format_score(r.score_if_fixed)} "
                f"if fixed ({format_delta(r.gain)})"
            ))
    console.print(_t("Acceptance checklist", "bold"))
    for item in report.checklist:
        if item.done is None:
            mark = Text("[-] ", style="dim")
        else:
            mark = Text("[x] ", style="green") if item.done else Text("[ ] ", style="red")
        console.print(mark + _t(f"{item.text}: {item.current}"))
    return buffer.getvalue()
