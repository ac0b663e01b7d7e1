"""Stable fingerprints of findings: what the baseline and SARIF match on.

A fingerprint must survive everything that does not touch the finding itself:
lines inserted above it, other findings appearing or going, a line count in the
message changing. So it is built from the rule, the file, the names of the
enclosing classes and functions, and the reported code with its whitespace
normalised, never from a line number or the message. A finding about the file
as a whole (an oversized file, a module docstring) is identified by its rule,
file and severity, so a file that grows past the same threshold keeps its
fingerprint while crossing from warning to error gives a new one.
"""

from __future__ import annotations

import hashlib

# 16 hex digits (64 bits): collisions are negligible per file and the baseline stays small.
_LENGTH = 16


def fingerprint(path: str, rule: str, severity: str, scopes: tuple[str, ...], anchor: str) -> str:
    """The fingerprint of one finding; `anchor` is "" for file-level findings."""
    text = "\x00".join((path, rule, severity, "/".join(scopes), anchor))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()[
        :_LENGTH
    ]


def normalise_code(code: str) -> str:
    """Code on one line, whitespace collapsed, a trailing comma dropped: an import
    gaining a neighbour (`patch` becoming `patch,`) is the same code."""
    return " ".join(code.split()).rstrip(",").rstrip()
