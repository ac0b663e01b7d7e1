"""`testgrade check --fix` and `--diff`: rewrite what can be rewritten safely.

Only findings marked fixable are touched (TG201: the absolute import the message
names; TG202: the configured replacement, binding the same local name; TG001:
the unused suppression comment is deleted). The
rewrite is re-parsed before it is written, the file is written atomically, and
a file that changed since it was checked is left alone.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from testgrade.checks.imports import absolute_rewrite, deprecated_rewrite
from testgrade.config import Config
from testgrade.discovery import package_name
from testgrade.engine import RuleSelection, lint_source
from testgrade.fileio import atomic_write
from testgrade.ftypes import FileResult, Finding
from testgrade.guards import check_structure
from testgrade.source import DecodeError, decode_source


@dataclass(frozen=True)
class FileFix:
    path: Path
    relpath: str
    original: bytes
    fixed: bytes
    count: int  # findings fixed

    def diff(self, encoding: str = "utf-8") -> str:
        before = self.original.decode(encoding, errors="replace").splitlines(keepends=True)
        after = self.fixed.decode(encoding, errors="replace").splitlines(keepends=True)
        return "".join(
            difflib.unified_diff(before, after, f"a/{self.relpath}", f"b/{self.relpath}")
        )


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self, wanted: Mapping[tuple[int, int], str], package: str | None, table: Mapping[str, str]
    ) -> None:
        super().__init__()
        self.wanted = wanted
        self.package = package
        self.table = table
        self.parents: list[cst.Import | cst.ImportFrom] = []
        self.count = 0

    def _rule_at(self, node: cst.CSTNode) -> str | None:
        start = self.get_metadata(PositionProvider, node).start
        return self.wanted.get((start.line, start.column + 1))

    def visit_Import(self, node: cst.Import) -> None:
        self.parents.append(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.parents.append(node)

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        if self._rule_at(original_node) != "TG202":
            return updated_node
        rewritten = deprecated_rewrite(updated_node, self.table, parent=self.parents[-1])
        if not isinstance(rewritten, cst.ImportAlias):
            return updated_node
        self.count += 1
        return rewritten

    # TG001: a suppression comment that silences nothing is deleted, with the
    # whitespace before it; a comment on a line of its own takes the line with it.
    def leave_TrailingWhitespace(
        self, original_node: cst.TrailingWhitespace, updated_node: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        if original_node.comment is None or self._rule_at(original_node.comment) != "TG001":
            return updated_node
        self.count += 1
        return updated_node.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)

    def leave_EmptyLine(
        self, original_node: cst.EmptyLine, updated_node: cst.EmptyLine
    ) -> cst.EmptyLine | cst.RemovalSentinel:
        if original_node.comment is None or self._rule_at(original_node.comment) != "TG001":
            return updated_node
        self.count += 1
        return cst.RemovalSentinel.REMOVE

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self.parents.pop()
        return updated_node

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        self.parents.pop()
        rule = self._rule_at(original_node)
        rewritten: cst.CSTNode | None = None
        if rule == "TG201":
            rewritten = absolute_rewrite(updated_node, self.package)
        elif rule == "TG202":
            rewritten = deprecated_rewrite(updated_node, self.table, parent=updated_node)
        if not isinstance(rewritten, cst.ImportFrom):
            return updated_node
        self.count += 1
        return rewritten


def plan_fix(
    path: Path,
    relpath: str,
    findings: Sequence[Finding],
    *,
    package: str | None,
    deprecated_imports: Mapping[str, str],
) -> FileFix | None:
    """The fixed bytes of one file, or None when nothing fixable changes it."""
    wanted = {(f.line, f.column): f.rule for f in findings if f.fixable}
    if not wanted:
        return None
    try:
        original = path.read_bytes()
        # The file may have changed since it was checked: the same guards as the
        # engine keep a pathological rewrite from crashing the parser here.
        if check_structure(decode_source(original).text) is not None:
            return None
        module = cst.parse_module(original)
    except (OSError, DecodeError, cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return None  # changed or unreadable since the check: leave it alone
    fixer = _Fixer(wanted, package, deprecated_imports)
    fixed_module = MetadataWrapper(module, unsafe_skip_copy=True).visit(fixer)
    fixed = fixed_module.bytes
    if fixer.count == 0 or fixed == original:
        return None
    try:  # never write what does not parse (a tree is built; nothing is run)
        cst.parse_module(fixed)
        ast.parse(fixed)
    except (cst.ParserSyntaxError, SyntaxError, ValueError):
        return None
    return FileFix(path, relpath, original, fixed, fixer.count)


def apply_fix(fix: FileFix) -> bool:
    """Write one fix atomically, unless the file changed since it was planned."""
    try:
        if fix.path.read_bytes() != fix.original:
            return False
    except OSError:
        return False
    atomic_write(fix.path, fix.fixed)
    return True


def plan_fixes(config: Config, results: Sequence[FileResult]) -> list[FileFix]:
    """Every file's planned fix, in the order of `results`."""
    fixes = []
    for result in results:
        planned = plan_fix(
            config.root / result.path,
            result.path,
            result.findings,
            package=package_name(config.root, result.path),
            deprecated_imports=config.deprecated_imports,
        )
        if planned is not None:
            fixes.append(planned)
    return fixes


def apply_fixes(
    config: Config, results: Sequence[FileResult]
) -> tuple[list[FileResult], int, int, list[str]]:
    """Apply every planned fix and re-check the files that changed.

    Returns the new results, the findings fixed, the files written, and one
    message per file that was left unchanged (changed meanwhile, or unwritable).
    """
    fixed: dict[str, FileResult] = {}
    count = 0
    problems = []
    selection = RuleSelection(config)
    for planned in plan_fixes(config, results):
        try:
            written = apply_fix(planned)
        except OSError as exc:
            problems.append(
                f"could not write {planned.relpath}: {exc.strerror or exc}; left unchanged"
            )
            continue
        if not written:
            problems.append(f"{planned.relpath} changed while being fixed; left unchanged")
            continue
        count += planned.count
        fixed[planned.relpath] = lint_source(
            planned.fixed, planned.relpath, config,
            package=package_name(config.root, planned.relpath), selection=selection,
        )
    return [fixed.get(r.path, r) for r in results], count, len(fixed), problems
