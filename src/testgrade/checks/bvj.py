"""TG301 missing-bvj and TG302 incomplete-bvj.

A Business Value Justification is a docstring block like

    Business Value Justification (BVJ):
    - Segment: Enterprise, Mid
    - Business Goal: ...
    - Value Impact: ...
    - Strategic Impact: ...

It counts when the docstring names it ("Business Value Justification" or
"BVJ") or carries at least two of the configured fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.config import BvjPolicy
from testgrade.ftypes import Role
from testgrade.walk import Statement

_MARKER = re.compile(r"business\s+value\s+justification|\bBVJ\b", re.IGNORECASE)
# "Platform/Internal - what it means"; starts only where blanks start (else quadratic).
_DESCRIPTION = re.compile(r"(?<!\s)\s+[-\u2013\u2014]\s+")
_SEGMENT_SPLIT = re.compile(r"[,;()|&]|\band\b|\bor\b", re.IGNORECASE)


@dataclass(frozen=True)
class Bvj:
    fields: dict[str, str]  # configured field name -> its value (may be empty)

    def problems(self, policy: BvjPolicy) -> list[str]:
        missing = [name for name in policy.fields if not self.fields.get(name)]
        found = []
        if missing:
            found.append("missing " + ", ".join(f"`{name}`" for name in missing))
        segment = self.fields.get("Segment")
        if segment and policy.segments:
            unknown = unknown_segments(segment, policy.segments)
            if unknown:
                found.append(
                    "unknown segment " + ", ".join(f"`{s}`" for s in unknown)
                    + f" (known: {', '.join(policy.segments)})"
                )
        return found


def _field_pattern(fields: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(fields, key=len, reverse=True))
    # A field starts a line (optionally bulleted, optionally **bold**) or follows
    # `BVJ:` or a `;` on a one-line BVJ; its value runs to the end of the line or the next `;`.
    return re.compile(
        # No two adjacent parts may match the same blanks: that backtracking is quadratic
        # on a long line of spaces (40 kB took 25 s). The value is stripped by the caller.
        rf"(?:^|;|\bBVJ\)?:)[ \t]*(?:[-*\u2022][ \t]*)?(?:\*\*[ \t]*)?({names})[ \t]*(?:\*\*[ \t]*)?:"
        rf"[ \t]*(?:\*\*[ \t]*)?([^;\n]*)",
        re.IGNORECASE | re.MULTILINE,
    )


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def parse_bvj(docstring: str | None, policy: BvjPolicy) -> Bvj | None:
    """The BVJ in a docstring, or None if it has none."""
    if not docstring:
        return None
    pattern = _PATTERNS.get(policy.fields)
    if pattern is None:
        pattern = _PATTERNS[policy.fields] = _field_pattern(policy.fields)
    canonical = {name.lower(): name for name in policy.fields}
    fields: dict[str, str] = {}
    for match in pattern.finditer(docstring):
        name = canonical[match.group(1).lower()]
        fields.setdefault(name, match.group(2).strip().strip("*").strip())
    if _MARKER.search(docstring) is None and len(fields) < 2:
        return None
    return Bvj(fields)


def unknown_segments(value: str, segments: tuple[str, ...]) -> list[str]:
    known = {s.lower() for s in segments}
    head = _DESCRIPTION.split(value, maxsplit=1)[0]
    pieces = (piece.strip(" .*`'\"") for piece in _SEGMENT_SPLIT.split(head))
    return [piece for piece in pieces if piece and piece.lower() not in known]


class _BvjRule(Rule):
    """Shared traversal: TG301 and TG302 read the same docstrings."""

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST or "BVJ" in ctx.text or "Business Value" in ctx.text

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.policy = ctx.config.bvj
        module = ctx.module
        self.module_bvj = parse_bvj(module.get_docstring(), self.policy)
        if self.module_bvj is not None:
            self.on_bvj(self.module_bvj, None, None)
        self.class_bvj: dict[int, Bvj | None] = {}

    def on_bvj(
        self, bvj: Bvj, node: cst.ClassDef | cst.FunctionDef | None, statement: Statement | None
    ) -> None:
        pass

    def visit_ClassDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ClassDef)
        bvj = parse_bvj(node.get_docstring(), self.policy)
        self.class_bvj[id(node)] = bvj
        if bvj is not None:
            self.on_bvj(bvj, node, statement)


class MissingBvj(_BvjRule):
    id = "TG301"

    tests = 0
    tests_with_bvj = 0

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        if self.ctx.scopes.test_for(node) is None:
            return
        self.tests += 1
        covered = (
            self.module_bvj is not None
            or any(self.class_bvj.get(id(scope)) is not None for scope in statement.scopes)
            or parse_bvj(node.get_docstring(), self.policy) is not None
        )
        if covered:
            self.tests_with_bvj += 1
            return
        self.report(
            node,
            f"Test `{node.name.value}` has no Business Value Justification; "
            "add a BVJ docstring to the test, its class or the module",
            statement=statement,
        )


class IncompleteBvj(_BvjRule):
    id = "TG302"

    def on_bvj(
        self, bvj: Bvj, node: cst.ClassDef | cst.FunctionDef | None, statement: Statement | None
    ) -> None:
        problems = bvj.problems(self.policy)
        if problems:
            owner = "module" if node is None else f"`{node.name.value}`"
            self.report(
                node,
                f"BVJ of {owner} is incomplete: {'; '.join(problems)}",
                statement=statement,
            )

    def visit_FunctionDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        bvj = parse_bvj(node.get_docstring(), self.policy)
        if bvj is not None:
            self.on_bvj(bvj, node, statement)
