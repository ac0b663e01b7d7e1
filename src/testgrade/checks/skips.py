"""TG502 skip-in-integration-test: unconditional skips in integration / e2e tests
(an error), and skips that give no reason anywhere (a warning)."""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.checks.markers import mark_name, pytestmark_values
from testgrade.ftypes import Kind, Role, Severity
from testgrade.walk import Statement, callee_name

_SKIP_DECORATORS = frozenset({"skip", "skipIf", "skipUnless"})  # unittest's


def _reason(call: cst.BaseExpression, position: int) -> bool:
    """Whether a skip call gives a non-empty reason (`reason=`/`msg=` or positional)."""
    if not isinstance(call, cst.Call):
        return False
    for index, arg in enumerate(call.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in ("reason", "msg") or (keyword is None and index == position):
            return not (isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value == "")
    return False


def _always(call: cst.BaseExpression) -> bool:
    """`skipif(True, ...)`: a condition that is literally true."""
    if not isinstance(call, cst.Call) or not call.args:
        return False
    first = call.args[0]
    return first.keyword is None and isinstance(first.value, cst.Name) and first.value.value == "True"


class SkipInIntegrationTest(Rule):
    id = "TG502"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST and ("skip" in ctx.text or "Skip" in ctx.text)

    def _judge(
        self, node: cst.CSTNode, statement: Statement, written: str, *,
        unconditional: bool, has_reason: bool, what: str,
    ) -> None:
        kind = self.ctx.scopes.kind_at(statement).kind
        if unconditional and kind is not Kind.UNIT:
            tier = "an e2e test" if kind is Kind.E2E else "an integration test"
            self.report(
                node,
                f"`{written}` skips {what} in {tier} unconditionally: it never runs, so the "
                "real-service path it covers is unverified; fix or delete the test, or skip only "
                "under the condition that breaks it (`skipif`)",
                statement=statement,
            )
        elif not has_reason:
            self.report(
                node,
                f"`{written}` skips {what} without a reason; say why (`reason=...`) so the "
                "skip can be reviewed and removed",
                statement=statement,
                severity=Severity.WARNING,
            )

    def _decorators(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, (cst.FunctionDef, cst.ClassDef))
        what = f"`{node.name.value}`"
        for decorator in node.decorators:
            expression = decorator.decorator
            self._marker(expression, statement, what)
            name = callee_name(expression) or ""
            last = name.rsplit(".", 1)[-1]
            if last in _SKIP_DECORATORS and mark_name(expression) is None and (
                name == last or name.endswith("unittest." + last)
            ):
                position = 0 if last == "skip" else 1
                self._judge(
                    expression, statement, f"@{name}", unconditional=last == "skip",
                    has_reason=_reason(expression, position), what=what,
                )

    visit_FunctionDef = _decorators
    visit_ClassDef = _decorators

    def _marker(self, expression: cst.BaseExpression, statement: Statement, what: str) -> None:
        mark = mark_name(expression)
        if mark == "skip":
            self._judge(
                expression, statement, "pytest.mark.skip", unconditional=True,
                has_reason=_reason(expression, 0), what=what,
            )
        elif mark == "skipif":
            self._judge(
                expression, statement, "pytest.mark.skipif", unconditional=_always(expression),
                has_reason=_reason(expression, -1), what=what,
            )

    def _on_assign(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, (cst.Assign, cst.AnnAssign))
        if any(isinstance(s, cst.FunctionDef) for s in statement.scopes):
            return
        what = f"every test in `{statement.scopes[-1].name.value}`" if statement.scopes else (
            "every test in the module"
        )
        for value in pytestmark_values(node):
            self._marker(value, statement, what)

    visit_Assign = _on_assign
    visit_AnnAssign = _on_assign

    def visit_Expr(self, statement: Statement) -> None:
        """`pytest.skip(...)` / `self.skipTest(...)` as a statement of its own."""
        node = statement.node
        assert isinstance(node, cst.Expr)
        call = node.value
        name = callee_name(call) if isinstance(call, cst.Call) else None
        if name not in ("pytest.skip", "self.skipTest") or not isinstance(call, cst.Call):
            return
        test = self.ctx.scopes.test_at(statement)
        if test is not None:
            body = test.node.body.body if isinstance(test.node.body, cst.IndentedBlock) else ()
            # directly in the body: not under an `if`, a `try` or a loop
            unconditional = any(line is statement.line_node for line in body)
            what = f"`{test.name}`"
        elif not statement.scopes:
            unconditional, what = True, "every test in the module"
        else:
            return  # in a helper or fixture: whoever calls it decides
        self._judge(
            call, statement, name, unconditional=unconditional,
            has_reason=_reason(call, 0), what=what,
        )
