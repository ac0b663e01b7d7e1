"""TG203 unresolved-import: first-party imports and patch targets that do not exist.

Resolution is static (see `resolution.py`): other modules are read, never
imported. Only imports in the first-party namespace are judged; everything
else (the standard library, third-party packages) is none of our business.
Imports guarded by `try: ... except ImportError:` are expected to fail
sometimes and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.resolution import Depends, Missing, Module, ModuleIndex, index_for
from testgrade.walk import Statement, callee_name, dotted_name

# Callees whose first argument is a dotted string naming what they replace.
_PATCH_CALLEES = ("patch", "patch.dict", "monkeypatch.setattr", "monkeypatch.delattr")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _advice(near: tuple[str, ...], prefix: str, otherwise: str) -> str:
    """Close matches that do exist, else the generic way out."""
    if not near:
        return otherwise
    return "did you mean " + " or ".join(f"`{prefix}{n}`" for n in near) + "?"


def _patch_calls(expression: cst.BaseExpression | None) -> Iterator[cst.Call]:
    """Calls at the top of an expression (`patch(...)`, `patch(...).start()`)."""
    while True:  # exact types: see walk._LINES
        if type(expression) is cst.Call:
            yield expression
            expression = expression.func
        elif type(expression) is cst.Await:
            expression = expression.expression
        elif type(expression) is cst.Attribute:
            expression = expression.value
        else:
            return


def _is_patch(call: cst.Call) -> bool:
    name = callee_name(call)
    return name is not None and any(name == c or name.endswith("." + c) for c in _PATCH_CALLEES)


def _string_target(call: cst.Call) -> cst.SimpleString | None:
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in (None, "target", "in_dict") and isinstance(arg.value, cst.SimpleString):
            return arg.value
        if keyword is None:
            return None
    return None


def _catches_import_error(node: cst.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = (
            [e.value for e in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        if any((dotted_name(t) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types):
            return True
    return False


class UnresolvedImport(Rule):
    id = "TG203"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        config = ctx.config
        self.index: ModuleIndex = index_for(config.root, config.source_roots, config.first_party)
        self.depends: Depends = ctx.depends
        self.guarded: set[int] = set()  # imports inside try/except ImportError
        self.patching = "patch" in ctx.text  # every callee in _PATCH_CALLEES contains it

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return "import" in ctx.text or "patch" in ctx.text

    def _first_party(self, dotted: str) -> bool:
        return self.index.is_first_party(dotted, self.depends)

    def _report_missing(
        self, node: cst.CSTNode, statement: Statement, written: str, missing: Missing
    ) -> None:
        parent = f"{missing.parent.dotted}." if missing.parent is not None else ""
        self.report(
            node,
            f"Unresolved import `{written}`: module `{missing.dotted}` does not exist; "
            + _advice(missing.near, parent, "import it from where it lives now, or remove it"),
            statement=statement,
            cause=f"unresolved:{missing.dotted}",
        )

    def _report_name(
        self, node: cst.CSTNode, statement: Statement, module: Module, name: str,
        near: tuple[str, ...], *, patch: str | None = None,
    ) -> None:
        where = ""
        if module.source is not None:
            where = f" ({module.source.relative_to(self.index.root).as_posix()})" if (
                module.source.is_relative_to(self.index.root)
            ) else ""
        head = f"Patch target `{patch}` does not resolve: " if patch else ""
        package = ", nor a submodule of it" if module.portions else ""
        self.report(
            node,
            f"{head}`{name}` is not defined in `{module.dotted}`{where}{package}; "
            + _advice(near, "", "it was renamed, moved or removed"),
            statement=statement,
            cause=f"unresolved:{module.dotted}.{name}",
        )

    def visit_Try(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Try)
        if not _catches_import_error(node):
            return
        for line in node.body.body:
            if isinstance(line, cst.SimpleStatementLine):
                self.guarded.update(id(small) for small in line.body)

    def visit_Import(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Import)
        if id(node) in self.guarded:
            return
        for alias in node.names:
            dotted = dotted_name(alias.name) or ""
            if not self._first_party(dotted):
                continue
            found = self.index.find(dotted, self.depends)
            if isinstance(found, Missing):
                self._report_missing(alias, statement, dotted, found)

    def visit_ImportFrom(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None or id(node) in self.guarded:
            return  # relative imports are TG201's; once absolute they are checked here
        dotted = dotted_name(node.module) or ""
        if not self._first_party(dotted):
            return
        found = self.index.find(dotted, self.depends)
        if isinstance(found, Missing):
            self._report_missing(node.module, statement, dotted, found)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            exists, near = self.index.has_name(found, name, self.depends)
            if not exists:
                self._report_name(alias, statement, found, name, near)

    # --- patch("pkg.module.attr") targets, wherever a statement holds them directly

    def _check_patches(self, expression: cst.BaseExpression | None, statement: Statement) -> None:
        if not self.patching:
            return
        for call in _patch_calls(expression):
            if not _is_patch(call):
                continue
            target = _string_target(call)
            if target is None:
                continue
            value = target.evaluated_value
            if not isinstance(value, str) or "." not in value:
                continue
            if not all(part.isidentifier() for part in value.split(".")):
                continue
            if not self._first_party(value):
                continue
            creates = any(a.keyword is not None and a.keyword.value == "create" for a in call.args)
            self._check_target(target, statement, value, creates)

    def _check_target(
        self, node: cst.CSTNode, statement: Statement, target: str, creates: bool
    ) -> None:
        parts = target.split(".")
        found = self.index.find(parts[0], self.depends)
        if isinstance(found, Missing):
            self._report_missing(node, statement, target, found)
            return
        module = found
        for index, part in enumerate(parts[1:], start=1):
            deeper = self.index.find(".".join(parts[: index + 1]), self.depends)
            if isinstance(deeper, Module):
                module = deeper
                continue
            if creates and index == len(parts) - 1:
                return
            exists, near = self.index.has_name(module, part, self.depends)
            if not exists:
                self._report_name(node, statement, module, part, near, patch=target)
            return  # an attribute of an object: what lies beyond is not static

    def _decorated(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, (cst.FunctionDef, cst.ClassDef))
        for decorator in node.decorators:
            self._check_patches(decorator.decorator, statement)

    visit_FunctionDef = _decorated
    visit_ClassDef = _decorated

    def visit_With(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.With)
        for item in node.items:
            self._check_patches(item.item, statement)

    def visit_Expr(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Expr)
        self._check_patches(node.value, statement)

    def visit_Assign(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.Assign)
        self._check_patches(node.value, statement)
