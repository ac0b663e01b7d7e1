"""TG501 test-without-assertion: a collected test that checks nothing.

A test checks something when its body (or a function nested in it) has an
`assert` or a `raise`, uses `pytest.raises` / `warns` / `fail` /
`deprecated_call`, calls anything named `assert*` (`self.assertEqual`,
`mock.assert_called_once_with`, `assert_that`), a configured
`assertion-helpers` pattern, or a function or method of the same file that
itself checks something. Skipped tests are TG502's, not this rule's.
Calls are read where statements hold them directly (expression statements,
`with` items, assignments, returns), so no expression pass is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import cast

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.checks.markers import mark_name
from testgrade.ftypes import Role
from testgrade.walk import Statement, dotted_name

_PYTEST_CHECKS = frozenset({"raises", "warns", "fail", "deprecated_call"})
_SKIPS = frozenset({"skip", "xfail", "importorskip"})
_VALUED = frozenset({cst.Expr, cst.Return, cst.Assign, cst.AnnAssign, cst.AugAssign})


def called_names(expression: cst.BaseExpression | None) -> Iterator[str]:
    """Dotted (or last) names of the calls chained at the top of an expression:
    `expect(x).to_equal(y)` gives `to_equal` and `expect`."""
    while expression is not None:  # exact types: see walk._LINES
        if type(expression) is cst.Await:
            expression = expression.expression
        elif type(expression) is cst.Call:
            func = expression.func
            name = dotted_name(func)
            if name is not None:
                yield name
            elif type(func) is cst.Attribute:
                yield func.attr.value
            expression = func.value if type(func) is cst.Attribute else None
        elif type(expression) is cst.Attribute:
            expression = expression.value
        else:
            return


def _statement_expressions(node: cst.CSTNode) -> list[cst.BaseExpression]:
    if type(node) in _VALUED:
        value = cast("cst.Expr | cst.Return | cst.Assign | cst.AnnAssign | cst.AugAssign", node).value
        return [value] if value is not None else []
    if type(node) is cst.With:
        return [item.item for item in node.items]
    return []


class MissingAssertion(Rule):
    id = "TG501"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.checking: set[int] = set()  # ids of functions that check something directly
        self.calls: dict[int, set[str]] = {}  # function id -> last names of what it calls
        self.functions: dict[str, list[int]] = {}  # function name -> ids, for local helpers
        self.skipped: set[int] = set()  # functions that skip themselves

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST and bool(ctx.scopes.tests)

    def _is_check(self, name: str) -> bool:
        last = name.rsplit(".", 1)[-1]
        if last.startswith("assert") or last == "fail":
            return True
        if name.startswith("pytest.") and last in _PYTEST_CHECKS:
            return True
        return any(
            fnmatchcase(name, p) or fnmatchcase(last, p) for p in self.ctx.config.assertion_helpers
        )

    def _enclosing(self, statement: Statement) -> list[int]:
        return [id(s) for s in statement.scopes if isinstance(s, cst.FunctionDef)]

    def _mark(self, statement: Statement) -> None:
        self.checking.update(self._enclosing(statement))

    visit_Assert = _mark
    visit_Raise = _mark

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        self.functions.setdefault(node.name.value, []).append(id(node))
        if any(mark_name(d.decorator) in _SKIPS for d in node.decorators):
            self.skipped.add(id(node))

    def _on_statement(self, statement: Statement) -> None:
        enclosing = self._enclosing(statement)
        if not enclosing:
            return
        for expression in _statement_expressions(statement.node):
            for name in called_names(expression):
                last = name.rsplit(".", 1)[-1]
                if self._is_check(name):
                    self.checking.update(enclosing)
                elif name.startswith("pytest.") and last in _SKIPS:
                    self.skipped.update(enclosing)
                else:
                    for function in enclosing:
                        self.calls.setdefault(function, set()).add(last)

    visit_Expr = _on_statement
    visit_Return = _on_statement
    visit_Assign = _on_statement
    visit_AnnAssign = _on_statement
    visit_AugAssign = _on_statement
    visit_With = _on_statement

    def _checks(self, function: int, seen: set[int]) -> bool:
        """Whether a function checks something, itself or through a local helper."""
        if function in self.checking:
            return True
        seen.add(function)
        for name in self.calls.get(function, ()):
            for helper in self.functions.get(name, ()):
                if helper not in seen and self._checks(helper, seen):
                    return True
        return False

    def finish(self) -> None:
        for test in self.ctx.scopes.tests:
            key = id(test.node)
            if key in self.skipped or (test.cls is not None and _skips_class(test.cls.node)):
                continue
            if self._checks(key, set()):
                continue
            self.report(
                test.node.name,
                f"Test `{test.name}` asserts nothing: no `assert`, `pytest.raises` or assertion "
                "helper, so it passes whatever the code does; assert the expected outcome, or "
                "list the helper it relies on in `assertion-helpers`",
                statement=test.statement,
            )


def _skips_class(node: cst.ClassDef) -> bool:
    return any(mark_name(d.decorator) in _SKIPS for d in node.decorators)
