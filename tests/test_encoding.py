"""Source encodings per PEP 263: coding cookies and the UTF-8 BOM."""

from __future__ import annotations

from testgrade.config import Config
from testgrade.engine import lint_source

BVJ = "BVJ: Segment: All; Business Goal: g; Value Impact: v; Strategic Impact: s"


def lint(data: bytes, path: str = "tests/encoded.py"):  # a helper: no tests expected
    return lint_source(data, path, Config())


def test_latin1_with_a_coding_cookie_is_read():
    data = f'# -*- coding: latin-1 -*-\n"""Caf\xe9 tests. {BVJ}"""\nfrom . import x\n'.encode("latin-1")
    result = lint(data)
    assert [(f.rule, f.line) for f in result.findings] == [("TG201", 3)]


def test_cookie_on_the_second_line():
    data = f'#!/usr/bin/env python\n# coding: cp1252\n"""{BVJ} \u20ac"""\nimport os\n'.encode("cp1252")
    assert lint(data).findings == ()


def test_utf8_bom_is_accepted_and_columns_are_not_shifted():
    data = b"\xef\xbb\xbffrom . import x\n"
    result = lint(data)
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("TG201", 1, 1)]


def test_unknown_coding_cookie_is_tg000():
    result = lint(b"# coding: klingon\nx = 1\n")
    (finding,) = result.findings
    assert finding.rule == "TG000" and "klingon" in finding.message


def test_latin1_without_cookie_is_tg000_with_the_right_line():
    result = lint(b"x = 1\n\ny = 'caf\xe9'\n")
    (finding,) = result.findings
    assert (finding.rule, finding.line, finding.column) == ("TG000", 3, 9)
