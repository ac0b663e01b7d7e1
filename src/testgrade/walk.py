"""Cheap structural traversal of a libcst module.

Most rules only need statements: imports, function and class definitions,
module-level assignments. Walking statements (and never descending into
expressions) costs a small fraction of a full `CSTVisitor` pass, which on
libcst is as expensive as the parse itself. Rules that need expressions ask
the engine for a full pass, and only for the files that can need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

Scope = cst.ClassDef | cst.FunctionDef


@dataclass(frozen=True)
class Statement:
    """One statement with the classes and functions that enclose it."""

    node: cst.CSTNode  # a small statement (Import, Assign, ...) or a compound one
    line_node: cst.CSTNode  # the whole statement line it sits on, for suppressions
    scopes: tuple[Scope, ...]


def _blocks(node: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    """The suites directly owned by a compound statement, in source order."""
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield body
    if isinstance(node, (cst.Try, cst.TryStar)):
        for handler in node.handlers:
            yield handler.body
    if isinstance(node, cst.Match):
        for case in node.cases:
            yield case.body
    orelse = getattr(node, "orelse", None)
    while orelse is not None:
        yield orelse.body
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    final = getattr(node, "finalbody", None)
    if final is not None:
        yield final.body


def _suite_statements(suite: cst.BaseSuite) -> tuple[cst.CSTNode, ...]:
    if isinstance(suite, cst.SimpleStatementSuite):
        return (suite,)
    return tuple(suite.body)


def iter_statements(module: cst.Module) -> Iterator[Statement]:
    """Every statement in source order, descending into all nested bodies."""
    stack: list[tuple[cst.CSTNode, tuple[Scope, ...]]] = [
        (stmt, ()) for stmt in reversed(module.body)
    ]
    while stack:
        node, scopes = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                yield Statement(small, node, scopes)
            continue
        yield Statement(node, node, scopes)
        inner = scopes + (node,) if isinstance(node, (cst.ClassDef, cst.FunctionDef)) else scopes
        children = [
            (stmt, inner) for block in _blocks(node) for stmt in _suite_statements(block)
        ]
        stack.extend(reversed(children))


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def callee_name(node: cst.BaseExpression) -> str | None:
    """The dotted name of a call's target or of a bare decorator."""
    if isinstance(node, cst.Call):
        return dotted_name(node.func)
    return dotted_name(node)
