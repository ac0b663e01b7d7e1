"""Where each logical line of Python source starts, from one scan of the text.

A logical line is what the tokenizer ends with NEWLINE: a statement line, a
compound statement's header, a decorator, an `elif`/`else`/`except`/`finally`/
`case` clause. Blank lines, comment lines, and the lines a bracket, a string or
a backslash continues are not starts. Positions use this instead of `ast.parse`
(which builds a Python object for every node: 0.11-0.13 of libcst's parse on
the real-shaped corpus, against about 0.01 for this scan; docs/benchmarks.md).

The scan knows brackets, strings (single, triple, any prefix: a backslash
always escapes the next character for tokenizing), comments and backslash
continuations, nothing else. Anything it cannot follow (a bracket closed twice,
an unterminated string, a backslash not ending a line, an f-string whose
replacement fields do not close inside it, as when a Python 3.12 f-string holds
its own quotes) raises `ScanError`, and a caller pairing the starts with a
parsed tree still checks that the counts agree.
"""

from __future__ import annotations

import bisect
import re

_SPECIAL = re.compile(r"""[#'"()\[\]{}\\\r\n]""")
# Blank and comment-only lines, then the indentation of the next token.
_TO_NEXT_TOKEN = re.compile(r"(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n?|\n))*[ \t\f]*")
NEWLINE = re.compile(r"\r\n?|\n")  # line ends as Python and libcst count them
_STRING_REST = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"'),
    "'": re.compile(r"(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*'"),
}
_OPENING = frozenset("([{")
_BRACE = re.compile(r"[{}]")
_PREFIX_WITH_F = re.compile(r"[rRbBuU]?[fF][rR]?\Z")  # the letters right before a quote
_CLOSING = frozenset(")]}")


class ScanError(Exception):
    """The text is not something the scan can follow."""


def logical_line_starts(text: str) -> list[tuple[int, int]]:
    """(1-based line, 0-based column in characters) of each logical line's first token."""
    offsets = _offsets(text)
    if not offsets:
        return []
    line_starts = [0] + [match.end() for match in NEWLINE.finditer(text)]
    starts = []
    for offset in offsets:
        line = bisect.bisect_right(line_starts, offset)
        starts.append((line, offset - line_starts[line - 1]))
    return starts


def _balanced(body: str) -> bool:
    """Whether an f-string's replacement fields close inside what the scan took for its
    body. From Python 3.12 a field may hold the f-string's own quote (`f"{d["k"]}"`);
    the scan then ends the string inside a field, whose brace is left open. (A prefix
    it only guessed, as in `if"{":`, costs a refusal, never a wrong answer.)"""
    if "{" not in body and "}" not in body:
        return True
    depth = 0
    skip = -1  # the second brace of a `{{` or `}}` escape
    for match in _BRACE.finditer(body):
        at = match.start()
        if at == skip:
            continue
        if depth == 0 and body.startswith(match.group() * 2, at):  # an escaped brace
            skip = at + 1
        elif match.group() == "{":
            depth += 1
        elif depth == 0:
            return False
        else:
            depth -= 1
    return depth == 0


def _offsets(text: str) -> list[int]:
    size = len(text)
    offsets = []
    position = _TO_NEXT_TOKEN.match(text, 0).end()  # type: ignore[union-attr]
    if position < size:
        offsets.append(position)
    depth = 0
    search = _SPECIAL.search
    while (match := search(text, position)) is not None:
        index = match.start()
        char = text[index]
        if char == "\n" or char == "\r":
            position = index + 1
            if depth == 0:
                position = _TO_NEXT_TOKEN.match(text, index).end()  # type: ignore[union-attr]
                if position < size:
                    offsets.append(position)
        elif char in _OPENING:
            depth += 1
            position = index + 1
        elif char in _CLOSING:
            depth -= 1
            if depth < 0:
                raise ScanError("a bracket closed that was not open")
            position = index + 1
        elif char == "#":
            end = NEWLINE.search(text, index)
            position = end.start() if end is not None else size
        elif char == "\\":
            end = NEWLINE.match(text, index + 1)
            if end is None:
                raise ScanError("a backslash outside a string that does not end its line")
            position = end.end()
        else:
            quote = char * 3 if text.startswith(char * 3, index) else char
            rest = _STRING_REST[quote].match(text, index + len(quote))
            if rest is None:
                raise ScanError("a string that does not end")
            position = rest.end()
            if _PREFIX_WITH_F.search(text, max(0, index - 3), index) and not _balanced(
                text[index + len(quote):position - len(quote)]
            ):
                raise ScanError("an f-string with its own quotes inside (Python 3.12)")
    return offsets
