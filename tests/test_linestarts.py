"""The logical-line scan that positions use instead of `ast.parse`.

Reference: the stdlib tokenizer (a logical line starts at the first token after
a NEWLINE). And the starts it gives, paired with libcst's tree, must be the ones
`ast` gives for every statement, so positions do not depend on which was used.
"""

from __future__ import annotations

import ast
import io
import tokenize

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUNDLED_SOURCES, REPO, parse_or_none
from test_positions import TRICKY, _calls
from testgrade import positions
from testgrade.linestarts import ScanError, logical_line_starts
from testgrade.positions import locate
from testgrade.source import DecodeError, decode_source
from testgrade.walk import iter_statements
from libcst.metadata import MetadataWrapper, PositionProvider


def _tokenizer_starts(text: str) -> list[tuple[int, int]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # StringIO splits only at \n
    starts, at_start = [], True
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in skipped:
            continue
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            at_start = True
            continue
        if at_start:
            starts.append(token.start)
            at_start = False
    return starts


def _sources() -> list[tuple[str, str]]:
    texts = [("TRICKY", TRICKY), ("TRICKY-crlf", TRICKY.replace("\n", "\r\n"))]
    for path in BUNDLED_SOURCES:
        try:
            text = decode_source(path.read_bytes()).text
        except DecodeError:
            continue
        if "\x00" not in text and parse_or_none(text) is not None:
            texts.append((path.relative_to(REPO).as_posix(), text))
    return texts


SOURCES = _sources()
DEMO_FILE = next(p for p in BUNDLED_SOURCES if p.name.startswith("test_") and "demo" in p.parts)


@pytest.mark.parametrize(("name", "text"), SOURCES, ids=[name for name, _ in SOURCES])
def test_the_scan_finds_the_logical_lines_the_tokenizer_finds(name, text):
    try:
        expected = _tokenizer_starts(text)
    except (tokenize.TokenError, SyntaxError):
        pytest.skip("the stdlib tokenizer refuses it; positions then use ast or codegen")
    try:
        found = logical_line_starts(text)
    except ScanError:
        return  # a refusal is safe: positions then ask `ast`
    assert found == expected


@pytest.mark.parametrize(("name", "text"), SOURCES, ids=[name for name, _ in SOURCES])
def test_scanned_statement_starts_are_the_ones_ast_gives(name, text):
    module = cst.parse_module(text)
    scanned = positions._scanned_starts(module, text)  # every bundled source pairs
    try:
        by_ast = positions._ast_starts(module, ast.parse(text))
    except (SyntaxError, positions._Mismatch):
        return  # nothing to compare with
    lines = text.splitlines()
    one_line_suites = {id(n) for s in iter_statements(module)
                       for n in (s.line_node,) if isinstance(n, cst.SimpleStatementSuite)}
    for key, (line, byte_column) in by_ast.items():
        if key in one_line_suites:
            assert key not in scanned
            continue
        column = len(lines[line - 1].encode()[:byte_column].decode())
        assert scanned[key] == (line, column)


_PIECES = st.sampled_from([
    "x = 1\n", "y = (1,\n     2)\n", "# comment (\n", "\n", "   \n", 's = "a#b(" \\\n  + "c"\n',
    't = """\nline ( [\n"""\n', "u = '''it''s'''\n", 'v = r"\\"" # \'\n',
    "w = [\n  # inside\n  3,\n]\n", "a = 1; b = 2\n", "@dec(\n  1)\ndef f(): pass\n",
    "if x:\n    pass\nelif y:\n    z = {1: (2)}\nelse:\n    pass\n",
    "try:\n    pass\nexcept E:\n    pass\nfinally:\n    q = 1\n", "z = f'{a!r:>{w}}'\n",
    "class C:\n    '''Doc.'''\n    k = 1\n", "b = b'\\x00' + rb'\\'\\\\'\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_generated_sources_pair_like_the_tokenizer(pieces, newline):
    text = "".join(pieces).replace("\n", newline)
    assert logical_line_starts(text) == _tokenizer_starts(text)


@pytest.mark.parametrize("text", ["x = (1))\n", 'x = "open\n', "x = 1 \\ 2\n", "'''never"])
def test_what_the_scan_cannot_follow_is_a_scan_error(text):
    with pytest.raises(ScanError):
        logical_line_starts(text)


def test_positions_use_the_scan_not_ast_when_it_pairs(monkeypatch):
    text = DEMO_FILE.read_text()
    module = cst.parse_module(text)
    calls = _calls(module)
    reference = locate(module, text, [(c, None) for c in calls], list(iter_statements(module)))

    def refuse(*args, **kwargs):
        raise AssertionError("ast.parse was called")

    monkeypatch.setattr(positions.ast, "parse", refuse)
    found = locate(module, text, [(c, None) for c in calls], list(iter_statements(module)))
    assert found == reference and len(found) == len(calls) > 3


def test_a_node_in_a_one_line_suite_is_located_through_ast():
    text = "def test_a():\n    x = 1\n    if x: print(x)\n"
    module = cst.parse_module(text)
    call = _calls(module)[0]
    assert locate(module, text, [(call, None)], list(iter_statements(module))) == {id(call): (3, 11)}


@pytest.mark.parametrize("text", [
    'a = f"{x + "("}"\n', "b = rf'{d['k']}'\n", 'c = f"""{"""x"""}"""\n',
])
def test_an_f_string_holding_its_own_quotes_is_a_scan_error(text):
    with pytest.raises(ScanError):
        logical_line_starts(text)


PEP_701 = '''\
a = f"{x + "("}"
b = 1
c = f"{y + ")"}"
d = (f"{")"}",
2,
f"{"("}")
e = 3
'''


def test_f_strings_holding_their_own_quotes_are_located_by_another_way():
    """Python 3.12 lets a replacement field hold the f-string's quote; a scan that took
    the inner quote for the end would count lines wrong in a way that balances out."""
    module = cst.parse_module(PEP_701)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    statements = list(iter_statements(module))
    lines = [s.line_node for s in statements]
    found = locate(module, PEP_701, [(node, None) for node in lines], statements)
    assert [found[id(n)][0] for n in lines] == [expected[n].start.line for n in lines]
    assert [expected[n].start.line for n in lines] == [1, 2, 3, 4, 7]


def test_f_strings_with_escaped_braces_and_other_quotes_still_scan():
    text = "a = f\"{{x}} {d['k']:>{w}}\"\nb = F'}}{{'\nc = 1\n"
    assert logical_line_starts(text) == _tokenizer_starts(text) == [(1, 0), (2, 0), (3, 0)]
