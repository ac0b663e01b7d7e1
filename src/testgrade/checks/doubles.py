"""TG102 fake-double-in-integration-test: test doubles defined where real services are the rule."""

from __future__ import annotations

import re

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.checks.mocks import mock_module_of
from testgrade.ftypes import Kind
from testgrade.walk import Statement, dotted_name

# Mock, MockTool, Mock_Tool; not Mockingbird or Fakeroo.
_DOUBLE_NAME = re.compile(r"^(Mock|Fake|Stub|Dummy)(?=$|[A-Z0-9_])")
_MOCK_CLASSES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock", "PropertyMock"}
)


class FakeDoubleInIntegrationTest(Rule):
    id = "TG102"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.mock_names: set[str] = set()  # local names bound to mock classes

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.scopes.file_kind.kind is not Kind.UNIT and any(
            word in ctx.text for word in ("Mock", "Fake", "Stub", "Dummy")
        )

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) or ""
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if mock_module_of(f"{module}.{name}") and name in _MOCK_CLASSES:
                local = dotted_name(alias.asname.name) if alias.asname else name
                self.mock_names.add(local or name)

    def _mock_base(self, node: cst.ClassDef) -> str | None:
        for base in node.bases:
            written = dotted_name(base.value) if base.keyword is None else None
            if written is None:
                continue
            last = written.rsplit(".", 1)[-1]
            if written in self.mock_names or (mock_module_of(written) and last in _MOCK_CLASSES):
                return written
        return None

    def visit_ClassDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ClassDef)
        kind = self.ctx.scopes.kind_at(statement)
        if kind.kind is Kind.UNIT:
            return
        name = node.name.value
        base = self._mock_base(node)
        if base is None and not _DOUBLE_NAME.match(name):
            return
        what = f"subclasses `{base}`" if base else "is named as a test double"
        tier = "an e2e test" if kind.kind is Kind.E2E else "an integration test"
        why = f" ({kind.because})" if kind.because else ""
        self.report(
            node.name,
            f"Class `{name}` {what} in {tier}{why}: integration tests exercise real "
            "components; use the real implementation, or move the double and the tests "
            "that need it to the unit tier",
            statement=statement,
        )
