"""Findings in the formats CI systems read: SARIF 2.1.0, JUnit XML, GitHub annotations."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from testgrade import __version__
from testgrade.catalogue import RuleSpec, describe, load_catalogue
from testgrade.ftypes import FileResult, Severity
from testgrade.output import AS_RECORDED, DisplayPaths, all_findings, printable

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}
# Where docs/rules.md is published; each rule's helpUri is an anchor in it.
RULES_DOCS_URL = "https://github.com/testgrade/testgrade/blob/main/docs/rules.md"
# The SARIF base id of the directory result URIs are relative to (GitHub code scanning
# resolves them from the repository root, where the workflow runs testgrade).
SRCROOT = "%SRCROOT%"


def rule_anchor(spec: RuleSpec) -> str:
    """The anchor GitHub gives the rule's heading in docs/rules.md (`## TG101 name`)."""
    heading = f"{spec.id} {spec.name}".lower()
    return re.sub(r"[^a-z0-9 _-]", "", heading).replace(" ", "-")


def _uri(path: str) -> str:
    """A relative path as a URI reference: space, `%`, `#`, `?` and non-ASCII
    percent-encoded (a raw `#` would start a fragment); undecodable file names
    (held as lone surrogates) as their original bytes."""
    return quote(path, safe="/", errors="surrogateescape")


def _directory_uri(directory: Path) -> str:
    return "file://" + _uri(Path(os.path.abspath(directory)).as_posix().rstrip("/") + "/")


def _sarif_rule(spec: RuleSpec) -> dict[str, object]:
    return {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": " ".join(spec.rationale.split())},
        "help": {"text": " ".join(spec.rationale.split()), "markdown": describe(spec)},
        "helpUri": f"{RULES_DOCS_URL}#{rule_anchor(spec)}",
        "defaultConfiguration": {"level": _SARIF_LEVEL[spec.severity]},
        "properties": {"category": spec.category},
    }


def render_sarif(results: Sequence[FileResult], paths: DisplayPaths = AS_RECORDED) -> str:
    """One SARIF run; every catalogue rule is described, every finding located.

    URIs are relative to %SRCROOT% (the current directory, or the project root when
    the two are unrelated), which `originalUriBaseIds` states as an absolute URI.
    """
    catalogue = load_catalogue()
    rule_ids = list(catalogue)
    findings = [
        {
            "ruleId": finding.rule,
            "ruleIndex": rule_ids.index(finding.rule),
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _uri(paths.show(finding.path)), "uriBaseId": SRCROOT,
                        },
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
            "partialFingerprints": {"testgrade/v1": finding.fingerprint},
        }
        for finding in all_findings(results)
    ]
    base = paths.base or paths.root or Path.cwd()
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "testgrade",
                "version": __version__,
                "informationUri": RULES_DOCS_URL,
                "rules": [_sarif_rule(spec) for spec in catalogue.values()],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "workingDirectory": {"uri": _directory_uri(Path.cwd())},
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(base)}},
        "results": findings,
    }
    document = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [run],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_junit(results: Sequence[FileResult], paths: DisplayPaths = AS_RECORDED) -> str:
    """A test suite per checked file; each finding is a failed test case in it, named
    by rule and fingerprint so that its name survives lines moving (CI dashboards track
    test cases by name), with `file` and `line` for the views that link to code.

    Control characters (from hostile file names) are escaped: XML 1.0 cannot hold them.
    """
    catalogue = load_catalogue()
    findings = all_findings(results)
    root = ElementTree.Element(
        "testsuites",
        name="testgrade",
        tests=str(sum(max(1, len(r.findings)) for r in results)),
        failures=str(len(findings)),
    )
    for result in results:
        path = printable(paths.show(result.path))
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
                name=f"{finding.rule} {catalogue[finding.rule].name} {finding.fingerprint}",
                file=path,
                line=str(finding.line),
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


def render_github(results: Sequence[FileResult], paths: DisplayPaths = AS_RECORDED) -> str:
    """GitHub Actions workflow commands: one `::error` / `::warning` line per finding."""
    catalogue = load_catalogue()
    lines = []
    for finding in all_findings(results):
        level = "error" if finding.severity is Severity.ERROR else "warning"
        title = f"{finding.rule} {catalogue[finding.rule].name}"
        lines.append(
            f"::{level} file={_escape_property(paths.show(finding.path))},line={finding.line},"
            f"col={finding.column},title={_escape_property(title)}::"
            f"{_escape_data(finding.message)}"
        )
    return "".join(line + "\n" for line in lines)
