"""Line and column numbers for the few nodes that are reported.

libcst's PositionProvider computes a range for every node of the tree, which
costs several times the parse. Reported nodes are few, so we generate code
only as far as the last of them, counting lines as we go, and stop there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState


class _AllFound(Exception):
    pass


@dataclass
class _LocatingState(CodegenState):
    wanted: dict[int, cst.CSTNode] = field(default_factory=dict)
    found: dict[int, tuple[int, int]] = field(default_factory=dict)
    first_token: dict[int, tuple[int, int]] = field(default_factory=dict)
    line: int = 1
    column: int = 0

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.column += len(token)

    def add_token(self, value: str) -> None:
        newlines = value.count("\n") + value.count("\r") - value.count("\r\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - max(value.rfind("\n"), value.rfind("\r")) - 1
        else:
            self.column += len(value)

    def _settle(self, key: int, position: tuple[int, int]) -> None:
        self.found[key] = position
        if len(self.found) == len(self.wanted):
            raise _AllFound

    def before_codegen(self, node: cst.CSTNode) -> None:
        # Where the node's code starts, leading blank lines and comments included.
        key = id(node)
        if key in self.wanted and key not in self.found:
            self.first_token[key] = (self.line, self.column + 1)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        # Where the node itself starts (`def`, not its decorators or leading comments),
        # as PositionProvider reports it.
        key = id(node)
        if key in self.wanted and key not in self.found:
            self._settle(key, (self.line, self.column + 1))
        yield

    def after_codegen(self, node: cst.CSTNode) -> None:
        # A node with no syntactic position of its own (Param, ImportAlias, ...)
        # starts at its first token.
        key = id(node)
        if key in self.wanted and key not in self.found:
            self._settle(key, self.first_token[key])


def locate(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """(line, column), both 1-based, of each node's first token, keyed by id(node)."""
    wanted = {id(node): node for node in nodes}
    if not wanted:
        return {}
    state = _LocatingState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=wanted,
    )
    try:
        module._codegen(state)
    except _AllFound:
        pass
    return state.found
