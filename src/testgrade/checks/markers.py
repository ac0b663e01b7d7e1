"""TG504 missing-integration-marker (off by default: on when `require-markers` is set).

Also the small reading of pytest markers the skip rule shares: `mark_name`.
"""

from __future__ import annotations

from collections import defaultdict

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.ftypes import Kind, Role
from testgrade.walk import Statement, callee_name


def mark_name(expression: cst.BaseExpression) -> str | None:
    """`skip` for `@pytest.mark.skip`, `@pytest.mark.skip(reason=...)`, `mark.skip`."""
    name = callee_name(expression)
    if name is None:
        return None
    parts = name.split(".")
    return parts[-1] if len(parts) >= 2 and parts[-2] == "mark" else None


def pytestmark_values(node: cst.Assign | cst.AnnAssign) -> list[cst.BaseExpression]:
    """The marker expressions of a `pytestmark = ...` assignment, else []."""
    targets = (
        [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    )
    if node.value is None or not any(
        isinstance(t, cst.Name) and t.value == "pytestmark" for t in targets
    ):
        return []
    value = node.value
    if isinstance(value, (cst.List, cst.Tuple)):
        return [element.value for element in value.elements]
    return [value]


class MissingIntegrationMarker(Rule):
    id = "TG504"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # id of the class (None: the module) -> marker names its pytestmark applies
        self.pytestmarks: dict[int | None, set[str]] = defaultdict(set)

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        # "In an integration path": the path decides, whatever markers say.
        return (
            ctx.role is Role.TEST
            and bool(ctx.config.require_markers)
            and ctx.scopes.path_kind.kind is not Kind.UNIT
        )

    def _on_assign(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, (cst.Assign, cst.AnnAssign))
        owner = statement.scopes[-1] if statement.scopes else None
        if owner is not None and not isinstance(owner, cst.ClassDef):
            return
        for value in pytestmark_values(node):
            name = mark_name(value)
            if name is not None:
                self.pytestmarks[id(owner) if owner is not None else None].add(name)

    visit_Assign = _on_assign
    visit_AnnAssign = _on_assign

    def finish(self) -> None:
        wanted = set(self.ctx.config.require_markers)
        if wanted & self.pytestmarks[None]:
            return
        listed = " or ".join(f"`@pytest.mark.{m}`" for m in self.ctx.config.require_markers)
        tier = self.ctx.scopes.path_kind.kind.value  # e2e or integration, as the path says
        for test in self.ctx.scopes.tests:
            names = {mark_name(d.decorator) for d in test.node.decorators}
            if test.cls is not None:
                names |= {mark_name(d.decorator) for d in test.cls.node.decorators}
                names |= self.pytestmarks[id(test.cls.node)]
            if wanted & names:
                continue
            self.report(
                test.node.name,
                f"Test `{test.name}` is in an {tier} path (`integration-paths`) but has no "
                f"{listed} marker; "
                "mark it (or the module, with `pytestmark`) so `-m` selections find it",
                cause=f"missing-marker:{self.ctx.path}",
                statement=test.statement,
            )
