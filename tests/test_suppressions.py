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


def test_a_3_12_f_string_holding_a_directive_is_not_a_suppression():
    """Python 3.11's tokenizer reads `f"{"#...` as a string ending at the second quote
    and a comment after it; the parsed tree knows it is all one f-string."""
    result = lint('MESSAGE = f"{"# testgrade: ignore-file[TG101]"}"\nimport mock\n')
    assert rules_at(result) == [("TG101", 2)]
    assert result.suppressions == ()


def test_a_real_directive_after_3_12_syntax_still_works():
    result = lint('LABEL = f"{"x"}"\nimport mock  # testgrade: ignore[TG101] vendor sandbox\n')
    assert rules_at(result) == []


def test_noqa_with_a_testgrade_id_is_an_alias_of_ignore():
    result = lint(
        "from . import a  # noqa: TG201\n"
        "from . import b  # noqa: E501, TG2 long line, relative on purpose\n"
        "from . import c  # noqa: E501\n"
        "from . import d  # noqa\n"
    )
    assert rules_at(result) == [("TG201", 3), ("TG201", 4)]
    assert [(s.line, s.rules, s.used) for s in result.suppressions] == [
        (1, ("TG201",), True), (2, ("TG2",), True)
    ]


def lint_all(code: str, path: str = "tests/integration/test_a.py", **settings):
    return lint_source(code.encode(), path, Config(select=("TG0", "TG1", "TG2"), **settings))


def test_a_suppression_that_silences_nothing_is_tg001_and_fixable():
    result = lint_all(
        "import os  # testgrade: ignore[TG101] was a mock once\n"
        "from . import x  # testgrade: ignore[TG201] still needed\n"
        "import json  # noqa: E501, TG202\n"
    )
    found = [(f.rule, f.line, f.column, f.fixable, f.severity.value) for f in result.findings]
    assert found == [("TG001", 1, 12, True, "warning"), ("TG001", 3, 14, False, "warning")]
    assert result.findings[0].message.startswith(
        "Unused suppression `# testgrade: ignore[TG101] was a mock once`"
    )


def test_an_unknown_rule_in_a_suppression_is_tg001():
    result = lint_all("from . import x  # testgrade: ignore[TG2O1]\n")
    assert [(f.rule, f.line) for f in result.findings] == [("TG201", 1), ("TG001", 1)]
    assert "unknown rule `TG2O1`" in result.findings[1].message


def test_a_suppression_of_a_rule_not_run_is_not_judged():
    result = lint_source(b"import os  # testgrade: ignore[TG101] legacy\n",
                         "tests/integration/test_a.py", Config(select=("TG0", "TG2")))
    assert result.findings == ()


def test_fix_deletes_unused_suppressions_and_nothing_else(cli, tmp_path):
    from test_cli import write

    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG0', 'TG1']\n")
    test_file = write(
        tmp_path / "tests/integration/test_a.py",
        "import os  # testgrade: ignore[TG101] was a mock once\n"
        "# testgrade: ignore-file[TG1]\n"
        "import json  # noqa: E501, TG101\n",
    )
    result = cli("check", tmp_path, "--fix")
    assert test_file.read_text() == "import os\nimport json  # noqa: E501, TG101\n"
    assert "Fixed 2 findings in 1 file." in result.stderr
