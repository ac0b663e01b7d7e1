"""libcst's parse, without re-validating what the parser just built.

Every libcst node checks its own fields when it is constructed (`_validate`,
called from `CSTNode.__post_init__`): that whitespace is whitespace, that
parentheses pair up, that keywords have the spaces they need. For nodes a
program builds, that catches mistakes; for nodes the parser builds from
source it already accepted, it repeats work: about a tenth of the parse on
real test files (docs/benchmarks.md), and libcst's own source says as much
beside `__post_init__`. It also rejects some valid Python: `() if 0
else(lambda:())` parses, then fails validation with a TypeError.

So testgrade parses with `__post_init__` switched off for the duration of
the parse and restored at once, even if the parse fails. Nodes built later
(by `--fix`, with `with_changes`) are validated as usual. A testgrade process
parses on one thread, so nothing else builds nodes while the switch is off.

The parse allocates a node per token and frees none of them, so the cyclic
garbage collector, triggered every 700 allocations, keeps scanning a growing
tree that holds no cycles. During the parse (and, in the engine, while the
file is checked) its first threshold is raised: `fewer_collections`.
Together the two make the parse about 0.8 of libcst's own (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.base import CSTNode

_VALIDATING = CSTNode.__post_init__
_PARSE_GC_THRESHOLD = 100_000  # allocations between young-generation collections


def _skip(self: CSTNode) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module(text)`, the same tree, without per-node validation."""
    with fewer_collections():
        CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
        try:
            return cst.parse_module(text)
        finally:
            CSTNode.__post_init__ = _VALIDATING  # type: ignore[method-assign]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's young-generation threshold raised for the duration, restored
    after. While a file is parsed and checked, its tree (hundreds of thousands of
    objects, no cycles) is live throughout: every collection that reaches the older
    generations walks it again for nothing. The engine checks each file inside this
    (docs/benchmarks.md); garbage with cycles waits at most 100,000 allocations."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _PARSE_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
