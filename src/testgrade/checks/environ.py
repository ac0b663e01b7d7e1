"""TG505 direct-environ-access (off by default: on when `[tool.testgrade.environ]` is set)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import libcst as cst
import pathspec

from testgrade.checks.base import FileContext, Rule
from testgrade.walk import Statement, dotted_name

# What `os` offers for reading or changing the process environment directly.
_ENVIRON_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})


@lru_cache(maxsize=16)
def _allowed(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


class DirectEnvironAccess(Rule):
    id = "TG505"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.os_names: set[str] = set()  # local names bound to the os module

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        policy = ctx.config.environ
        if policy is None or ("environ" not in ctx.text and "getenv" not in ctx.text):
            return False
        return not _allowed(policy.allowed_modules).match_file(ctx.path)

    def _advice(self) -> str:
        policy = self.ctx.config.environ
        allowed = policy.allowed_modules if policy is not None else ()
        if not allowed:
            return "read the environment through the project's environment helper"
        listed = ", ".join(f"`{p}`" for p in allowed[:3]) + (", ..." if len(allowed) > 3 else "")
        return f"go through the environment helper (allowed: {listed})"

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        for alias in node.names:
            if dotted_name(alias.name) == "os":
                local = dotted_name(alias.asname.name) if alias.asname is not None else "os"
                self.os_names.add(local or "os")

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or dotted_name(node.module) != "os" or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if name in _ENVIRON_NAMES:
                self.report(
                    alias,
                    f"`from os import {name}` in a test; {self._advice()}",
                    statement=statement,
                )

    def _on_attribute(self, node: cst.CSTNode, statement: Statement | None = None) -> None:
        assert isinstance(node, cst.Attribute)
        if node.attr.value not in _ENVIRON_NAMES:
            return
        owner = dotted_name(node.value)
        if owner is None or owner not in self.os_names:
            return
        self.report(
            node,
            f"`{owner}.{node.attr.value}` used directly in a test; {self._advice()}",
            statement=statement,
        )

    def expression_handlers(self) -> dict[type[cst.CSTNode], Callable[..., None]]:
        return {cst.Attribute: self._on_attribute} if self.os_names else {}
