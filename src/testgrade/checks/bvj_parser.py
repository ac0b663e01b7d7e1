"""Reading Business Value Justifications out of docstrings, and merging them.

A BVJ is a block of fields, written however people write them:

    Business Value Justification (BVJ):
    1. **Segment:** Platform/Internal - Development Velocity
    2) Business Goal - Reliable tests
    - `Value Impact`: faster cycles, continued
      on the next indented line
    - Strategic Impact:
        on the line after the field name

or on one line, `;`-separated (`BVJ: Segment: Mid; Business Goal: ...`). A
docstring has a BVJ when it names one ("Business Value Justification", "BVJ",
or a `Business Value:` line) or carries at least two configured fields. A BVJ
that names itself but has no fields ("BVJ: users learn which tool runs") is a
note: it adds nothing, and inherits everything, when merged under a module's or
class's BVJ. Merging goes module -> class -> function, the innermost non-empty
value of each field winning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from testgrade.config import BvjPolicy

_MARKER = re.compile(
    r"business\s+value\s+justification|\bBVJ\b|^[\W_]*business\s+value[\W_]*:",
    re.IGNORECASE | re.MULTILINE,
)
_BULLET = re.compile(r"^(?:[-*\u2022+]|\d{1,3}[.)]|#{1,6})\s+")
# `Business Value Justification (BVJ):` or `BVJ:` opening a line, maybe in bold.
# (No two adjacent parts of a pattern may match the same blanks: that backtracking
# is quadratic on a long line of spaces.)
_HEADING = re.compile(
    r"^[*_`]*\s*(?:business\s+value\s+justification(?:\s*\(\s*bvj\s*\))?|bvj)"
    r"\s*(?:[*_`]+\s*)?:?\s*(?:[*_`]+\s*)?",
    re.IGNORECASE,
)
_INLINE_HEADING = re.compile(r"\bBVJ\)?[ \t]*(?:[*_`]+[ \t]*)?:[ \t]*(?:[*_`]+[ \t]*)?", re.IGNORECASE)
# "Platform/Internal - what it means": a description after a spaced dash.
_DESCRIPTION = re.compile(r"(?<!\s)\s+[-\u2013\u2014]\s+")
_PARENTHETICAL = re.compile(r"\([^()]*\)?")
_SEGMENT_SPLIT = re.compile(r"[,;|&+\u2192]|->|\band\b|\bor\b", re.IGNORECASE)
_MAX_QUOTED = 40


@dataclass(frozen=True)
class Bvj:
    """The fields a docstring (or a merge of docstrings) gives, by configured name."""

    fields: dict[str, str] = field(default_factory=dict)  # only non-empty values

    def merged_under(self, outer: Bvj | None) -> Bvj:
        """This BVJ refining `outer`: fields merge, this one's values win."""
        if outer is None:
            return self
        return Bvj({**outer.fields, **self.fields})

    def missing(self, policy: BvjPolicy) -> list[str]:
        return [name for name in policy.fields if name not in self.fields]

    def unknown_segments(self, policy: BvjPolicy) -> list[str]:
        segment = self.fields.get("Segment")
        if not segment or not policy.segments:
            return []
        return unknown_segments(segment, policy)


def merge(chain: Iterable[Bvj | None]) -> Bvj | None:
    """The effective BVJ of the innermost owner of `chain` (outermost first)."""
    merged: Bvj | None = None
    for bvj in chain:
        if bvj is not None:
            merged = bvj.merged_under(merged)
    return merged


class _FieldReader:
    """Recognises `Name: value` / `Name - value` for the configured names and aliases."""

    def __init__(self, policy: BvjPolicy) -> None:
        self.canonical = {name.lower(): name for name in policy.fields}
        for alias, target in policy.field_aliases:
            self.canonical[alias.lower()] = target
        names = "|".join(re.escape(n) for n in sorted(self.canonical, key=len, reverse=True))
        self.any_name = re.compile(names, re.IGNORECASE)  # the cheap test most docstrings fail
        self.pattern = re.compile(
            rf"^[*_`]*\s*({names})\s*(?:[*_`]+\s*)?(?::|[\u2013\u2014]|-(?=\s))"
            r"\s*(?:[*_`]+\s*)?(.*)$",
            re.IGNORECASE,
        )

    def fields_in(self, text: str) -> list[tuple[str, str]]:
        """Every (canonical name, value) in one line's text, `;`-separated or not."""
        pieces = text.split(";") if ";" in text else [text]
        found = []
        for piece in pieces:
            match = self.pattern.match(piece.strip())
            if match is not None:
                found.append((self.canonical[match.group(1).lower()], match.group(2)))
        return found


_READERS: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], _FieldReader] = {}


def _reader(policy: BvjPolicy) -> _FieldReader:
    key = (policy.fields, policy.field_aliases)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = _FieldReader(policy)
    return reader


def _clean(value: str) -> str:
    return " ".join(value.split()).strip("*_` ").strip()


def parse_bvj(docstring: str | None, policy: BvjPolicy) -> Bvj | None:
    """The BVJ in a docstring, or None if it has none."""
    if not docstring:
        return None
    reader = _reader(policy)
    if reader.any_name.search(docstring) is None and _MARKER.search(docstring) is None:
        return None
    values: dict[str, list[str]] = {}
    current: str | None = None  # the field whose value may continue on the next line
    current_indent = 0
    for line in docstring.splitlines():
        text = line.strip()
        if not text:
            current = None
            continue
        indent = len(line) - len(line.lstrip())
        bullet = _BULLET.match(text)
        body = text[bullet.end():] if bullet else text
        body = _HEADING.sub("", body, count=1)
        inline = _INLINE_HEADING.search(body)  # "Café tests. BVJ: Segment: All; ..."
        if inline is not None:
            body = body[inline.end():]
        found = reader.fields_in(body)
        if found:
            for name, value in found:
                values.setdefault(name, []).append(value)
            current, current_indent = found[-1][0], indent
            continue
        if current is not None and (
            indent > current_indent or (not _clean(" ".join(values[current])) and not bullet)
        ):
            values[current].append(body)
            continue
        current = None
    fields = {name: _clean(" ".join(parts)) for name, parts in values.items()}
    fields = {name: value for name, value in fields.items() if value}
    if len(values) < 2 and _MARKER.search(docstring) is None:
        return None
    return Bvj(fields)


def _canonical_segment(piece: str, known: dict[str, str], aliases: dict[str, str]) -> str | None:
    lowered = piece.lower()
    target = aliases.get(lowered, piece)
    return known.get(target.lower())


def unknown_segments(value: str, policy: BvjPolicy) -> list[str]:
    """The parts of a Segment value that name no configured segment.

    A value may list several segments (`Early, Mid`, `Enterprise/Mid`), give a
    range or a description in parentheses (`All (Free → Enterprise)`,
    `Enterprise ($100K+ MRR)`) or after a spaced dash, and use an alias
    (`Internal`, `All tiers`).
    """
    known = {s.lower(): s for s in policy.segments}
    aliases = {alias.lower(): target for alias, target in policy.segment_aliases}
    head = _DESCRIPTION.split(value, maxsplit=1)[0]
    head = _PARENTHETICAL.sub(" ", head)
    unknown = []
    for raw in _SEGMENT_SPLIT.split(head):
        piece = " ".join(raw.split()).strip(" .*`'\"")
        if not piece or _canonical_segment(piece, known, aliases):
            continue
        parts = [p.strip() for p in piece.split("/")]
        if len(parts) > 1 and all(p and _canonical_segment(p, known, aliases) for p in parts):
            continue
        unknown.append(piece)
    return unknown


def quoted(text: str) -> str:
    """`text` for a message, cut short so one odd value cannot flood a report."""
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 1].rstrip() + "\u2026"
    return f"`{text}`"
