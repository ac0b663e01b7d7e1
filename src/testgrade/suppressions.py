"""Suppression comments: `# testgrade: ignore[TG101] reason`, `# testgrade:
ignore-file[TG401] reason`, and `# noqa: TG201` as an alias of `ignore[TG201]`.

Comments are taken from the parsed tree (libcst keeps them), never from a
tokenizer: the running interpreter's tokenizer misreads newer syntax (3.12
f-strings on 3.11), and text that only looks like a comment, inside a string,
must not silence anything. Only files whose text mentions `testgrade:`, or
`noqa:` followed by a TG code on the same line, are searched, so the walk
costs nothing elsewhere (`# noqa: E501` alone does not start it). Each comment
comes with the statement it sits in, so that locating it costs that statement,
not the file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import cast

import libcst as cst


_DIRECTIVE = re.compile(
    r"#\s*testgrade:\s*(?P<kind>ignore-file|ignore)\b\s*(?:\[(?P<rules>[^\]]*)\])?\s*(?P<reason>.*)$"
)
# flake8 / ruff style; codes of other tools in the same comment are theirs, not ours
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*)(?P<rest>.*)$",
                   re.IGNORECASE)
_OUR_CODE = re.compile(r"TG[0-9]+", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    line: int
    rules: tuple[str, ...]  # empty: every rule
    reason: str
    whole_file: bool
    column: int = 1
    text: str = ""  # the comment as written
    # The comment is nothing but this directive: deleting it (--fix of TG001) loses
    # nothing else, such as another tool's noqa codes.
    removable: bool = False

    def covers(self, rule: str) -> bool:
        return not self.rules or any(rule.startswith(prefix) for prefix in self.rules)


# A superset of what _DIRECTIVE and _NOQA accept, as a test of the whole text.
_MENTION = re.compile(r"testgrade:|noqa\s*:[^\r\n]*tg[0-9]", re.IGNORECASE)
# Nodes that a comment inside them belongs to, for locating it: exact types, compared
# with `type(node) in` (every libcst class is an ABC: a failed isinstance is slow).
_STATEMENTS = frozenset({
    cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.FunctionDef, cst.ClassDef, cst.If,
    cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match,
})


def mentions_directives(text: str) -> bool:
    return _MENTION.search(text) is not None


@cache
def _child_fields(node_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(node_type))


def _comments(module: cst.Module) -> Iterator[tuple[cst.Comment, cst.CSTNode | None]]:
    """Every comment node with the innermost statement line or compound statement
    holding it (None: the module's header or footer), read from the dataclass
    fields (no visitor: a libcst visitor rebuilds every node it passes)."""
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(module, None)]
    while stack:
        node, owner = stack.pop()
        node_type = type(node)
        if node_type is cst.Comment:
            yield cast(cst.Comment, node), owner
            continue
        if node_type in _STATEMENTS:
            owner = node
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                stack.append((value, owner))
            elif isinstance(value, (tuple, list)):
                stack.extend((v, owner) for v in value if isinstance(v, cst.CSTNode))


def _parse(comment: str) -> tuple[tuple[str, ...], str, bool, bool] | None:
    """(rules, reason, whole_file, removable) of a directive comment, or None."""
    match = _DIRECTIVE.search(comment)
    if match is not None:
        rules = tuple(
            r.strip().upper() for r in (match.group("rules") or "").split(",") if r.strip()
        )
        removable = match.start() == 0
        return rules, match.group("reason").strip(), match.group("kind") == "ignore-file", removable
    match = _NOQA.search(comment)
    if match is None:
        return None
    codes = [c.strip() for c in match.group("codes").split(",")]
    ours = tuple(c.upper() for c in codes if _OUR_CODE.fullmatch(c))
    if not ours:
        return None
    removable = match.start() == 0 and len(ours) == len(codes)
    return ours, match.group("rest").strip(), False, removable


# A suppression comment, the statement line or compound statement it sits in, what it says.
DirectiveComment = tuple[cst.Comment, cst.CSTNode | None, tuple[tuple[str, ...], str, bool, bool]]


def directive_comments(module: cst.Module, text: str) -> list[DirectiveComment]:
    """The suppression comments of a parsed file, each with where it sits and what
    it says; the engine locates them in the same pass as its findings."""
    if not mentions_directives(text):
        return []
    return [(c, owner, d) for c, owner in _comments(module) if (d := _parse(c.value)) is not None]


def find_directives(
    comments: list[DirectiveComment], positions: dict[int, tuple[int, int]]
) -> list[Directive]:
    """The directives of `directive_comments`, placed by `positions`, in source order."""
    directives = []
    for comment, _owner, (rules, reason, whole_file, removable) in comments:
        line, column = positions.get(id(comment), (1, 1))
        directives.append(
            Directive(line, rules, reason, whole_file, column, comment.value, removable)
        )
    return sorted(directives, key=lambda d: (d.line, d.column))


def suppression_problem(
    directive: Directive, used: bool, enabled: frozenset[str], known: frozenset[str]
) -> tuple[str, bool] | None:
    """TG001's message for a directive and whether deleting it is the fix, or None
    when it is in order. A directive naming only rules this run did not enable is
    given the benefit of the doubt: nothing can be said about what it silences."""
    unknown = [p for p in directive.rules if not any(r.startswith(p) for r in known)]
    if unknown:
        names = ", ".join(f"`{p}`" for p in unknown)
        message = (
            f"Suppression names unknown rule{'s' if len(unknown) > 1 else ''} {names}; "
            "fix the id (see `testgrade rules`) or remove it"
        )
        return message, directive.removable and not used and len(unknown) == len(directive.rules)
    covered = [r for r in known if directive.covers(r)]
    if used or not covered or not all(r in enabled for r in covered):
        return None
    shown = " ".join(directive.text.split())
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    message = f"Unused suppression `{shown}`: nothing here is silenced by it; remove it"
    return message, directive.removable
