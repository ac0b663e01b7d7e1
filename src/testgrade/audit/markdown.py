"""The audit as Markdown, for pull requests, wikis and issue trackers.

Every piece of data goes through `md()`: file names are chosen by whoever wrote
the tree, and a `|`, backtick or `[x](javascript:...)` in one must not change
the document's structure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from testgrade.audit.model import (
    LIST_LIMIT,
    Report,
    format_delta,
    format_score,
    plural,
    quantitative_rows,
)
from testgrade.output import printable

# The characters with an inline meaning in CommonMark / GFM (emphasis, code, links,
# images, raw HTML, entities, tables, strikethrough, math). Line-start markers
# (#, -, +, 1.) need no escape: data never starts a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&$])")


def md(value: object) -> str:
    """Inline text with no Markdown or HTML meaning: escaped, on one line."""
    text = printable(str(value)).replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", text)


def _row(*cells: object) -> str:
    return "| " + " | ".join(md(c) for c in cells) + " |"


def _table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> list[str]:
    return [_row(*header), "|" + "|".join("---" for _ in header) + "|", *(_row(*r) for r in rows)]


def _capped(items: list[str], total: int, indent: str = "") -> list[str]:
    if total > len(items):
        items.append(f"{indent}- \u2026 and {md(plural(total - len(items), 'more'))}")
    return items


def render_markdown(report: Report) -> str:
    audit = report.audit
    comparison = report.comparison
    kinds = ", ".join(f"{n:,} {k}" for k, n in report.files_by_kind.items())
    out = [
        f"# {md(report.title)}",
        "",
        f"**Date:** {md(report.date)}  ",
        (f"**Scope:** {md(', '.join(report.paths))} under {md(report.root)}: "
        f"{md(plural(report.files, 'file'))} ({md(kinds)})  "),
        "**Standards:**",
        "",
        *(f"- {md(label)}: {md(value)}" for label, value in report.standards),
        "",
        "## Executive summary",
        "",
        f"**{md(report.verdict)}**",
    ]
    if comparison is not None:
        out += [
            "",
            (f"Change since the previous audit ({md(comparison.previous_date or 'undated')}, "
            f"score {md(format_score(comparison.previous_score))}): "
            f"**{md(format_delta(comparison.overall))}**"),
        ]
    for title, lines in (
        ("Strengths", report.strengths),
        ("Areas for improvement", report.improvements),
        ("Not assessed", report.not_assessed),
    ):
        if lines:
            out += ["", f"### {title}", "", *(f"- {md(line)}" for line in lines)]

    out += ["", "## Quantitative analysis", ""]
    out += _table(("Measure", "Value"), quantitative_rows(report))
    out += ["", "### Files by kind", ""]
    out += _table(("Kind", "Files"), [(k, f"{n:,}") for k, n in report.files_by_kind.items()])
    out += ["", "### Files by role", ""]
    out += _table(("Role", "Files"), [(k, f"{n:,}") for k, n in report.files_by_role.items()])
    out += ["", "### Files by top-level directory", ""]
    out += _table(("Directory", "Files"),
                  [(d, f"{n:,}") for d, n in report.files_by_directory.items()])

    out += ["", "## Compliance scores", ""]
    header: tuple[str, ...] = ("Category", "Score", "Grade", "Weight", "Applicable files",
                               "Failing files", "Details")
    rows = []
    for c in audit.categories:
        row: tuple[object, ...] = (c.name, format_score(c.score), c.grade, f"{c.weight:g}",
                                   f"{c.applicable_files:,}", f"{c.failing_files:,}",
                                   report.details[c.id])
        if comparison is not None:
            row += (format_delta(comparison.categories.get(c.id)),)
        rows.append(row)
    if comparison is not None:
        header += ("Change",)
    out += _table(header, rows)

    for title, entries, empty in (
        ("Exemplary files", report.exemplary, "No test module is free of findings."),
        ("Files needing attention", report.attention, "No file has findings."),
    ):
        out += ["", f"## {title}", ""]
        out += [
            f"{n}. **{md(e.path)}**: {md(plural(e.lines, 'line'))}, score "
            f"{md(format_score(e.score))} ({md(e.grade)}); {md('; '.join(e.reasons))}"
            for n, e in enumerate(entries, 1)
        ] or [empty]

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
                    [f"- {md(path)} ({count:,})" for path, count in g.files[:LIST_LIMIT]],
                    len(g.files),
                ),
                "",
            ]
        if groups:
            out.pop()

    out += ["", "## Recommendations", ""]
    if not report.recommendations:
        out.append("Nothing to recommend: no findings.")
    for n, r in enumerate(report.recommendations, 1):
        out.append(
            f"{n}. **Priority {md(r.priority)}:** {md(r.text)}. Fixing every {md(r.rule)} "
            f"finding raises the overall score to {md(format_score(r.score_if_fixed))} "
            f"({md(format_delta(r.gain))})."
        )
        out += _capped([f"   - {md(item)}" for item in r.items[:LIST_LIMIT]], len(r.items),
                       "   ")
    out += ["", "## Acceptance checklist", ""]
    out += [
        f"- {'[x]' if item.done else '[ ]' if item.done is False else '(n/a)'} "
        f"{md(item.text)}: {md(item.current)}"
        for item in report.checklist
    ]
    out += ["", "---", f"*Generated by testgrade audit on {md(report.date)}*", ""]
    return "\n".join(out)
