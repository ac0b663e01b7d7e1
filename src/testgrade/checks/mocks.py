"""TG101 mock-in-integration-test."""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.ftypes import Kind
from testgrade.walk import ExpressionHandler, Statement, dotted_name

MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock", "asynctest")
MOCKER_FIXTURES = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
# Bytes a file must contain to be able to violate TG101 at all.
_TRIGGERS = ("mock", "Mock", "asynctest")
_ADVICE = "test against the real service, or move the test to the unit tier"


def mock_module_of(dotted: str) -> str | None:
    """The mock library `dotted` lives in, if any."""
    for module in MOCK_MODULES:
        if dotted == module or dotted.startswith(module + "."):
            return module
    return None


class MockInIntegrationTest(Rule):
    id = "TG101"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # local name -> the dotted path it is bound to, for names bound to mock libraries
        self.mock_bindings: dict[str, str] = {}

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.kind.uses_real_services and any(t in ctx.text for t in _TRIGGERS)

    def _where(self) -> str:
        return "an e2e test" if self.ctx.kind is Kind.E2E else "an integration test"

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            library = mock_module_of(full)
            if library is None:
                continue
            if alias.asname is not None:  # `import unittest.mock as um` binds um
                self.mock_bindings[dotted_name(alias.asname.name) or full] = full
            else:  # `import unittest.mock` binds unittest
                head = full.split(".")[0]
                self.mock_bindings[head] = head
            self.report(
                alias, f"`{full}` imported in {self._where()}; {_ADVICE}", statement=statement
            )

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module) or ""
        names = node.names
        if isinstance(names, cst.ImportStar):
            if mock_module_of(module):
                self.report(
                    node, f"`from {module} import *` in {self._where()}; {_ADVICE}",
                    statement=statement,
                )
            return
        for alias in names:
            name = dotted_name(alias.name) or ""
            full = f"{module}.{name}"
            if mock_module_of(full) is None:
                continue
            local = dotted_name(alias.asname.name) if alias.asname else name
            self.mock_bindings[local or name] = full
            self.report(
                alias,
                f"`{full}` imported in {self._where()}; {_ADVICE}",
                statement=statement,
            )

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value in MOCKER_FIXTURES:
                self.report(
                    param,
                    f"`{param.name.value}` fixture (pytest-mock) used by `{node.name.value}` "
                    f"in {self._where()}; {_ADVICE}",
                    statement=statement,
                )

    def _resolve(self, dotted: str) -> str | None:
        head, _, rest = dotted.partition(".")
        bound = self.mock_bindings.get(head)
        if bound is None:
            return None
        return f"{bound}.{rest}" if rest else bound

    def visit_Call(self, node: cst.CSTNode, statement: Statement) -> None:
        assert isinstance(node, cst.Call)
        written = dotted_name(node.func)
        if written is None:
            return
        resolved = self._resolve(written)
        if resolved is None or mock_module_of(resolved) is None:
            return
        self.report(
            node.func,
            f"`{written}(...)` ({resolved}) in {self._where()}; {_ADVICE}",
        )

    def expression_handlers(self) -> dict[type[cst.CSTNode], ExpressionHandler]:
        return {cst.Call: self.visit_Call} if self.mock_bindings else {}
