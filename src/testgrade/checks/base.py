"""The rule API: what a check sees of a file and how it reports.

A rule is bound to its catalogue entry by `id`. The engine walks statements
once and calls `visit_<NodeType>(statement)` on every rule that defines it;
rules that need expressions return handlers from `expression_handlers()`, and
the engine makes one expression walk for all of them together, only when asked
(`walk.walk_expressions`: node fields read in place, nothing rebuilt). An
expression handler is called as `handler(node, statement)`, `statement` being
the innermost `walk.Statement` enclosing the node (for a decorator, a default
or an annotation of a function or class: that definition's statement), so
`ctx.scopes` can say which test, class and kind the node belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst

from testgrade.checks.bvj_parser import Bvj, parse_bvj
from testgrade.config import Config
from testgrade.ftypes import Kind, Role, Severity
from testgrade.scopes import Scopes
from testgrade.walk import ExpressionHandler, Scope, Statement

__all__ = ["ExpressionHandler", "FileContext", "Report", "Rule", "source_of"]


@dataclass
class FileContext:
    """What every rule may know about the file being checked."""

    path: str  # POSIX, relative to the project root
    text: str
    lines: int
    role: Role
    kind: Kind  # the file's kind: the strongest of its tests' (see scopes)
    package: str | None  # dotted package the file sits in, if it is importable
    config: Config
    module: cst.Module
    scopes: Scopes  # which tests pytest collects here, and each one's kind and why
    # Other files a result depends on (path -> stamp), recorded by rules that read
    # them (TG203); a cached result is reused only while they are unchanged.
    depends: dict[str, str] = field(default_factory=dict)
    _bvjs: dict[int, Bvj | None] = field(default_factory=dict, repr=False)

    def bvj_of(self, owner: Scope | None) -> Bvj | None:
        """The BVJ in an owner's own docstring (None: the module's), parsed once per
        file however many rules ask (TG301 and TG302 read the same docstrings)."""
        key = id(owner)
        if key not in self._bvjs:
            docstring = (owner or self.module).get_docstring()
            self._bvjs[key] = parse_bvj(docstring, self.config.bvj)
        return self._bvjs[key]


@dataclass
class Report:
    """A finding whose position is resolved later, only if it is kept."""

    rule: str
    message: str
    node: cst.CSTNode | None  # None: the file as a whole (line 1)
    severity: Severity | None = None  # None: the catalogue default
    fixable: bool | None = None
    cause: str = ""  # see Finding.cause
    # The statement it was reported from (None only for file-level reports): where
    # positions start looking, and whose enclosing scopes go into the fingerprint.
    origin: Statement | None = None

    @property
    def line_node(self) -> cst.CSTNode | None:
        """Where the statement's line starts, for suppressions (None: file-level)."""
        return self.origin.line_node if self.origin is not None else None


class Rule:
    """Base class of every check."""

    id: ClassVar[str]

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.reports: list[Report] = []

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        """A cheap pre-filter: False when the file cannot violate this rule."""
        return True

    def report(
        self,
        node: cst.CSTNode | None,
        message: str,
        *,
        statement: Statement | None = None,
        severity: Severity | None = None,
        fixable: bool | None = None,
        cause: str = "",
    ) -> None:
        if node is not None and statement is None:
            raise TypeError(f"{self.id}: a report on a node must name its statement")
        self.reports.append(Report(self.id, message, node, severity, fixable, cause, statement))

    def expression_handlers(self) -> dict[type[cst.CSTNode], ExpressionHandler]:
        """Handlers for the expression walk, `handler(node, statement)`; empty means
        no walk is needed."""
        return {}

    def finish(self) -> None:
        """Called once after all visits, for file-level checks."""


def source_of(ctx: FileContext, node: cst.CSTNode) -> str:
    """A node's code on one line, for messages."""
    return " ".join(ctx.module.code_for_node(node).split())
