"""The engine's parse: libcst's tree, without libcst's per-node re-validation."""

from __future__ import annotations

import gc
from pathlib import Path

import libcst as cst
import pytest

from testgrade.config import parse_settings
from testgrade.engine import lint_source
from testgrade.parsing import parse_module

REPO = Path(__file__).resolve().parents[1]
TREES = [REPO / "fixtures" / "demo", REPO / "fixtures" / "resolution", REPO / "src"]


def _sources() -> list[Path]:
    return sorted(p for tree in TREES for p in tree.rglob("*.py"))


def test_the_tree_is_libcsts_own_on_every_file_of_the_bundled_trees():
    files = _sources()
    assert len(files) > 50
    refused = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        try:
            theirs = cst.parse_module(text)
        except cst.ParserSyntaxError:  # the demo's broken file: refused the same way
            refused += 1
            with pytest.raises(cst.ParserSyntaxError):
                parse_module(text)
            continue
        ours = parse_module(text)
        assert ours.code == text, path
        assert ours.deep_equals(theirs), path
    assert refused < len(files) / 10


def test_valid_python_that_libcst_validation_rejects_is_checked_not_refused(tmp_path):
    # Valid Python (`compile` accepts it); libcst 1.9's node validation raises a
    # TypeError on it, which made the whole file a TG000 before.
    source = (
        '"""Orders: BVJ: Segment: Enterprise. Business Goal: Retention. '
        'Value Impact: x. Revenue Impact: y."""\n'
        "from unittest.mock import MagicMock\n"
        "\n"
        "def test_orders():\n"
        '    """BVJ: Segment: Enterprise. Business Goal: Retention. '
        'Value Impact: x. Revenue Impact: y."""\n'
        "    value = () if 0 else(lambda:())\n"
        "    assert MagicMock() is not value\n"
    )
    compile(source, "<test>", "exec")  # the premise: Python accepts it (compiled, not run)
    config = parse_settings({}, root=tmp_path, source=None)
    result = lint_source(source.encode(), "tests/integration/test_orders.py", config)
    rules = {f.rule for f in result.findings}
    assert "TG000" not in rules, result.findings
    assert "TG101" in rules  # the mock in an integration test is found
    assert result.tests == 1


def test_validation_and_the_collector_are_restored_after_a_parse_even_a_failed_one():
    thresholds = gc.get_threshold()
    parse_module("x = 1\n")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    assert gc.get_threshold() == thresholds
    with pytest.raises(cst.CSTValidationError):  # nodes a program builds are still checked
        cst.Name("")


def test_rules_run_with_fewer_collections_and_the_collector_is_restored_even_on_failure(
    tmp_path, monkeypatch
):
    from testgrade import engine
    from testgrade.config import load_config

    config = load_config(tmp_path)
    thresholds = gc.get_threshold()
    seen = []
    real_dispatch = engine._dispatch

    def dispatch(rules, statements):
        seen.append(gc.get_threshold()[0])
        real_dispatch(rules, statements)

    monkeypatch.setattr(engine, "_dispatch", dispatch)
    engine.lint_source(b"def test_x():\n    assert 1\n", "tests/test_x.py", config)
    assert seen and seen[0] >= 100_000 > thresholds[0]  # while the rules walk the tree
    assert gc.get_threshold() == thresholds

    def broken(rules, statements):
        raise RuntimeError("a rule's bug")

    monkeypatch.setattr(engine, "_dispatch", broken)
    with pytest.raises(RuntimeError):
        engine.lint_source(b"def test_x():\n    assert 1\n", "tests/test_x.py", config)
    assert gc.get_threshold() == thresholds
