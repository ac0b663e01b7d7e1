"""The fast indented JSON gives exactly the standard library's text."""

from __future__ import annotations

import enum
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from testgrade import jsontext

_SCALAR = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(alphabet=st.characters(codec=None)) | st.sampled_from(["é", "\ud800x", "a\"\\\n"]))
_VALUES = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_the_text_is_the_standard_librarys(value):
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


class Colour(str, enum.Enum):
    RED = "red"


def test_a_findings_document_and_subclasses():
    finding = {"rule": "TG101", "line": 3, "fixable": False, "cause": None, "score": 0.5,
               "colour": Colour.RED}
    document = {"version": "1", "findings": [finding, dict(finding, rule="TG2")],
                "files": [{"path": "a.py", "suppressions": []}], "summary": {}}
    assert jsontext.dumps(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_what_json_refuses_is_refused():
    for value in ({"a": object()}, [{1, 2}], {"k": {"deep": b"bytes"}}):
        try:
            json.dumps(value, indent=2)
        except TypeError:
            pass
        else:  # pragma: no cover
            raise AssertionError("json accepted it")
        try:
            jsontext.dumps(value)
        except TypeError:
            continue
        raise AssertionError(f"jsontext accepted {value!r}")
