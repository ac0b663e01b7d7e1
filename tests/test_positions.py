"""Positions computed for reported nodes only agree with libcst's PositionProvider."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from testgrade.positions import locate

from conftest import DEMO

FILES = sorted(p for p in DEMO.rglob("*.py") if "startup_sequence" not in p.name)
REPORTED = (cst.FunctionDef, cst.ClassDef, cst.Import, cst.ImportFrom, cst.ImportAlias,
            cst.Param, cst.Call, cst.Decorator, cst.SimpleStatementLine, cst.Name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_locate_matches_position_provider(path):
    module = cst.parse_module(path.read_bytes())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [node for node in expected if isinstance(node, REPORTED)]
    found = locate(module, nodes)
    assert len(found) == len(nodes)
    for node in nodes:
        start = expected[node].start
        assert found[id(node)] == (start.line, start.column + 1), type(node).__name__
