"""TG201 relative-import and TG202 deprecated-import."""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.walk import Statement, dotted_name

_RELATIVE = re.compile(r"\bfrom[\s\\]+\.")


def _names_text(names: cst.ImportStar | Sequence[cst.ImportAlias]) -> str:
    if isinstance(names, cst.ImportStar):
        return "*"
    rendered = []
    for alias in names:
        text = dotted_name(alias.name) or "?"
        if alias.asname is not None:
            text += f" as {dotted_name(alias.asname.name)}"
        rendered.append(text)
    return ", ".join(rendered)


def absolute_module(package: str | None, level: int, module: str | None) -> str | None:
    """What `from {'.' * level}{module} import ...` means inside `package`, if resolvable."""
    if package is None:
        return None
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


class RelativeImport(Rule):
    id = "TG201"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return _RELATIVE.search(ctx.text) is not None

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        level = len(node.relative)
        if level == 0:
            return
        module = dotted_name(node.module) if node.module is not None else None
        names = _names_text(node.names)
        written = f"from {'.' * level}{module or ''} import {names}"
        target = absolute_module(self.ctx.package, level, module)
        if target is None:
            advice = "use an absolute import from the project root"
        else:
            advice = f"use `from {target} import {names}`"
        self.report(node, f"Relative import `{written}`; {advice}", statement=statement)


def _deprecated_match(dotted: str, table: dict[str, str]) -> tuple[str, str] | None:
    """The (old, replacement) entry that `dotted` is, or lives under."""
    for old, new in table.items():
        if dotted == old or dotted.startswith(old + "."):
            return old, new + dotted[len(old):]
    return None


class DeprecatedImport(Rule):
    id = "TG202"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        table = ctx.config.deprecated_imports
        return any(old.rsplit(".", 1)[-1] in ctx.text for old in table)

    def _flag(self, node: cst.CSTNode, dotted: str, statement: Statement) -> bool:
        match = _deprecated_match(dotted, dict(self.ctx.config.deprecated_imports))
        if match is None:
            return False
        old, new = match
        why = "" if dotted == old else f" (`{old}` is deprecated)"
        self.report(node, f"Deprecated import `{dotted}`{why}; use `{new}`", statement=statement)
        return True

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        for alias in node.names:
            self._flag(alias, dotted_name(alias.name) or "", statement)

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module) or ""
        if self._flag(node, module, statement) or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._flag(alias, f"{module}.{dotted_name(alias.name)}", statement)
