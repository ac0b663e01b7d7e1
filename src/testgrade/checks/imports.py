"""TG201 relative-import and TG202 deprecated-import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.resolution import Missing, index_for
from testgrade.walk import Statement, dotted_name

_RELATIVE_MARKERS = ("from .", "from\t", "from  ", "from\\", "from\f")


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
    if package is None or climbs_above_top(package, level):
        return None
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


def climbs_above_top(package: str | None, level: int) -> bool:
    """Whether `level` leading dots leave the top-level package: Python raises
    ImportError ("attempted relative import beyond top-level package") for that."""
    if package is None:
        return False
    return level > len(package.split(".") if package else [])


def dotted_expression(dotted: str) -> cst.Attribute | cst.Name:
    """The libcst expression for `a.b.c`."""
    head, *rest = dotted.split(".")
    expression: cst.Attribute | cst.Name = cst.Name(head)
    for part in rest:
        expression = cst.Attribute(value=expression, attr=cst.Name(part))
    return expression


def absolute_rewrite(node: cst.ImportFrom, package: str | None) -> cst.ImportFrom | None:
    """The absolute form of a relative import, or None if it cannot be resolved."""
    module = dotted_name(node.module) if node.module is not None else None
    target = absolute_module(package, len(node.relative), module)
    if target is None:
        return None
    return node.with_changes(relative=(), module=dotted_expression(target))


class RelativeImport(Rule):
    id = "TG201"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        # Substrings, not a regex: every `from` followed by blanks or a line
        # continuation and a dot contains one of them (a superset is only slower).
        text = ctx.text
        return any(marker in text for marker in _RELATIVE_MARKERS)

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        level = len(node.relative)
        if level == 0:
            return
        module = dotted_name(node.module) if node.module is not None else None
        names = _names_text(node.names)
        written = f"from {'.' * level}{module or ''} import {names}"
        rewritten = absolute_rewrite(node, self.ctx.package)
        if climbs_above_top(self.ctx.package, level):
            top = (self.ctx.package or "").split(".")[0]
            where = f"the top-level package `{top}`" if top else "the project root"
            advice = (
                f"it climbs above {where}, so Python cannot import it; "
                "use an absolute import from the project root"
            )
        elif rewritten is None:
            advice = "use an absolute import from the project root"
        else:
            advice = f"use `from {dotted_name(rewritten.module)} import {names}`"
        self.report(
            node,
            f"Relative import `{written}`; {advice}",
            statement=statement,
            fixable=rewritten is not None,
        )


def _under(dotted: str, prefix: str) -> bool:
    return dotted == prefix or dotted.startswith(prefix + ".")


def _deprecated_match(dotted: str, table: Mapping[str, str]) -> tuple[str, str] | None:
    """The (old, replacement) entry that `dotted` is, or lives under: the longest
    configured prefix wins. A path already at (or under) its replacement is not a
    match, even when the replacement lies under the old path
    (`"shared.logging" = "shared.logging.ssot"`): else a fix would append `.ssot`
    again on every run."""
    old = max((o for o in table if _under(dotted, o)), key=len, default=None)
    if old is None or _under(dotted, table[old]):
        return None
    return old, table[old] + dotted[len(old):]


def deprecated_rewrite(
    node: cst.ImportFrom | cst.ImportAlias,
    table: Mapping[str, str],
    *,
    parent: cst.Import | cst.ImportFrom,
) -> cst.ImportFrom | cst.ImportAlias | None:
    """The same import of the replacement, binding the same local name; None if no
    such rewrite is safe (then the finding is reported as not fixable)."""
    if isinstance(node, cst.ImportFrom):  # `from old.path import x`
        match = _deprecated_match(dotted_name(node.module) or "", table)
        return None if match is None else node.with_changes(module=dotted_expression(match[1]))
    written = dotted_name(node.name) or ""
    module = dotted_name(parent.module) if isinstance(parent, cst.ImportFrom) else None
    match = _deprecated_match(f"{module}.{written}" if module else written, table)
    if match is None:
        return None
    new = match[1]
    if isinstance(parent, cst.Import):
        # `import old.path` binds `old`, which other code dereferences: only an
        # aliased import can be renamed without touching the rest of the file.
        if node.asname is None:
            return None
        return node.with_changes(name=dotted_expression(new))
    # `from old import path`: rename the imported name, keep the bound one.
    new_parent, _, new_name = new.rpartition(".")
    if module is None or new_parent != module:
        return None
    asname = node.asname or cst.AsName(name=cst.Name(written))
    return node.with_changes(name=cst.Name(new_name), asname=asname)


class DeprecatedImport(Rule):
    id = "TG202"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        table = ctx.config.deprecated_imports
        return any(old.rsplit(".", 1)[-1] in ctx.text for old in table)

    def _flag(
        self,
        node: cst.ImportFrom | cst.ImportAlias,
        dotted: str,
        statement: Statement,
        parent: cst.Import | cst.ImportFrom,
    ) -> bool:
        table = self.ctx.config.deprecated_imports
        match = _deprecated_match(dotted, table)
        if match is None:
            return False
        old, new = match
        why = "" if dotted == old else f" (`{old}` is deprecated)"
        missing = self._missing_first_party(new)
        if missing is None:
            message = f"Deprecated import `{dotted}`{why}; use `{new}`"
            fixable = deprecated_rewrite(node, table, parent=parent) is not None
        else:  # rewriting to a module that is not there would break the file
            message = (
                f"Deprecated import `{dotted}`{why}; its replacement `{new}` does not exist "
                f"(`{missing}` is not under the source roots), so it is not fixed automatically: "
                "create it or correct `deprecated-imports`"
            )
            fixable = False
        self.report(
            node,
            message,
            statement=statement,
            fixable=fixable,
            cause=f"deprecated:{old}",  # one module: `--fix` clears its imports everywhere
        )
        return True

    def _missing_first_party(self, replacement: str) -> str | None:
        """The missing part of a first-party replacement that does not resolve, else None.

        Third-party replacements are trusted: they live outside the tree."""
        config = self.ctx.config
        index = index_for(config.root, config.source_roots, config.first_party)
        depends = self.ctx.depends
        if not index.is_first_party(replacement, depends):
            return None
        found = index.find(replacement, depends)
        if not isinstance(found, Missing):
            return None
        parent, _, name = replacement.rpartition(".")
        if found.parent is not None and found.parent.dotted == parent:
            present, _ = index.has_name(found.parent, name, depends)  # `from pkg import name`
            if present:
                return None
        return found.dotted

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        for alias in node.names:
            self._flag(alias, dotted_name(alias.name) or "", statement, node)

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module) or ""
        if self._flag(node, module, statement, node) or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._flag(alias, f"{module}.{dotted_name(alias.name)}", statement, node)
