"""Positions computed for reported nodes only agree with libcst's PositionProvider.

The reference is the slow path: PositionProvider over the whole tree. Every node
of the kinds rules report is located, once with the statement it would be
reported from (as the engine does) and once without (found by the locator).
"""

from __future__ import annotations

import json

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import BUNDLED_SOURCES, DEMO, REPO, parse_or_none
from testgrade import positions
from testgrade.positions import locate
from testgrade.source import DecodeError, decode_source
from testgrade.walk import Statement, iter_statements, walk_expressions

REPORTED = (cst.FunctionDef, cst.ClassDef, cst.Import, cst.ImportFrom, cst.ImportAlias,
            cst.Param, cst.Call, cst.Decorator, cst.SimpleStatementLine, cst.Name, cst.If,
            cst.ExceptHandler, cst.SimpleStatementSuite, cst.Attribute, cst.Expr, cst.Assign,
            cst.With, cst.For, cst.Try, cst.Match, cst.MatchCase, cst.Else, cst.Arg,
            cst.SimpleString, cst.FormattedString, cst.Lambda)

TRICKY = '''\
# -*- coding: utf-8 -*-
"""Module docstring with ünïcödé."""
import os, sys; from . import (a,
    b as c)
x = 1; y = "é"; z = f"{os.sep!r}"  # trailing

@decorator(
    arg)
# a comment between decorator and def
@other
async def test_é(self, mocker, *args, k: int = 3, **kw) -> None:
    """Docstring."""
    if a: b(); c()
    elif (
        mocker.patch("x")
    ):
        pass
    elif d:  # comment
        e = [f(g)
             for g in h]
    else:
        try: pass
        except (ValueError,
                TypeError) as exc: mocker.stop(exc)
        else: z = 1
        finally: w = 2
        try:
            pass
        except* OSError as group: group.call()
    for i in range(3): print(i)
    else: print("done")
    while False: break
    async with x() as y, z(): await y.call()
    match command.split():
        case [action] if action.ok():
            pass
        case {"k": v}: v.call()
        case _: pass
    return lambda q: q.call()


class \\
TestThing(Base, metaclass=M):
\tdef method(self): return "\\t".join(())
\tvalue = (
\t\t1 +
\t2)
'''


class _Owners(cst.CSTVisitor):
    """The innermost statement around every node, as the engine knows it."""

    def __init__(self, statements: list[Statement]) -> None:
        self.by_node = {id(s.node): s for s in statements}
        self.stack: list[Statement] = []
        self.owner: dict[int, Statement] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        statement = self.by_node.get(id(node))
        if statement is not None:
            self.stack.append(statement)
        if self.stack:
            self.owner[id(node)] = self.stack[-1]
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if id(original_node) in self.by_node:
            self.stack.pop()


@pytest.fixture
def fast_path_only(monkeypatch):
    """The slow path (code generation from the top) must not hide a wrong fast one."""

    def refuse(module, nodes):
        raise AssertionError(f"fell back to code generation for {len(list(nodes))} nodes")

    monkeypatch.setattr(positions, "_locate_by_codegen", refuse)


def _check(text: str, singly: bool = False) -> int:
    module = parse_or_none(text)
    if module is None:  # the engine reports such a file as TG000
        return 0
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [node for node in expected if isinstance(node, REPORTED)]
    statements = list(iter_statements(module))
    owners = _Owners(statements)
    module.visit(owners)
    with_owner = locate(module, text, [(n, owners.owner.get(id(n))) for n in nodes], statements)
    without = locate(module, text, [(n, None) for n in nodes], statements)
    results = [with_owner, without]
    if singly:  # as the engine mostly asks: one reported node at a time
        alone: dict[int, tuple[int, int]] = {}
        for node in nodes:
            alone.update(locate(module, text, [(node, owners.owner.get(id(node)))], statements))
        results.append(alone)
    for found in results:
        assert len(found) == len(nodes)
        for node in nodes:
            start = expected[node].start
            assert found[id(node)] == (start.line, start.column + 1), type(node).__name__
    return len(nodes)


def test_every_kind_of_statement_clause_and_suite(fast_path_only):
    assert _check(TRICKY, singly=True) > 150


@pytest.mark.parametrize("path", BUNDLED_SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_locate_matches_position_provider(path, fast_path_only):
    try:
        text = decode_source(path.read_bytes()).text
    except DecodeError:
        return  # the engine reports such a file as TG000
    if "\x00" not in text:  # and one with NUL bytes
        _check(text, singly=path.is_relative_to(DEMO))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_line_ends(newline, fast_path_only):
    _check(TRICKY.replace("\n", newline), singly=True)


def test_without_ast_the_codegen_path_agrees(monkeypatch):
    """Syntax newer than this Python's `ast` falls back to code generation."""

    def refuse(*args, **kwargs):
        raise SyntaxError("too new")

    monkeypatch.setattr(positions.ast, "parse", refuse)
    _check(TRICKY)


def _elif_chain(branches: int, late: int) -> str:
    lines = ["from unittest import mock", "", "def test_chain(x):", "    if x == -1:",
             "        pass"]
    for number in range(branches):
        test = f'mock.patch("t{number}")' if number == late else f"x == {number}"
        lines += [f"    elif {test}:", f"        y = {number}"]
    return "\n".join(lines) + "\n"


def test_a_late_branch_of_a_long_elif_chain_is_located(fast_path_only):
    text = _elif_chain(900, 870)
    module = cst.parse_module(text)
    call = _calls(module)[0]
    found = locate(module, text, [(call, None)], list(iter_statements(module)))
    assert found[id(call)] == (4 + 2 * 870 + 2, 10)


def _calls(module: cst.Module) -> list[cst.CSTNode]:
    calls: list[cst.CSTNode] = []
    walk_expressions(iter_statements(module), {cst.Call: [lambda node, _: calls.append(node)]})
    return calls


def test_a_finding_late_in_a_long_elif_chain_is_a_finding_not_an_internal_error(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.testgrade]\nintegration-paths = ["**/integration/**"]\n'
    )
    test = tmp_path / "tests" / "integration" / "test_chain.py"
    test.parent.mkdir(parents=True)
    test.write_text('"""BVJ: the chain is checked."""\n' + _elif_chain(500, 480))
    result = cli("check", tmp_path, "--no-cache", "--format", "json", "--select", "TG0,TG101")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [
        ("TG101", 2, 22), ("TG101", 7 + 2 * 480, 10)  # the import, then the 480th elif
    ]
