"""Findings in the formats CI systems read: SARIF 2.1.0, JUnit XML, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.etree import ElementTree

from testgrade import __version__
from testgrade.catalogue import load_catalogue
from testgrade.ftypes import FileResult, Severity
from testgrade.output import all_findings, printable

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def render_sarif(results: Sequence[FileResult]) -> str:
    """One SARIF run; every catalogue rule is described, every finding located."""
    catalogue = load_catalogue()
    rule_ids = list(catalogue)
    rules = [
        {
            "id": spec.id,
            "name": spec.name,
            "shortDescription": {"text": spec.summary},
            "fullDescription": {"text": " ".join(spec.rationale.split())},
            "defaultConfiguration": {"level": _SARIF_LEVEL[spec.severity]},
            "properties": {"category": spec.category},
        }
        for spec in catalogue.values()
    ]
    findings = [
        {
            "ruleId": finding.rule,
            "ruleIndex": rule_ids.index(finding.rule),
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
        }
        for finding in all_findings(results)
    ]
    document = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {"driver": {"name": "testgrade", "version": __version__, "rules": rules}},
                "results": findings,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_junit(results: Sequence[FileResult]) -> str:
    """A test suite per checked file; each finding is a failed test case in it.

    Control characters (from hostile file names) are escaped: XML 1.0 cannot hold them.
    """
    findings = all_findings(results)
    root = ElementTree.Element(
        "testsuites",
        name="testgrade",
        tests=str(sum(max(1, len(r.findings)) for r in results)),
        failures=str(len(findings)),
    )
    for result in results:
        path = printable(result.path)
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(max(1, len(result.findings))),
            failures=str(len(result.findings)),
        )
        if not result.findings:
            ElementTree.SubElement(suite, "testcase", classname=path, name="testgrade")
        for finding in result.findings:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{finding.rule} at {finding.line}:{finding.column}",
            )
            message = printable(finding.message)
            failure = ElementTree.SubElement(case, "failure", message=message, type=finding.rule)
            failure.text = (
                f"{path}:{finding.line}:{finding.column}: {finding.rule} "
                f"[{finding.severity.value}] {message}"
            )
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)  # no terminal escape sequences into the CI log


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Sequence[FileResult]) -> str:
    """GitHub Actions workflow commands: one `::error` / `::warning` line per finding."""
    catalogue = load_catalogue()
    lines = []
    for finding in all_findings(results):
        level = "error" if finding.severity is Severity.ERROR else "warning"
        title = f"{finding.rule} {catalogue[finding.rule].name}"
        lines.append(
            f"::{level} file={_escape_property(finding.path)},line={finding.line},"
            f"col={finding.column},title={_escape_property(title)}::"
            f"{_escape_data(finding.message)}"
        )
    return "".join(line + "\n" for line in lines)
