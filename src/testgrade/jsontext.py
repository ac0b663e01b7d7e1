"""`json.dumps(value, indent=2, ensure_ascii=False)`, the same text, faster.

With `indent`, the standard library encodes in Python (its C encoder cannot
indent): 81-136 ms for the 9,533 findings of the real-shaped corpus, against
65-81 ms here (docs/benchmarks.md). Here containers are laid out in Python and each flat
record (a finding: scalars only) is encoded by the C encoder, told the
separators that put each field on its own indented line. Anything that is not
a plain dict, list, str, int, float, bool or None goes to `json.dumps` itself,
so the text is always the one it would give (tests/test_jsontext.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring  # the C function where there is one
from typing import Any

from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]

_SCALARS = frozenset({str, int, float, bool, type(None)})
_FLAT: dict[str, Callable[[Any, int], Any]] = {}  # a C encoder per indentation


def dumps(value: Any) -> str:
    parts: list[str] = []
    _emit(value, "\n", parts, {})
    return "".join(parts)


def _unencodable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _flat_encoder(inner: str) -> Callable[[Any, int], Any] | None:
    encoder = _FLAT.get(inner)
    if encoder is None and _c_make_encoder is not None:
        encoder = _FLAT[inner] = _c_make_encoder(
            None, _unencodable, encode_basestring, None, ": ", "," + inner, False, False, True
        )
    return encoder


def _emit(value: Any, newline: str, parts: list[str], keys: dict[str, str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is int:
        parts.append(int.__repr__(value))
    elif value is None:
        parts.append("null")
    elif kind is bool:
        parts.append("true" if value else "false")
    elif kind is dict and value:
        inner = newline + "  "
        for item in value.values():
            if type(item) not in _SCALARS:
                break
        else:  # a flat record: the C encoder lays it out, keys and all, as json would
            encoder = _flat_encoder(inner)
            if encoder is not None:
                text = "".join(encoder(value, 0))
                parts.append("{" + inner + text[1:-1] + newline + "}")
                return
        if any(type(key) is not str for key in value):
            parts.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))
            return
        separator = "{" + inner
        for key, item in value.items():
            encoded = keys.get(key)
            if encoded is None:
                encoded = keys[key] = encode_basestring(key) + ": "
            parts.append(separator + encoded)
            separator = "," + inner
            _emit(item, inner, parts, keys)
        parts.append(newline + "}")
    elif kind is list and value:
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            separator = "," + inner
            _emit(item, inner, parts, keys)
        parts.append(newline + "]")
    elif kind is list:
        parts.append("[]")
    elif kind is dict:
        parts.append("{}")
    else:  # floats, tuples, subclasses: exactly as json lays them out
        parts.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))
