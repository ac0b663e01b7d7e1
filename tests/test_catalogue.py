"""Every rule ships with examples, and every example behaves as documented."""

from __future__ import annotations

import pytest

from testgrade.catalogue import CATEGORIES, load_catalogue
from testgrade.checks import RULES

from conftest import lint_example

CATALOGUE = load_catalogue()

VALID = [
    pytest.param(spec.id, example, id=f"{spec.id}-valid-{n}")
    for spec in CATALOGUE.values()
    for n, example in enumerate(spec.valid)
]
INVALID = [
    pytest.param(spec.id, example, id=f"{spec.id}-invalid-{n}")
    for spec in CATALOGUE.values()
    for n, example in enumerate(spec.invalid)
]


@pytest.mark.parametrize("rule_id", list(CATALOGUE))
def test_every_rule_has_valid_and_invalid_examples(rule_id):
    spec = CATALOGUE[rule_id]
    assert spec.valid, f"{rule_id} has no VALID example"
    assert spec.invalid, f"{rule_id} has no INVALID example"
    assert spec.category in CATEGORIES


def test_every_detector_has_a_catalogue_entry_and_back():
    assert set(RULES) | {"TG000", "TG001"} == set(CATALOGUE)  # the engine makes those two


@pytest.mark.parametrize(("rule_id", "example"), INVALID)
def test_invalid_example_raises_its_rule(rule_id, example):
    result = lint_example(example)
    lines = [f.line for f in result.findings if f.rule == rule_id]
    assert lines, f"{rule_id} did not fire on:\n{example.code}"
    if example.lines:
        assert lines == list(example.lines)
    if example.messages:
        messages = [f.message for f in result.findings if f.rule == rule_id]
        assert len(messages) == len(example.messages), messages
        for message, expected in zip(messages, example.messages):
            assert expected in message


@pytest.mark.parametrize(("rule_id", "example"), VALID)
def test_valid_example_does_not_raise_its_rule(rule_id, example):
    result = lint_example(example)
    fired = [f for f in result.findings if f.rule == rule_id]
    assert not fired, fired


def test_a_rule_that_reports_a_node_without_its_statement_is_a_bug_not_a_position():
    """Positions start from the statement a report names; a rule that forgets it must
    fail loudly (one file's TG000 in a run), not be placed by a walk of the file."""
    import libcst as cst

    from testgrade.checks.base import Rule

    class Careless(Rule):
        id = "TG999"

    rule = Careless.__new__(Careless)
    rule.reports = []
    with pytest.raises(TypeError, match="must name its statement"):
        rule.report(cst.Name("x"), "somewhere")
    rule.report(None, "the file as a whole")  # file-level reports need no statement
    assert [r.message for r in rule.reports] == ["the file as a whole"]
