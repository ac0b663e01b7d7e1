"""Cheap structural traversal of a libcst module.

Most rules only need statements: imports, function and class definitions,
module-level assignments. Walking statements (and never descending into
expressions) costs a small fraction of a full `CSTVisitor` pass, which on
libcst rebuilds and re-validates every node and so costs as much as the parse
itself. Rules that need expressions get them from `walk_expressions`, which
reads node fields in place (no rebuilding), only for the files that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import libcst as cst

Scope = cst.ClassDef | cst.FunctionDef

# libcst's node classes have ABCMeta as metaclass, so an `isinstance` that fails
# costs a trip through `ABCMeta.__instancecheck__`. The parser builds only these
# concrete classes (nothing subclasses them), so on hot paths the exact type is
# compared instead: the same answer, several times cheaper.
_LINES = frozenset({cst.SimpleStatementLine, cst.SimpleStatementSuite})
_SCOPES = frozenset({cst.ClassDef, cst.FunctionDef})
_SUITES = frozenset({cst.IndentedBlock, cst.SimpleStatementSuite})
_TRIES = frozenset({cst.Try, cst.TryStar})


@dataclass(frozen=True)
class Statement:
    """One statement with the classes and functions that enclose it."""

    node: cst.CSTNode  # a small statement (Import, Assign, ...) or a compound one
    line_node: cst.CSTNode  # the whole statement line it sits on, for suppressions
    scopes: tuple[Scope, ...]
    indent: str = ""  # the indentation of the block it sits in, as libcst prints it


def clauses(node: Any) -> Iterator[tuple[cst.CSTNode, cst.BaseSuite]]:
    """(clause, suite) for each suite a compound statement directly owns, in source
    order: the statement and its body, then each `except` handler, `case`, `elif`
    (an If), `else` and `finally` with theirs. A Match has no body of its own."""
    body: Any = getattr(node, "body", None)
    if type(body) in _SUITES:
        yield node, body
    node_type = type(node)
    if node_type in _TRIES:
        for handler in node.handlers:
            yield handler, handler.body
    if node_type is cst.Match:
        for case in node.cases:
            yield case, case.body
    orelse = getattr(node, "orelse", None)
    while orelse is not None:
        yield orelse, orelse.body
        orelse = getattr(orelse, "orelse", None) if type(orelse) is cst.If else None
    final = getattr(node, "finalbody", None)
    if final is not None:
        yield final, final.body


def suite_statements(suite: cst.BaseSuite) -> tuple[cst.CSTNode, ...]:
    if type(suite) is cst.SimpleStatementSuite:
        return (suite,)
    return tuple(suite.body)


def iter_statements(module: cst.Module) -> Iterator[Statement]:
    """Every statement in source order, descending into all nested bodies."""
    stack: list[tuple[Any, tuple[Scope, ...], str]] = [
        (stmt, (), "") for stmt in reversed(module.body)
    ]
    default_indent = module.default_indent
    while stack:
        node, scopes, indent = stack.pop()  # Any: dispatched on exact type below
        node_type = type(node)
        if node_type in _LINES:
            for small in node.body:
                yield Statement(small, node, scopes, indent)
            continue
        yield Statement(node, node, scopes, indent)
        inner = scopes + (node,) if node_type in _SCOPES else scopes
        children: list[tuple[Any, tuple[Scope, ...], str]] = []
        base = indent
        if node_type is cst.Match:  # its cases are indented, then their bodies
            base += default_indent if node.indent is None else node.indent
        for _, block in clauses(node):
            if type(block) is cst.IndentedBlock:
                deeper = base + (default_indent if block.indent is None else block.indent)
            else:  # a one-line suite sits on its statement's line, at its indentation
                deeper = base
            children.extend((stmt, inner, deeper) for stmt in suite_statements(block))
        stack.extend(reversed(children))


ExpressionHandler = Callable[[cst.CSTNode, Statement], None]

# Fields that hold only whitespace, comments, brackets and punctuation: never walked.
_TRIVIA_FIELDS = frozenset({
    "leading_lines", "lines_after_decorators", "trailing_whitespace", "header", "footer",
    "newline", "empty_lines", "first_line", "last_line", "comment", "lpar", "rpar", "lbrace",
    "rbrace", "lbracket", "rbracket", "comma", "semicolon", "colon", "first_colon",
    "second_colon", "equal", "dot", "relative", "trailing_comma",
})
# Node types the expression walk never visits: the walk is by statement, and
# trivia is skipped (it is most of the nodes of a tree and no rule reads it).
UNWALKED_TYPES: tuple[type[cst.CSTNode], ...] = (
    cst.Module, cst.BaseSuite, cst.SimpleStatementLine, cst.BaseParenthesizableWhitespace,
    cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment, cst.LeftParen,
    cst.RightParen, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.LeftSquareBracket,
    cst.RightSquareBracket, cst.Comma, cst.Semicolon, cst.Colon, cst.Dot, cst.AssignEqual,
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# Per value type: 1 a node to walk into, 2 a sequence of them, 0 anything else.
_VALUE_KIND: dict[type, int] = {tuple: 2, list: 2, str: 0, type(None): 0, bool: 0}


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = tuple(
        f.name for f in fields(node_type)
        if f.name not in _TRIVIA_FIELDS and not f.name.startswith("whitespace")
    )
    _CHILD_FIELDS[node_type] = names
    return names


def _value_kind(value_type: type) -> int:
    if issubclass(value_type, cst.CSTNode):
        kind = 0 if issubclass(value_type, UNWALKED_TYPES) else 1
    else:
        kind = 0
    _VALUE_KIND[value_type] = kind
    return kind


def walk_expressions(
    statements: Iterable[Statement], handlers: Mapping[type, Sequence[ExpressionHandler]]
) -> None:
    """Call `handler(node, statement)` for every node of each statement, where
    `statement` is the innermost statement that encloses the node.

    Statements are taken in the order given (source order from
    `iter_statements`); each statement's own node is visited, then what it
    holds (expressions, parameters, decorators, `elif` tests, `except`
    clauses), but not the bodies of compound statements, whose statements
    come separately; within one statement the order is unspecified. Node
    fields are read in place: nothing is rebuilt or re-validated. Nodes of
    `UNWALKED_TYPES` (modules, blocks, whitespace, comments, punctuation) are
    never visited.
    """
    child_fields = _CHILD_FIELDS
    value_kind = _VALUE_KIND
    for statement in statements:
        stack: list[cst.CSTNode] = [statement.node]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            node_type = type(node)
            for handler in handlers.get(node_type, ()):
                handler(node, statement)
            names = child_fields.get(node_type)
            if names is None:
                names = _child_fields(node_type)
            for name in names:
                value = getattr(node, name)
                kind = value_kind.get(type(value))
                if kind is None:
                    kind = _value_kind(type(value))
                if kind == 1:
                    push(value)
                elif kind == 2:
                    for item in value:
                        item_kind = value_kind.get(type(item))
                        if item_kind is None:
                            item_kind = _value_kind(type(item))
                        if item_kind == 1:
                            push(item)


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def callee_name(node: cst.BaseExpression) -> str | None:
    """The dotted name of a call's target or of a bare decorator."""
    if type(node) is cst.Call:
        return dotted_name(node.func)
    return dotted_name(node)
