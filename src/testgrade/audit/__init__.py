"""`testgrade audit`: the graded compliance report, one renderer per format."""

from __future__ import annotations

from testgrade.audit.htmlpage import render_html
from testgrade.audit.jsondoc import render_json
from testgrade.audit.markdown import render_markdown
from testgrade.audit.model import Report, build_report
from testgrade.audit.terminal import render_terminal

FORMATS = ("text", "markdown", "json", "html")


def render(
    report: Report, output_format: str, *, color: bool = False, width: int = 100,
    summary: bool = False,
) -> str:
    """The report in one of FORMATS; `summary`: Markdown's short pull-request version."""
    if output_format == "markdown":
        return render_markdown(report, summary=summary)
    if output_format == "json":
        return render_json(report)
    if output_format == "html":
        return render_html(report)
    return render_terminal(report, color=color, width=width)


__all__ = ["FORMATS", "Report", "build_report", "render"]
