"""TG401 oversized-file."""

from __future__ import annotations

from functools import lru_cache

import pathspec

from testgrade.checks.base import FileContext, Rule
from testgrade.config import SizeLimits
from testgrade.ftypes import Severity


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines([pattern])


def limits_for(path: str, size: SizeLimits) -> tuple[int, int]:
    """(warn, max) line limits for a file; an exception raises both to its own limit."""
    for pattern, limit in size.exceptions.items():
        if _pattern(pattern).match_file(path):
            return limit, limit
    return size.warn, size.max


class OversizedFile(Rule):
    id = "TG401"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.lines > min([ctx.config.size.warn, *ctx.config.size.exceptions.values()])

    def finish(self) -> None:
        warn, max_ = limits_for(self.ctx.path, self.ctx.config.size)
        lines = self.ctx.lines
        target = self.ctx.config.size.warn
        if lines > max_:
            parts = -(-lines // target)
            self.report(
                None,
                f"File has {lines:,} lines, over the limit of {max_:,}; "
                f"split it into {parts} files of at most {target:,} lines",
                severity=Severity.ERROR,
            )
        elif lines > warn:
            self.report(
                None,
                f"File has {lines:,} lines, over the recommended {warn:,}; consider splitting it",
                severity=Severity.WARNING,
            )
