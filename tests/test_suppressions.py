"""`# testgrade: ignore[...]` silences one place; ignore-file a whole file; both are counted."""

from __future__ import annotations

from testgrade.config import Config
from testgrade.engine import lint_source


def lint(code: str, path: str = "tests/integration/test_a.py"):
    return lint_source(code.encode(), path, Config(select=("TG1", "TG2")))


def rules_at(result):
    return [(f.rule, f.line) for f in result.findings]


def test_line_suppression_silences_only_that_rule_on_that_line():
    result = lint(
        "from unittest.mock import patch  # testgrade: ignore[TG101] vendor SDK has no sandbox\n"
        "from . import helpers  # testgrade: ignore[TG101] wrong rule, so it stays\n"
        "import mock\n"
    )
    assert rules_at(result) == [("TG201", 2), ("TG101", 3)]
    used = [s for s in result.suppressions if s.used]
    assert [(s.line, s.reason) for s in used] == [(1, "vendor SDK has no sandbox")]


def test_suppression_on_the_first_line_of_a_multi_line_statement():
    result = lint(
        "from unittest.mock import (  # testgrade: ignore[TG101] legacy, tracked in #12\n"
        "    MagicMock,\n"
        "    patch,\n"
        ")\n"
    )
    assert rules_at(result) == []


def test_file_suppression_and_reasonless_suppressions_are_recorded():
    result = lint(
        "# testgrade: ignore-file[TG101]\n"
        "from unittest.mock import patch\n"
        "from . import x\n"
    )
    assert rules_at(result) == [("TG201", 3)]
    (suppression,) = result.suppressions
    assert suppression.whole_file and suppression.used and suppression.reason == ""


def test_directive_inside_a_string_is_not_a_suppression():
    result = lint('TEXT = "# testgrade: ignore-file[TG101]"\nimport mock\n')
    assert rules_at(result) == [("TG101", 2)]


def test_prefix_suppression():
    result = lint("import mock  # testgrade: ignore[TG1] fixture shim\n")
    assert rules_at(result) == []


def test_statement_start_is_the_statement_not_the_comment_above_it():
    result = lint(
        "import os\n"
        "\n"
        "# the fixtures below talk to the vendor sandbox\n"
        "from unittest.mock import (  # testgrade: ignore[TG101] vendor SDK\n"
        "    MagicMock,\n"
        ")\n"
    )
    assert rules_at(result) == []
    assert [s.used for s in result.suppressions] == [True]
