"""Line and column numbers for the few nodes that are reported.

libcst's PositionProvider computes a range for every node of the tree, which
costs several times the parse, and generating code up to the last reported
node costs most of a parse when findings sit late in a file. Instead, a scan
of the text for where logical lines start (`linestarts`, about 1% of
the parse; only for files with reported nodes), paired in order with the
tree's statements, gives the line of every statement, and code is generated
only inside the statement that holds a reported node, from that line on.
Each `elif` and `except` clause is a starting point of its own, so a finding
in the 900th branch of an `elif` chain costs one branch, not a recursion
through 900. When the scan and the tree do not pair up, or a reported node
sits in a one-line suite (`if x: y`, whose start is not a line's), the
stdlib `ast` gives the starts instead (about a tenth of the parse; never
compiled or executed); when `ast` cannot parse the file either (syntax newer
than this Python), code is generated from the top.

Positions are those of PositionProvider: the 1-based line and column of the
node's first token, `def`/`class` rather than a decorator, a statement line's
first statement rather than the comments above it. tests/test_positions.py
checks that, node by node.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from testgrade.linestarts import NEWLINE, ScanError, logical_line_starts
from testgrade.walk import Statement, clauses, suite_statements, walk_expressions

Position = tuple[int, int]  # (line, column), both 1-based


class _AllFound(Exception):
    pass


class _Mismatch(Exception):
    """The ast and libcst trees do not line up; positions come from code generation."""


@dataclass
class _LocatingState(CodegenState):
    wanted: dict[int, cst.CSTNode] = field(default_factory=dict)
    found: dict[int, Position] = field(default_factory=dict)
    first_token: dict[int, Position] = field(default_factory=dict)
    line: int = 1
    column: int = 0
    # The node whose syntactic start is known (from the scan or `ast`), and where (line,
    # 0-based column); until it is reached, lines are counted from an arbitrary origin.
    anchor: int | None = None
    anchor_at: tuple[int, int] = (1, 0)
    check_column: bool = False
    run: list[int] = field(default_factory=list)  # keys found since the origin was set

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

    def _settle(self, key: int, position: Position) -> None:
        self.found[key] = position
        self.run.append(key)
        if len(self.found) == len(self.wanted) and self.anchor is None:
            raise _AllFound

    def _reanchor(self) -> None:
        line, column = self.anchor_at
        if self.check_column and column != self.column:
            raise _Mismatch
        shift = line - self.line
        for key in self.run:
            old_line, old_column = self.found[key]
            self.found[key] = (old_line + shift, old_column)
        for key, (old_line, old_column) in list(self.first_token.items()):
            self.first_token[key] = (old_line + shift, old_column)
        self.line, self.column = line, column
        self.anchor = None
        if len(self.found) == len(self.wanted):  # all before it: a decorator, say
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
        if key == self.anchor:
            self._reanchor()
        if key in self.wanted and key not in self.found:
            self._settle(key, (self.line, self.column + 1))
        yield

    def after_codegen(self, node: cst.CSTNode) -> None:
        # A node with no syntactic position of its own (Param, ImportAlias, ...)
        # starts at its first token.
        key = id(node)
        if key in self.wanted and key not in self.found:
            self._settle(key, self.first_token[key])


_COMPOUND_AST: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: (ast.TryStar,),
    cst.Match: (ast.Match,),
}


def _ast_starts(module: cst.Module, tree: ast.Module) -> dict[int, tuple[int, int]]:
    """(line, byte column) from `ast`, keyed by id of each libcst statement line, one-line
    suite, compound statement, `elif` and `except` clause. Iterative: no recursion limit."""
    starts: dict[int, tuple[int, int]] = {}
    pairs: list[tuple[Sequence[cst.CSTNode], list[ast.stmt]]] = [(module.body, tree.body)]
    while pairs:
        items, statements = pairs.pop()
        index = 0
        for item in items:
            if isinstance(item, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                count = len(item.body)
                smalls = statements[index:index + count]
                if count == 0 or len(smalls) != count:
                    raise _Mismatch
                starts[id(item)] = (smalls[0].lineno, smalls[0].col_offset)
                index += count
                continue
            if index >= len(statements):
                raise _Mismatch
            node = statements[index]
            index += 1
            if not isinstance(node, _COMPOUND_AST.get(type(item), ())):
                raise _Mismatch
            starts[id(item)] = (node.lineno, node.col_offset)
            _pair_bodies(item, node, starts, pairs)
        if index != len(statements):
            raise _Mismatch
    return starts


def _pair_bodies(
    item: cst.CSTNode,
    node: ast.stmt,
    starts: dict[int, tuple[int, int]],
    pairs: list[tuple[Sequence[cst.CSTNode], list[ast.stmt]]],
) -> None:
    """Queue the bodies of one compound statement, paired with their ast bodies."""
    while isinstance(item, cst.If) and isinstance(node, ast.If):  # an elif chain, in a loop
        pairs.append((suite_statements(item.body), node.body))
        orelse = item.orelse
        if isinstance(orelse, cst.If):
            if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
                raise _Mismatch
            node = node.orelse[0]
            starts[id(orelse)] = (node.lineno, node.col_offset)
            item = orelse
            continue
        if orelse is not None:
            pairs.append((suite_statements(orelse.body), node.orelse))
        elif node.orelse:
            raise _Mismatch
        return
    body = getattr(item, "body", None)
    if isinstance(body, cst.BaseSuite):
        pairs.append((suite_statements(body), getattr(node, "body", [])))
    if isinstance(item, (cst.Try, cst.TryStar)) and isinstance(node, (ast.Try, ast.TryStar)):
        handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = item.handlers
        if len(handlers) != len(node.handlers):
            raise _Mismatch
        for handler, ast_handler in zip(handlers, node.handlers):
            starts[id(handler)] = (ast_handler.lineno, ast_handler.col_offset)
            pairs.append((suite_statements(handler.body), ast_handler.body))
    if isinstance(item, cst.Match) and isinstance(node, ast.Match):
        if len(item.cases) != len(node.cases):
            raise _Mismatch
        for case, ast_case in zip(item.cases, node.cases):
            pairs.append((suite_statements(case.body), ast_case.body))
    orelse = getattr(item, "orelse", None)
    if orelse is not None:
        pairs.append((suite_statements(orelse.body), getattr(node, "orelse", [])))
    elif getattr(node, "orelse", None):
        raise _Mismatch
    final: cst.Finally | None = getattr(item, "finalbody", None)
    if final is not None:
        pairs.append((suite_statements(final.body), getattr(node, "finalbody", [])))
    elif getattr(node, "finalbody", None):
        raise _Mismatch


class _Opens:
    """A logical line that starts with `node` (None: a clause whose start no one asks for)."""

    __slots__ = ("node",)

    def __init__(self, node: cst.CSTNode | None) -> None:
        self.node = node


_END = object()


def _scanned_starts(module: cst.Module, text: str) -> dict[int, tuple[int, int]]:
    """(line, character column) keyed like `_ast_starts`, from the text's logical line
    starts paired in order with the tree; one-line suites are left out. Iterative."""
    lines = logical_line_starts(text)
    starts: dict[int, tuple[int, int]] = {}
    count = len(lines)
    taken = 0
    stack: list[Iterator[object]] = [iter(module.body)]
    while stack:
        element = next(stack[-1], _END)
        if element is _END:
            stack.pop()
            continue
        if type(element) is cst.SimpleStatementLine:
            node: cst.CSTNode | None = element
        elif type(element) is _Opens:
            node = element.node
        elif type(element) is tuple:  # an indented block's statements
            stack.append(iter(element))
            continue
        else:  # a compound statement
            stack.append(iter(_logical_lines_of(element)))  # type: ignore[arg-type]
            continue
        if taken == count:
            raise _Mismatch
        if node is not None:
            starts[id(node)] = lines[taken]
        taken += 1
    if taken != count:
        raise _Mismatch
    return starts


def _logical_lines_of(item: cst.BaseCompoundStatement) -> list[object]:
    """What one compound statement is made of, in source order: the logical lines it
    opens (`_Opens`; decorators, the header, then each clause of `walk.clauses`) and its
    indented blocks (tuples of statements; a one-line suite opens no line of its own)."""
    parts: list[object] = [_Opens(None) for _ in getattr(item, "decorators", ())]
    parts.append(_Opens(item))
    for clause, suite in clauses(item):
        if clause is not item:  # `elif` and `except` clauses are starting points of their own
            parts.append(_Opens(clause if type(clause) in _OWN_STARTS else None))
        if type(suite) is cst.IndentedBlock:
            parts.append(tuple(suite.body))
    return parts


_OWN_STARTS = frozenset({cst.If, cst.ExceptHandler, cst.ExceptStarHandler})


def _clause_of(compound: cst.CSTNode, key: int) -> cst.CSTNode | None:
    """The innermost `elif` or `except` clause of `compound` holding the node `key`
    outside the bodies; `compound` itself if the node is elsewhere in its header;
    None if it is not in the header (it sits in a body)."""
    stack: list[tuple[cst.CSTNode, cst.CSTNode]] = [(compound, compound)]
    while stack:
        node, clause = stack.pop()
        if id(node) == key:
            return clause
        for child in _header_children(node):
            if isinstance(child, (cst.ExceptHandler, cst.ExceptStarHandler)) or (
                isinstance(node, cst.If) and child is node.orelse and isinstance(child, cst.If)
            ):
                stack.append((child, child))
            else:
                stack.append((child, clause))
    return None


def _header_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if not isinstance(value, cst.BaseSuite):
                yield value
        elif isinstance(value, (tuple, list)):
            yield from (v for v in value if isinstance(v, cst.CSTNode))


@dataclass
class _Start:
    """One code generation: from `node`, whose syntactic start is known."""

    node: cst.CSTNode
    indent: str
    is_elif: bool  # an If in another's orelse prints as `elif`
    wanted: dict[int, cst.CSTNode] = field(default_factory=dict)


def locate(
    module: cst.Module,
    text: str,
    targets: Iterable[tuple[cst.CSTNode, Statement | None]],
    statements: Sequence[Statement] = (),
) -> dict[int, Position]:
    """(line, column), both 1-based, of each node's first token, keyed by id(node).

    Each target is a node with the statement it was reported from, if known;
    `statements` (from `walk.iter_statements`) finds the others.
    """
    targets = [(node, statement) for node, statement in targets]
    if not targets:
        return {}
    by_node: dict[int, Statement] = {}
    for statement in statements:
        by_node.setdefault(id(statement.node), statement)
        by_node.setdefault(id(statement.line_node), statement)
    owners = _owners_of(  # the expression walk never reaches a comment: no use looking
        [
            node for node, origin in targets
            if origin is None and id(node) not in by_node and type(node) is not cst.Comment
        ],
        statements,
    )
    groups: dict[int, _Start] = {}
    lost: list[cst.CSTNode] = []
    for node, origin in targets:
        owner = origin or by_node.get(id(node)) or owners.get(id(node))
        if owner is None:
            lost.append(node)
            continue
        start = _start_of(node, owner)
        group = groups.get(id(start))
        if group is None:
            is_elif = isinstance(start, cst.If) and start is not owner.node
            group = groups[id(start)] = _Start(start, owner.indent, is_elif)
        group.wanted[id(node)] = node
    starts = _statement_starts(module, text, groups)
    if starts is None:
        return _locate_by_codegen(module, [node for node, _ in targets])
    found: dict[int, Position] = {}
    for key, group in groups.items():
        at = starts.get(key)
        if at is None:
            lost.extend(group.wanted.values())
            continue
        try:
            found.update(_generate(module, group, at))
        except (_Mismatch, RecursionError):  # RecursionError: a long `elif` chain's `else`
            lost.extend(group.wanted.values())
    if lost:
        found.update(_locate_by_codegen(module, lost))
    return found


def _statement_starts(
    module: cst.Module, text: str, groups: dict[int, _Start]
) -> dict[int, tuple[int, int]] | None:
    """(line, character column) of where each group starts: from the scan if it pairs
    with the tree and has them all, else from `ast`; None if neither can tell."""
    try:
        starts = _scanned_starts(module, text)
        if all(key in starts for key in groups):
            return starts
    except (ScanError, _Mismatch):
        pass
    try:
        starts = _ast_starts(module, ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError, _Mismatch):
        return None  # syntax newer than this Python's `ast`, or trees that do not line up
    lines: list[str] | None = None
    for key in groups:
        line, byte_column = starts.get(key, (0, 0))
        if byte_column and line:
            if lines is None:
                lines = NEWLINE.split(text)
            starts[key] = (line, _characters(lines[line - 1], byte_column))
    return starts


def _owners_of(nodes: list[cst.CSTNode], statements: Sequence[Statement]) -> dict[int, Statement]:
    """The innermost statement around each node reported without one (rare: a rule
    that reports from `finish`), by one walk over the file."""
    if not nodes:
        return {}
    wanted = {id(node) for node in nodes}
    owners: dict[int, Statement] = {}

    def note(node: cst.CSTNode, statement: Statement) -> None:
        if id(node) in wanted:
            owners[id(node)] = statement

    walk_expressions(statements, {type(node): [note] for node in nodes})
    return owners


def _start_of(node: cst.CSTNode, statement: Statement) -> cst.CSTNode:
    """Where code generation for `node` starts: its statement line, or the clause of
    its compound statement that holds it."""
    owner = statement.node
    if owner is not statement.line_node:  # a small statement: generate its whole line
        return statement.line_node
    if node is owner or not isinstance(owner, (cst.If, cst.Try, cst.TryStar)):
        return owner  # only `elif` and `except` clauses start a generation of their own
    return _clause_of(owner, id(node)) or owner


def _characters(line: str, byte_column: int) -> int:
    """`ast` columns count UTF-8 bytes; libcst's count characters."""
    if line.isascii():
        return byte_column
    return len(line.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "replace"))


def _generate(module: cst.Module, group: _Start, at: tuple[int, int]) -> dict[int, Position]:
    start = group.node
    state = _LocatingState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=group.wanted,
        anchor=id(start),
        anchor_at=at,
        # A statement that opens its line must start right after the indentation;
        # if not, the trees were paired wrongly.
        check_column=not isinstance(start, cst.SimpleStatementSuite),
    )
    state.indent_tokens = [group.indent] if group.indent else []
    try:
        if group.is_elif:
            start._codegen(state, is_elif=True)
        else:
            start._codegen(state)
    except _AllFound:
        pass
    if len(state.found) != len(group.wanted):
        raise _Mismatch
    return state.found


def _locate_by_codegen(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Position]:
    """The slow path: generate the module's code up to the last wanted node."""
    wanted = {id(node): node for node in nodes}
    if not wanted:
        return {}
    state = _LocatingState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=wanted,
    )
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # an `elif` chain nests one If per branch
    try:
        module._codegen(state)
    except (_AllFound, RecursionError):
        pass
    finally:
        sys.setrecursionlimit(limit)
    return state.found
