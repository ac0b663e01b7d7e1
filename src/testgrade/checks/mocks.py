"""TG101 mock-in-integration-test.

The kind is decided where the mock is used (see `scopes`): a mock in a unit
test class is fine even when another class in the same file is integration.
Imports at module level count against the file when any test in it is
integration or e2e; a module with no tests (a helper, a conftest) keeps the
kind of its path and module markers.
"""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import ExpressionHandler, FileContext, Rule
from testgrade.ftypes import Kind, Role
from testgrade.walk import Statement, dotted_name

MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock", "asynctest")
MOCKER_FIXTURES = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
# What unittest.mock exports that tests call; flagged even when the name is
# unbound (its import was deleted: the call fails at run time with NameError).
MOCK_CALLABLES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock",
     "patch", "create_autospec"}
)
# Bytes a file must contain to be able to violate TG101 at all.
_TRIGGERS = ("mock", "Mock", "asynctest", "patch", "create_autospec")
_ADVICE = "test against the real service, or move the test to the unit tier"
# When a base class or a marker, not the path, makes it integration, the path is of a
# weaker tier: the code is either a real {tier} test in the wrong place, or unit tests
# wearing the wrong base class or marker. Both fixes are offered.
_ADVICE_NOT_PATH = ("test against the real service and move it to the {tier} tier, or, if "
                    "these are unit tests, drop the base class or marker that makes them {tier} "
                    "tests")
_ROLE_WORDS = {Role.TEST: "test module", Role.CONFTEST: "conftest", Role.HELPER: "helper module"}


def mock_module_of(dotted: str) -> str | None:
    """The mock library `dotted` lives in, if any."""
    for module in MOCK_MODULES:
        if dotted == module or dotted.startswith(module + "."):
            return module
    return None


def _names_bound_by(node: cst.CSTNode) -> list[str]:
    """Plain names a statement binds (enough to tell a local `Mock = ...` from a mock)."""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        names = [node.name.value]
        if isinstance(node, cst.FunctionDef):
            params = node.params
            names += [p.name.value for p in (*params.posonly_params, *params.params,
                                              *params.kwonly_params)]
        return names
    targets: list[cst.BaseExpression] = []
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For)):
        targets = [node.target]
    elif isinstance(node, cst.With):
        targets = [item.asname.name for item in node.items if item.asname is not None]
    return [t.value for t in targets if isinstance(t, cst.Name)]


class MockInIntegrationTest(Rule):
    id = "TG101"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # local name -> the dotted path it is bound to, for names bound to mock libraries
        self.mock_bindings: dict[str, str] = {}
        self.bound: set[str] = set()  # every other name the file binds

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.kind.uses_real_services and any(t in ctx.text for t in _TRIGGERS)

    # --- where a mock is, and why that place is integration ---------------------

    def _place(self, statement: Statement) -> tuple[str, str] | None:
        """("`TestX.test_y`, an integration test because ...; advice", cause), or None in
        unit code."""
        scopes = self.ctx.scopes
        reason = scopes.kind_at(statement)
        if not reason.kind.uses_real_services:
            return None
        tier = "e2e" if reason.kind is Kind.E2E else "integration"
        test = scopes.test_at(statement)
        cls = scopes.class_at(statement) if test is None else None
        if test is not None:
            where = f"`{test.name}`, an {tier} test"
        elif cls is not None:
            where = f"`{cls.name}`, an {tier} test class"
        elif scopes.tests:
            where = f"a module with {tier} tests"
        else:
            where = f"an {tier} {_ROLE_WORDS[self.ctx.role]}"
        if reason.stronger_than(scopes.path_kind):
            where = f"{where} because {reason.because} ({scopes.path_note()})"
            return f"{where}; {_ADVICE_NOT_PATH.format(tier=tier)}", reason.cause
        return f"{where}; {_ADVICE}", ""

    def _flag(self, node: cst.CSTNode, what: str, statement: Statement) -> None:
        place = self._place(statement)
        if place is not None:
            where, cause = place
            self.report(node, f"{what} in {where}", statement=statement, cause=cause)

    # --- statements -------------------------------------------------------------

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            local = dotted_name(alias.asname.name) if alias.asname else None  # type: ignore[arg-type]
            library = mock_module_of(full)
            if library is None:
                if full.split(".")[0] == "unittest" and local is None:
                    self.mock_bindings["unittest"] = "unittest"  # for `unittest.mock.patch`
                else:
                    self.bound.add(local or full.split(".")[0])
                continue
            if local is not None:  # `import unittest.mock as um` binds um
                self.mock_bindings[local] = full
            else:  # `import unittest.mock` binds unittest
                head = full.split(".")[0]
                self.mock_bindings[head] = head
            self._flag(alias, f"`{full}` imported", statement)

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module) or ""
        names = node.names
        if isinstance(names, cst.ImportStar):
            if mock_module_of(module):
                self._flag(node, f"`from {module} import *`", statement)
            return
        for alias in names:
            name = dotted_name(alias.name) or ""
            local = (dotted_name(alias.asname.name) if alias.asname else name) or name  # type: ignore[arg-type]
            full = f"{module}.{name}"
            if mock_module_of(full) is None:
                self.bound.add(local)
                continue
            self.mock_bindings[local] = full
            self._flag(alias, f"`{full}` imported", statement)

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        self.bound.update(_names_bound_by(node))
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value in MOCKER_FIXTURES:
                # The place names the test; a fixture or helper is named here.
                user = "" if self.ctx.scopes.test_for(node) else f" used by `{node.name.value}`"
                self._flag(param, f"`{param.name.value}` fixture (pytest-mock){user}", statement)

    def _bind(self, statement: Statement) -> None:
        self.bound.update(_names_bound_by(statement.node))

    visit_ClassDef = visit_Assign = visit_AnnAssign = visit_AugAssign = _bind
    visit_For = visit_With = _bind

    # --- expressions ------------------------------------------------------------

    def _resolve(self, dotted: str) -> str | None:
        head, _, rest = dotted.partition(".")
        bound = self.mock_bindings.get(head)
        if bound is None:
            return None
        return f"{bound}.{rest}" if rest else bound

    def _unbound_mock(self, dotted: str) -> bool:
        """`patch.object`, `MagicMock`, `mock.patch`... with nothing binding the name."""
        parts = dotted.split(".")
        if parts[0] in self.bound or parts[0] in self.mock_bindings:
            return False
        if parts[0] in MOCK_CALLABLES:
            return True
        return parts[0] == "mock" and len(parts) > 1 and parts[1] in MOCK_CALLABLES

    def visit_Call(self, node: cst.CSTNode, statement: Statement) -> None:
        assert isinstance(node, cst.Call)
        written = dotted_name(node.func)
        if written is None:
            return
        resolved = self._resolve(written)
        if resolved is not None and mock_module_of(resolved) is not None:
            self._flag(node.func, f"`{written}(...)` ({resolved})", statement)
        elif resolved is None and self._unbound_mock(written):
            self._flag(
                node.func,
                f"`{written}(...)` (unbound: its mock import is gone, so it fails with NameError)",
                statement,
            )

    def expression_handlers(self) -> dict[type[cst.CSTNode], ExpressionHandler]:
        text = self.ctx.text
        if self.mock_bindings or any(name in text for name in MOCK_CALLABLES):
            return {cst.Call: self.visit_Call}
        return {}
