"""Turning a file's bytes into text the way Python itself would (PEP 263)."""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass


class DecodeError(Exception):
    """The bytes are not text in the encoding the file declares."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec name as declared, "utf-8" by default


def decode_source(data: bytes) -> Decoded:
    """Decode per PEP 263: a UTF-8 BOM or a coding cookie on line 1 or 2, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # unknown codec or a BOM that contradicts the cookie
        raise DecodeError(str(exc).rstrip(".")) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DecodeError(
            f"cannot decode as {encoding}: {exc.reason} (byte 0x{data[exc.start]:02x})",
            line,
            column,
        ) from None
    except LookupError:  # pragma: no cover - detect_encoding already checks the codec
        raise DecodeError(f"unknown encoding {encoding!r}") from None
    if encoding == "utf-8-sig":
        encoding = "utf-8"  # libcst keeps the BOM out of the tree; we record the codec only
    return Decoded(text=text, encoding=codecs.lookup(encoding).name)


def count_lines(text: str) -> int:
    """Physical lines, as Python counts them (a final newline does not start a line).

    Only \n, \r\n and a lone \r end a line: not the form feeds and Unicode
    separators that `str.splitlines` also splits on.
    """
    if not text:
        return 0
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends if text.endswith(("\n", "\r")) else ends + 1
