"""The expression walk visits what a libcst CSTVisitor visits, with the right statement.

The reference is the slow path it replaced: a full `CSTVisitor` pass over the
module, tracking the innermost enclosing statement on a stack.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst
import pytest

from conftest import BUNDLED_SOURCES, REPO, parse_or_none
from testgrade.walk import UNWALKED_TYPES, Statement, iter_statements, walk_expressions

TRICKY = '''\
import unittest.mock as um

@um.patch("a.b")  # a call in a decorator
def test_a(x=um.MagicMock(), *, y: "um.Mock" = None) -> um.Mock:
    if um.call():
        pass
    elif um.patch("c"):
        pass
    elif (lambda: um.patch("d"))():
        with um.patch("e") as e, um.patch("f"): e(); um.sentinel.x
    else:
        try: um.seal(x)
        except um.SomethingError as exc: raise um.Other() from exc
        finally: del x[um.DEFAULT]
    for item in um.call_list(): print(item)
    else: um.patch.stopall()
    while um.x(): break
    match um.patch("m"):
        case um.A(b=[1, *rest]) if um.guard(): pass
        case {"k": um.B()}: pass
    return [um.patch(z) async for z in um.aiter() if um.ok(z)]

class TestB(um.Base, metaclass=um.Meta):
    value: um.Mock = um.create_autospec(object)
    def method(self): global g; g = f"{um.patch('x')!r:>{um.width()}}"
'''

class _Reference(cst.CSTVisitor):
    """Every node a full pass visits, with the innermost enclosing statement."""

    def __init__(self, statements: list[Statement]) -> None:
        self.owner = {id(s.node): s for s in statements}
        self.stack: list[Statement] = []
        self.seen: Counter[tuple[int, int]] = Counter()

    def on_visit(self, node: cst.CSTNode) -> bool:
        statement = self.owner.get(id(node))
        if statement is not None:
            self.stack.append(statement)
        if not isinstance(node, UNWALKED_TYPES):
            self.seen[(id(node), id(self.stack[-1]))] += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if id(original_node) in self.owner:
            self.stack.pop()


def _walked(statements: list[Statement]) -> Counter[tuple[int, int]]:
    seen: Counter[tuple[int, int]] = Counter()

    def record(node: cst.CSTNode, statement: Statement) -> None:
        seen[(id(node), id(statement))] += 1

    node_types = {
        t for t in vars(cst).values()
        if isinstance(t, type) and issubclass(t, cst.CSTNode) and not issubclass(t, UNWALKED_TYPES)
    }
    walk_expressions(statements, {t: [record] for t in node_types})
    return seen


def _same_as_reference(module: cst.Module) -> None:
    statements = list(iter_statements(module))
    reference = _Reference(statements)
    module.visit(reference)
    walked = _walked(statements)
    assert walked == reference.seen
    assert max(walked.values(), default=1) == 1  # every node once


def test_every_kind_of_statement_and_expression():
    module = cst.parse_module(TRICKY)
    _same_as_reference(module)
    calls = []
    walk_expressions(
        list(iter_statements(module)),
        {cst.Call: [lambda node, statement: calls.append((node, statement))]},
    )
    owners = {
        (module.code_for_node(node), type(statement.node).__name__) for node, statement in calls
    }
    assert {
        ('um.patch("a.b")', "FunctionDef"),  # a decorator
        ("um.MagicMock()", "FunctionDef"),  # a default value
        ('um.patch("c")', "If"),  # an elif test
        ('um.patch("d")', "If"),  # inside a lambda in an elif test
        ('um.patch("e")', "With"),
        ("e()", "Expr"),  # in a one-line suite
        ("um.seal(x)", "Expr"),
        ("um.Other()", "Raise"),  # in an except clause's body
        ('um.patch("m")', "Match"),
        ("um.guard()", "Match"),  # a case guard belongs to the match statement
        ("um.aiter()", "Return"),
        ("um.create_autospec(object)", "AnnAssign"),
        ("um.width()", "Assign"),  # inside an f-string format spec
    } <= owners
    assert len(calls) == 23


@pytest.mark.parametrize("path", BUNDLED_SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_same_nodes_and_statements_as_a_full_pass(path):
    module = parse_or_none(path.read_bytes().decode("utf-8", "replace"))
    if module is None:
        return  # nothing to compare: the engine reports such files as TG000
    _same_as_reference(module)


def test_a_long_elif_chain_is_walked_without_recursion():
    branches = "".join(f"elif x == {i}:\n    mock.patch({i})\n" for i in range(2_000))
    module = cst.parse_module(f"if x:\n    pass\n{branches}")
    tests = []
    walk_expressions(
        list(iter_statements(module)),
        {cst.Comparison: [lambda node, statement: tests.append(statement.node)]},
    )
    assert len(tests) == 2_000 and all(isinstance(s, cst.If) for s in tests)


def test_statements_know_their_block_indentation():
    module = cst.parse_module("class A:\n\tdef f(self):\n\t    if x: y = 1\n\t    z = 2\n")
    indents = {type(s.node).__name__: s.indent for s in iter_statements(module)}
    assert indents == {"ClassDef": "", "FunctionDef": "\t", "If": "\t    ",
                       "Assign": "\t    "}
