"""Pre-parse guards: refuse, before libcst sees them, files that would crash or stall it.

libcst 1.9's native parser recurses once per level of an expression tree. At
about 1,200 nested brackets or about 7,000 chained operators it overflows the
C stack and kills the whole process with a segmentation fault (no exception
to catch), and long chains or huge literals cost seconds before that. These
checks scan the text once with one regular expression (strings and comments
skipped) and turn such files into a clear reason instead. The thresholds and
how they were measured are in docs/hardening.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from testgrade.linestarts import NEWLINE

# CPython's own tokenizer refuses more than 200 nested brackets ("too many
# nested parentheses"), so no valid Python file is refused here; libcst
# segfaults near 1,200 (nested calls) to 1,270 (plain parentheses).
MAX_BRACKET_DEPTH = 200
# An upper estimate of expression-tree depth: open brackets plus operators,
# dots and keywords chained without a comma in between. libcst segfaults near
# 6,950 `+` terms or 7,000 `and` terms; 1,000 costs well under a second.
MAX_EXPRESSION_DEPTH = 1_000
# `elif` branches in one chain: each nests one If node deeper; libcst segfaults
# near 8,250 and parses 1,000 in well under a second.
MAX_ELIF_CHAIN = 1_000
# Tokens in one logical line: a 200,000-element list literal takes libcst ~3.7 s,
# 100,000 tokens (a 50,000-element list) 0.7 s: fixtures/adversarial/probe_libcst.py literal.
MAX_STATEMENT_TOKENS = 100_000

# One alternative per token that matters; everything else (names, numbers,
# spaces) is skipped by the regex engine in C. Strings and comments are
# matched whole so their brackets are not counted, and captured as "".
_TOKEN = re.compile(
    r"""
      (?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        |\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
        |'''.*|\"\"\".*                  # unterminated: the rest of the file, as Python reads it
        |'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'
        |"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"
        |\#[^\r\n]*
        |\\(?:\r\n?|\n)
        |['"][^\r\n]*                    # an unterminated string: the rest of the line
      )
    | ([()\[\]{},;\r\n]
      |[-+*/%@&|^~<>.]+
      |:=
      |\b(?:not|and|or|if|else|lambda|await)\b)
    """,
    re.VERBOSE | re.DOTALL,
)

# The first word of every line (after Python's line ends, including a lone \r).
_LINE_START = re.compile(r"(?:\A|(?<=[\r\n]))([ \t]*)(elif\b|else\b|[^\s#])")
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_RESET = frozenset(",;")
_KEYWORDS = frozenset({"not", "and", "or", "if", "else", "lambda", "await", ":="})


@dataclass(frozen=True)
class Refusal:
    """Why a file is not handed to the parser, and where (1-based)."""

    message: str
    line: int = 1
    column: int = 1


def check_size(size: int, limit: int) -> Refusal | None:
    """A file above `limits.max-file-bytes` is reported, not read into the parser."""
    if size > limit:
        return Refusal(f"Skipped: {size:,} bytes, above limits.max-file-bytes ({limit:,})")
    return None


def check_structure(text: str) -> Refusal | None:
    """None if libcst can safely parse `text`, else the first limit it exceeds and where."""
    if text.count("elif") > MAX_ELIF_CHAIN:  # cheap: few files have that many at all
        refusal = _long_elif_chain(text)
        if refusal is not None:
            return refusal
    if _exceeded(_TOKEN.findall(text)) is None:
        return None
    # Rare path: scan again with positions to say where.
    tokens = [(m.group(1) or "", m.start()) for m in _TOKEN.finditer(text)]
    found = _exceeded([token for token, _ in tokens])
    assert found is not None
    index, message = found
    offset = tokens[index][1]
    return Refusal(message, *line_and_column(text, offset))


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset`, with \n, \r\n and a lone \r as line ends."""
    before = NEWLINE.split(text[:offset])
    return len(before), len(before[-1]) + 1


def _long_elif_chain(text: str) -> Refusal | None:
    """The `elif` that makes a chain longer than the limit, judged by indentation."""
    chains: dict[int, int] = {}  # indentation -> elif branches in the open chain there
    for match in _LINE_START.finditer(text):
        indent, word = len(match.group(1)), match.group(2)
        if word == "elif":
            chains[indent] = chains.get(indent, 0) + 1
            if chains[indent] > MAX_ELIF_CHAIN:
                return Refusal(
                    f"Too deeply nested for the parser (more than {MAX_ELIF_CHAIN:,} `elif` "
                    "branches in one chain)",
                    *line_and_column(text, match.start(2)),
                )
        elif word != "else":
            for deeper in [i for i in chains if i >= indent]:
                del chains[deeper]
    return None


def _exceeded(tokens: list[str]) -> tuple[int, str] | None:
    """The index of the first token past a limit, with the reason; None if none is."""
    depth = 0  # open brackets
    chains = [0]  # per open bracket level: chained operations since the last comma
    estimate = 0  # depth + sum(chains): an upper bound of the expression-tree depth
    statement = 0  # tokens in the current logical line
    for index, token in enumerate(tokens):
        if not token:  # a string, a comment or a line continuation
            statement += 1
            continue
        statement += 1
        first = token[0]
        if first in "\r\n":
            if depth == 0:
                chains[0] = estimate = statement = 0
            continue
        if first in _OPEN:
            chains[-1] += 1
            chains.append(0)
            depth += 1
            estimate += 2
            if depth > MAX_BRACKET_DEPTH:
                return index, (
                    f"Too deeply nested for the parser (depth {depth}, limit {MAX_BRACKET_DEPTH})"
                )
        elif first in _CLOSE:
            if depth:
                estimate -= 1 + chains.pop()
                depth -= 1
        elif first in _RESET:
            estimate -= chains[-1]
            chains[-1] = 0
            if first == ";" and depth == 0:
                statement = 0
        else:  # operators, dots and keywords: one level of tree per character or keyword
            step = 1 if token in _KEYWORDS else len(token)
            chains[-1] += step
            estimate += step
        if estimate > MAX_EXPRESSION_DEPTH:
            return index, (
                f"Expression too long for the parser ({estimate:,} chained operations, "
                f"limit {MAX_EXPRESSION_DEPTH:,})"
            )
        if statement > MAX_STATEMENT_TOKENS:
            return index, (
                f"Expression too long for the parser (over {MAX_STATEMENT_TOKENS:,} tokens "
                "in one statement)"
            )
    return None
