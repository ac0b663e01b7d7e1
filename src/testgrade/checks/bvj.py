"""TG301 missing-bvj and TG302 incomplete-bvj.

A test's effective BVJ is its module's, refined by its classes', refined by its
own docstring (see `bvj_parser`). TG301 reports a collected test with no BVJ
anywhere on that chain; TG302 reports what is still missing after merging, once,
at the owner (module, class or function) whose docstring introduces the gap.

A complete module BVJ that is not the module docstring (pushed below the
imports or a class, so Python no longer sees it as the docstring) is reported
once, as TG301 on that string, instead of once per test it would cover.
"""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.checks.bvj_parser import Bvj, merge, parse_bvj, quoted
from testgrade.ftypes import Role
from testgrade.walk import Scope, Statement

DISPLACED_CAUSE = "bvj:displaced-module-docstring"
_MAX_MESSAGE = 300



def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


class _BvjRule(Rule):
    """Shared reading: docstrings parsed once per file (`FileContext.bvj_of`), and only
    when asked for."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.policy = ctx.config.bvj

    def chain(self, statement: Statement) -> list[Bvj | None]:
        """BVJs from the module inward to (and including) the statement's own definition."""
        node = statement.node
        owners: list[Scope | None] = [None, *statement.scopes]
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
            owners.append(node)
        return [self.ctx.bvj_of(owner) for owner in owners]


class MissingBvj(_BvjRule):
    id = "TG301"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.tests_with_bvj = 0
        self.uncovered: list[tuple[str, Statement]] = []
        self.loose_strings: list[Statement] = []  # module-level strings after the docstring

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        test = self.ctx.scopes.test_for(node)
        if test is None:
            return
        if any(bvj is not None for bvj in self.chain(statement)):
            self.tests_with_bvj += 1
        else:
            self.uncovered.append((test.name, statement))

    def visit_Expr(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Expr)
        if statement.scopes or not isinstance(
            node.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return
        body = self.ctx.module.body
        if body and body[0] is statement.line_node:  # the docstring itself
            return
        self.loose_strings.append(statement)

    def _displaced_bvj(self) -> Statement | None:
        """The first module-level string after the docstring that is a complete BVJ."""
        if self.ctx.bvj_of(None) is not None:
            return None
        for statement in self.loose_strings:
            node = statement.node
            assert isinstance(node, cst.Expr)
            text = node.value.evaluated_value  # type: ignore[attr-defined]
            if not isinstance(text, str):
                continue
            bvj = parse_bvj(text, self.policy)
            if bvj is not None and not bvj.missing(self.policy):
                return statement
        return None

    def finish(self) -> None:
        if not self.uncovered:
            return
        displaced = self._displaced_bvj()
        if displaced is not None:
            self.report(
                displaced.node,
                "the module's BVJ is not its docstring: move it to the top of the file "
                f"({_tests(len(self.uncovered))} in this file have no BVJ until then)",
                statement=displaced,
                cause=DISPLACED_CAUSE,
            )
            return
        for name, statement in self.uncovered:
            node = statement.node
            assert isinstance(node, cst.FunctionDef)
            self.report(
                node,
                f"Test `{name}` has no Business Value Justification; "
                "add a BVJ docstring to the test, its class or the module",
                statement=statement,
            )


class IncompleteBvj(_BvjRule):
    id = "TG302"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST or "BVJ" in ctx.text or "Business Value" in ctx.text

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        module_bvj = self.ctx.bvj_of(None)
        if module_bvj is not None:
            self._judge(module_bvj, None, None, None)

    def _owner_name(self, node: Scope | None, statement: Statement | None) -> str:
        if node is None:
            return "module"
        if isinstance(node, cst.FunctionDef):
            test = self.ctx.scopes.test_for(node)
            if test is not None:
                return f"`{test.name}`"
        assert statement is not None
        return "`" + ".".join([*(s.name.value for s in statement.scopes), node.name.value]) + "`"

    def _judge(
        self, merged: Bvj, outer: Bvj | None, node: Scope | None, statement: Statement | None
    ) -> None:
        """Report the gaps `merged` has that its enclosing BVJ (`outer`) did not already have."""
        missing = merged.missing(self.policy)
        unknown = merged.unknown_segments(self.policy)
        if outer is not None:
            # Merging only fills fields: a gap still open is the enclosing owner's,
            # reported there once, not again on every class and test below it.
            missing = []
            unknown = [u for u in unknown if u not in outer.unknown_segments(self.policy)]
        problems = []
        if missing and not merged.fields:
            problems.append(
                "it names business value but has none of the fields: add "
                + ", ".join(f"`{name}`" for name in missing)
            )
        elif missing:
            problems.append("missing " + ", ".join(f"`{name}`" for name in missing))
        if unknown:
            problems.append(
                "unknown segment " + ", ".join(quoted(u) for u in unknown)
                + f" (known: {', '.join(self.policy.segments)})"
            )
        if not problems:
            return
        message = f"BVJ of {self._owner_name(node, statement)} is incomplete: {'; '.join(problems)}"
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 1] + "\u2026"
        self.report(node, message, statement=statement)

    def _visit_owner(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, (cst.ClassDef, cst.FunctionDef))
        chain = self.chain(statement)
        own = chain[-1]
        if own is None:
            return
        outer = merge(chain[:-1])
        merged = own.merged_under(outer)
        self._judge(merged, outer, node, statement)

    visit_ClassDef = visit_FunctionDef = _visit_owner
