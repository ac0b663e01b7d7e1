"""`# testgrade: ignore[TG101] reason` and `# testgrade: ignore-file[TG401] reason`."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

_DIRECTIVE = re.compile(
    r"#\s*testgrade:\s*(?P<kind>ignore-file|ignore)\b\s*(?:\[(?P<rules>[^\]]*)\])?\s*(?P<reason>.*)$"
)


@dataclass(frozen=True)
class Directive:
    line: int
    rules: tuple[str, ...]  # empty: every rule
    reason: str
    whole_file: bool

    def covers(self, rule: str) -> bool:
        return not self.rules or any(rule.startswith(prefix) for prefix in self.rules)


def _comments(text: str) -> list[tuple[int, str]]:
    """(line, comment text) of every real comment; falls back to a line scan if
    the file cannot be tokenized."""
    try:
        return [
            (token.start[0], token.string)
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        return [
            (number, line[line.index("#"):])
            for number, line in enumerate(text.splitlines(), start=1)
            if "#" in line
        ]


def find_directives(text: str) -> list[Directive]:
    if "testgrade:" not in text:
        return []
    directives = []
    for line, comment in _comments(text):
        match = _DIRECTIVE.search(comment)
        if match is None:
            continue
        rules = tuple(
            r.strip().upper() for r in (match.group("rules") or "").split(",") if r.strip()
        )
        directives.append(
            Directive(
                line=line,
                rules=rules,
                reason=match.group("reason").strip(),
                whole_file=match.group("kind") == "ignore-file",
            )
        )
    return directives
