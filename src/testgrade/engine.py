"""The engine: bytes in, one FileResult out, for one file.

Bytes are read once and decoded per PEP 263, parsed once with libcst, walked
once at statement level by every rule that applies, and walked a second time
at expression level (reading node fields in place, see `walk.walk_expressions`)
only if some rule asks for it. Positions are computed for
reported nodes only. Code under analysis is never imported or executed.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache

import libcst as cst
import pathspec

from testgrade.catalogue import load_catalogue, selected_rules
from testgrade.checks import RULES
from testgrade.checks.base import FileContext, Report, Rule
from testgrade.checks.bvj import MissingBvj
from testgrade.classify import kind_from_path, role_of
from testgrade.config import Config
from testgrade.fingerprints import fingerprint, normalise_code
from testgrade.ftypes import FileResult, Finding, Kind, Severity, Suppression
from testgrade.guards import check_size, check_structure, line_and_column
from testgrade.parsing import fewer_collections, parse_module
from testgrade.positions import locate
from testgrade.scopes import Scopes
from testgrade.source import DecodeError, count_lines, decode_source
from testgrade.suppressions import (
    Directive,
    DirectiveComment,
    directive_comments,
    find_directives,
    suppression_problem,
)
from testgrade.walk import (
    UNWALKED_TYPES,
    ExpressionHandler,
    Statement,
    iter_statements,
    walk_expressions,
)

PARSE_ERROR = "TG000"
UNUSED_SUPPRESSION = "TG001"
# Line starts after \n, \r\n or a lone \r: Python counts all three as line ends.
_CONFLICT_MARKER = re.compile(r"(?:^|(?<=\r))(<{7}|={7}|>{7})(?:[ \r]|$)", re.MULTILINE)


class RuleSelection:
    """Which rules run on which file: select / ignore prefixes and per-file-ignores."""

    def __init__(self, config: Config) -> None:
        self.enabled = selected_rules(config.select, config.ignore, config.opted_in())
        self.per_file = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), prefixes)
            for pattern, prefixes in config.per_file_ignores.items()
        ]

    def for_file(self, relpath: str) -> frozenset[str]:
        ignored = [
            prefix
            for spec, prefixes in self.per_file
            if spec.match_file(relpath)
            for prefix in prefixes
        ]
        if not ignored:
            return self.enabled
        return frozenset(r for r in self.enabled if not any(r.startswith(p) for p in ignored))


def file_error(relpath: str, message: str, line: int = 1, column: int = 1) -> FileResult:
    """The result for a file that could not be read, decoded or parsed."""
    finding = Finding(
        relpath, line, column, PARSE_ERROR, message, Severity.ERROR,
        fingerprint=fingerprint(relpath, PARSE_ERROR, Severity.ERROR.value, (), ""),
    )
    return FileResult(
        path=relpath, role=role_of(relpath), kind=Kind.UNIT,
        lines=0, tests=0, tests_with_bvj=0, findings=(finding,),
    )


def _parse(text: str, relpath: str) -> cst.Module | FileResult:
    try:
        return parse_module(text)
    except cst.ParserSyntaxError as exc:
        return _syntax_error(text, relpath, exc)
    except RecursionError:
        return file_error(relpath, "Cannot parse: code nested too deeply for the parser")
    except MemoryError:
        raise  # the worker's memory budget, not the file: reported there, never cached
    except Exception as exc:  # libcst may raise other errors on inputs it cannot model
        return file_error(relpath, f"Cannot parse: {type(exc).__name__}: {exc}")


def _syntax_error(text: str, relpath: str, exc: cst.ParserSyntaxError) -> FileResult:
    """Locate a syntax error as Python does: libcst often points a token too late.

    `ast.parse` only builds a tree; nothing is compiled to bytecode or executed.
    """
    conflict = _CONFLICT_MARKER.search(text)
    if conflict is not None:
        line, _ = line_and_column(text, conflict.start())
        return file_error(relpath, "Unresolved merge conflict marker; resolve the merge", line)
    try:
        ast.parse(text)
    except SyntaxError as error:
        if error.lineno is not None:
            column = max(error.offset or 1, 1)
            return file_error(relpath, f"Syntax error: {error.msg}", error.lineno, column)
    except (RecursionError, MemoryError, ValueError):
        pass
    message = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
    return file_error(relpath, f"Syntax error: {message}", exc.raw_line, exc.raw_column + 1)


def _dispatch(rules: list[Rule], statements: list[Statement]) -> None:
    """Statement-level visits for every rule, then one expression walk if any rule asks.
    Every report names the statement it was made from (`Rule.report` insists): where
    `positions.locate` starts looking for it."""
    table: dict[type, list[Callable[[Statement], None]]] = {}
    for statement in statements:
        node_type = type(statement.node)
        methods = table.get(node_type)
        if methods is None:
            name = f"visit_{node_type.__name__}"
            methods = table[node_type] = [
                getattr(rule, name) for rule in rules if hasattr(rule, name)
            ]
        for method in methods:
            method(statement)
    handlers: dict[type, list[ExpressionHandler]] = defaultdict(list)
    for rule in rules:
        for node_type, handler in rule.expression_handlers().items():
            if issubclass(node_type, UNWALKED_TYPES):
                raise TypeError(f"{type(rule).__name__}: the expression walk never visits "
                                f"{node_type.__name__} nodes")
            handlers[node_type].append(handler)
    if handlers:
        walk_expressions(statements, handlers)


def _scope_names(origin: Statement | None) -> tuple[str, ...]:
    return () if origin is None else tuple(scope.name.value for scope in origin.scopes)


def _resolve(
    reports: Iterable[Report],
    module: cst.Module,
    relpath: str,
    comments: list[DirectiveComment],
    enabled: frozenset[str],
    *,
    text: str,
    statements: list[Statement],
) -> tuple[list[Finding], list[Suppression]]:
    catalogue = load_catalogue()
    reports = list(reports)
    targets = [
        (n, r.origin) for r in reports for n in (r.node, r.line_node) if n is not None
    ]
    if comments:  # each comment starts its search at its own statement, not the file's top
        holding: dict[int, Statement] = {}
        for statement in statements:
            holding.setdefault(id(statement.line_node), statement)
        targets += [
            (comment, holding.get(id(owner)) if owner is not None else None)
            for comment, owner, _ in comments
        ]
    positions = locate(module, text, targets, statements)  # one pass: findings and comments
    directives = find_directives(comments, positions)
    file_wide = [d for d in directives if d.whole_file]
    by_line: dict[int, list[Directive]] = defaultdict(list)
    for directive in directives:
        if not directive.whole_file:
            by_line[directive.line].append(directive)
    used: set[int] = set()
    findings = []
    for report in reports:
        line, column = positions.get(id(report.node), (1, 1)) if report.node else (1, 1)
        lines = {line}
        if report.line_node is not None:
            lines.add(positions.get(id(report.line_node), (line, column))[0])
        silencing = [d for d in file_wide if d.covers(report.rule)] or [
            d for n in sorted(lines) for d in by_line.get(n, ()) if d.covers(report.rule)
        ]
        if silencing:
            used.update(id(d) for d in silencing)
            continue
        spec = catalogue[report.rule]
        severity = report.severity or spec.severity
        findings.append(
            Finding(
                path=relpath,
                line=line,
                column=column,
                rule=report.rule,
                message=report.message,
                severity=severity,
                fixable=spec.fixable if report.fixable is None else report.fixable,
                cause=report.cause,
                fingerprint=fingerprint(
                    relpath, report.rule, severity.value, _scope_names(report.origin),
                    _anchor(module, report.node),
                ),
            )
        )
    if UNUSED_SUPPRESSION in enabled:
        findings += _suppression_findings(directives, used, relpath, enabled)
    suppressions = [
        Suppression(d.line, d.rules, d.reason, d.whole_file, id(d) in used) for d in directives
    ]
    return sorted(findings), suppressions


def _suppression_findings(
    directives: list[Directive], used: set[int], relpath: str, enabled: frozenset[str]
) -> list[Finding]:
    """TG001 for suppressions that silence nothing or name unknown rules."""
    known = frozenset(load_catalogue())
    findings = []
    for directive in directives:
        problem = suppression_problem(directive, id(directive) in used, enabled, known)
        if problem is None:
            continue
        message, removable = problem
        findings.append(
            Finding(
                path=relpath, line=directive.line, column=directive.column,
                rule=UNUSED_SUPPRESSION, message=message, severity=Severity.WARNING,
                fixable=removable,
                fingerprint=fingerprint(relpath, UNUSED_SUPPRESSION, Severity.WARNING.value, (),
                                        normalise_code(directive.text)),
            )
        )
    return findings


def _anchor(module: cst.Module, node: cst.CSTNode | None) -> str:
    """What a finding is about, as code that does not change when lines move: a
    definition by its name (its body may change), anything else by its source."""
    if node is None:
        return ""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return f"{type(node).__name__} {node.name.value}"
    return normalise_code(module.code_for_node(node))


def lint_source(
    data: bytes,
    relpath: str,
    config: Config,
    *,
    package: str | None = None,
    selection: RuleSelection | None = None,
) -> FileResult:
    """Check one file's bytes. Never raises for bad input: it becomes a TG000 finding."""
    with fewer_collections():  # the tree is live until the end: no collection needs it
        return _lint_source(data, relpath, config, package, selection or RuleSelection(config))


def _lint_source(
    data: bytes, relpath: str, config: Config, package: str | None, selection: RuleSelection
) -> FileResult:
    enabled = selection.for_file(relpath)

    def unreadable(message: str, line: int = 1, column: int = 1) -> FileResult:
        return _unreadable(file_error(relpath, message, line, column), data, config, enabled)

    too_big = check_size(len(data), config.limits.max_file_bytes)
    if too_big is not None:
        return unreadable(too_big.message)
    try:
        decoded = decode_source(data)
    except DecodeError as exc:
        return unreadable(str(exc), exc.line, exc.column)
    if "\x00" in decoded.text:
        line, _ = line_and_column(decoded.text, decoded.text.index("\x00"))
        return unreadable("File contains NUL bytes; not Python source", line)
    refusal = check_structure(decoded.text)  # what would crash or stall libcst
    if refusal is not None:
        return unreadable(refusal.message, refusal.line, refusal.column)
    parsed = _parse(decoded.text, relpath)
    if isinstance(parsed, FileResult):
        return _unreadable(parsed, data, config, enabled)
    module = parsed
    role = role_of(relpath)
    statements = list(iter_statements(module))
    scopes = Scopes(
        statements,
        path=relpath,
        role=role,
        path_kind=kind_from_path(relpath, integration_spec(config.integration_paths)),
        integration_bases=config.integration_bases,
    )
    kind = scopes.file_kind.kind
    ctx = FileContext(
        path=relpath,
        text=decoded.text,
        lines=count_lines(decoded.text),
        role=role,
        kind=kind,
        package=package,
        config=config,
        module=module,
        scopes=scopes,
    )
    rules = [
        rule_class(ctx)
        for rule_id, rule_class in RULES.items()
        if (rule_id in enabled or rule_class is MissingBvj) and rule_class.applies_to(ctx)
    ]
    if statements:
        _dispatch(rules, statements)
    for rule in rules:
        rule.finish()
    reports = [r for rule in rules for r in rule.reports if r.rule in enabled]
    findings, suppressions = _resolve(
        reports, module, relpath, directive_comments(module, decoded.text), enabled,
        text=decoded.text, statements=statements,
    )
    counter = next((r for r in rules if isinstance(r, MissingBvj)), None)
    return FileResult(
        path=relpath,
        role=role,
        kind=kind,
        lines=ctx.lines,
        tests=len(scopes.tests),
        tests_with_bvj=counter.tests_with_bvj if counter else 0,
        findings=tuple(findings),
        suppressions=tuple(suppressions),
        depends=tuple(sorted(ctx.depends.items())),
    )


def _unreadable(
    result: FileResult, data: bytes, config: Config, enabled: frozenset[str]
) -> FileResult:
    """A file that could not be parsed still has a size and a place in the tree (the
    audit counts its lines; an unparsable integration test is still one). Its TG000
    is dropped only when TG000 is deselected."""
    ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")  # as count_lines
    lines = ends + (0 if not data or data.endswith((b"\n", b"\r")) else 1)
    return replace(
        result,
        kind=kind_from_path(result.path, integration_spec(config.integration_paths)),
        lines=lines,
        findings=result.findings if PARSE_ERROR in enabled else (),
    )


@lru_cache(maxsize=16)
def integration_spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)
