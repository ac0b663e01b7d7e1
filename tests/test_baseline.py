"""The baseline: legacy findings recorded once stay quiet through ordinary edits;
new ones fail the build; fixed ones are reported stale and pruned."""

from __future__ import annotations

import json

import pytest

from test_cli import write

BVJ = '"""BVJ: Segment: All; Business Goal: g; Value Impact: v; Strategic Impact: s"""\n'
LEGACY = (
    "from unittest.mock import patch, MagicMock\n"
    "from . import helpers\n"
    "\n"
    "\n"
    "class TestOrders:\n"
    "    def test_create(self):\n"
    "        assert patch\n"
    "\n"
    "    def test_cancel(self, mocker):\n"
    "        assert helpers\n"
)


@pytest.fixture
def legacy_tree(cli, tmp_path):
    """A tree with findings of several rules, then `testgrade baseline` over it."""
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nsize = { warn = 20, max = 40 }\n")
    write(tmp_path / "tests/integration/test_orders.py", LEGACY)
    write(tmp_path / "tests/integration/test_big.py", BVJ + "x = 1\n" * 25)
    write(tmp_path / "tests/unit/test_docs.py",
          '"""BVJ:\n- Segment: Nobody\n"""\n\ndef test_a():\n    assert True\n')
    recorded = cli("baseline", tmp_path)
    assert recorded.exit_code == 0, recorded.output
    assert (tmp_path / "testgrade-baseline.json").is_file()
    return tmp_path


def check(cli, root, *extra):
    result = cli("check", root, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result, json.loads(result.stdout)["findings"]


def test_check_against_a_fresh_baseline_is_clean(cli, legacy_tree):
    before = cli.json("check", legacy_tree)["findings"]
    # test_big.py holds no tests at all: TG506 too.
    assert {f["rule"] for f in before} == {"TG101", "TG201", "TG301", "TG302", "TG401", "TG506"}
    result = cli("check", legacy_tree, "--baseline", legacy_tree / "testgrade-baseline.json")
    assert result.exit_code == 0, result.output
    assert f"{len(before)} known findings in the baseline not reported." in result.stderr
    assert "no longer occur" not in result.stderr


def test_the_config_key_names_the_baseline(cli, legacy_tree):
    (legacy_tree / "testgrade-baseline.json").rename(legacy_tree / "legacy.json")
    write(legacy_tree / "pyproject.toml",
          "[tool.testgrade]\nbaseline = 'legacy.json'\nsize = { warn = 20, max = 40 }\n")
    assert cli("check", legacy_tree).exit_code == 0


def test_a_new_violation_above_old_ones_is_the_only_one_reported(cli, legacy_tree):
    test_file = legacy_tree / "tests/integration/test_orders.py"
    test_file.write_text("from .. import conftest\n\n\n" + LEGACY)
    result, findings = check(cli, legacy_tree, "--baseline",
                             legacy_tree / "testgrade-baseline.json")
    assert result.exit_code == 1
    assert [(f["rule"], f["line"], f["message"][:30]) for f in findings] == [
        ("TG201", 1, "Relative import `from .. impor")
    ]


def test_the_same_violation_once_more_is_new(cli, legacy_tree):
    test_file = legacy_tree / "tests/integration/test_orders.py"
    test_file.write_text(LEGACY.replace("from . import helpers\n", "from . import helpers\n" * 2))
    _, findings = check(cli, legacy_tree, "--baseline", legacy_tree / "testgrade-baseline.json")
    assert [(f["rule"], f["line"]) for f in findings] == [("TG201", 3)]


def test_the_same_violation_in_another_test_is_new(cli, legacy_tree):
    test_file = legacy_tree / "tests/integration/test_orders.py"
    test_file.write_text(LEGACY + "\n    def test_refund(self, mocker):\n        assert True\n")
    _, findings = check(cli, legacy_tree, "--baseline", legacy_tree / "testgrade-baseline.json",
                        "--select", "TG1")
    assert [(f["rule"], f["line"]) for f in findings] == [("TG101", 12)]


def test_an_oversized_file_growing_within_its_threshold_stays_baselined(cli, legacy_tree):
    big = legacy_tree / "tests/integration/test_big.py"
    big.write_text(big.read_text() + "y = 2\n" * 10)  # 26 -> 36 lines: still a warning
    result, findings = check(cli, legacy_tree, "--baseline",
                             legacy_tree / "testgrade-baseline.json")
    assert findings == [] and result.exit_code == 0
    big.write_text(big.read_text() + "y = 2\n" * 10)  # 46 lines: now over `max`, an error
    result, findings = check(cli, legacy_tree, "--baseline",
                             legacy_tree / "testgrade-baseline.json")
    assert [(f["rule"], f["severity"]) for f in findings] == [("TG401", "error")]
    assert result.exit_code == 1


def test_a_partly_fixed_bvj_stays_baselined(cli, legacy_tree):
    docs = legacy_tree / "tests/unit/test_docs.py"
    docs.write_text(docs.read_text().replace("- Segment: Nobody\n",
                                             "- Segment: Nobody\n- Business Goal: g\n"))
    _, findings = check(cli, legacy_tree, "--baseline", legacy_tree / "testgrade-baseline.json")
    assert findings == []


def test_a_fixed_violation_is_stale_and_prune_removes_exactly_it(cli, legacy_tree):
    baseline = legacy_tree / "testgrade-baseline.json"
    before = json.loads(baseline.read_text())["findings"]
    test_file = legacy_tree / "tests/integration/test_orders.py"
    test_file.write_text(LEGACY.replace("from . import helpers", "import helpers"))
    result = cli("check", legacy_tree, "--baseline", baseline)
    assert result.exit_code == 0
    assert ("1 baselined finding no longer occurs; run `testgrade baseline --prune`."
            in result.stderr)

    pruned = cli("baseline", legacy_tree, "--prune")
    assert pruned.exit_code == 0 and "removed 1 stale finding" in pruned.stderr
    after = json.loads(baseline.read_text())["findings"]
    del before["tests/integration/test_orders.py"]["TG201"]
    assert after == before
    assert "no longer occur" not in cli("check", legacy_tree, "--baseline", baseline).stderr


def test_prune_never_adds_a_finding(cli, legacy_tree):
    baseline = legacy_tree / "testgrade-baseline.json"
    before = baseline.read_text()
    write(legacy_tree / "tests/unit/test_new.py", "from . import x\n")
    assert cli("baseline", legacy_tree, "--prune").exit_code == 0
    assert baseline.read_text() == before
    assert cli("check", legacy_tree, "--baseline", baseline).exit_code == 1


def test_a_deleted_file_makes_its_findings_stale(cli, legacy_tree):
    (legacy_tree / "tests/unit/test_docs.py").unlink()
    result = cli("check", legacy_tree / "tests/integration", "--baseline",
                 legacy_tree / "testgrade-baseline.json")
    assert "1 baselined finding no longer occurs" in result.stderr


def test_a_run_over_part_of_the_tree_or_some_rules_reports_nothing_stale(cli, legacy_tree):
    baseline = legacy_tree / "testgrade-baseline.json"
    partial = cli("check", legacy_tree / "tests/unit", "--baseline", baseline)
    selected = cli("check", legacy_tree, "--select", "TG2", "--baseline", baseline)
    assert partial.exit_code == selected.exit_code == 0
    assert "no longer occur" not in partial.stderr + selected.stderr


def test_the_file_is_sorted_counted_stable_and_free_of_line_numbers(cli, legacy_tree):
    baseline = legacy_tree / "testgrade-baseline.json"
    first = baseline.read_text()
    document = json.loads(first)
    orders = document["findings"]["tests/integration/test_orders.py"]
    assert list(orders) == ["TG101", "TG201", "TG301"]
    assert orders["TG101"]["count"] == len(orders["TG101"]["fingerprints"]) == 3
    assert list(document["findings"]) == sorted(document["findings"])
    # re-recording after lines moved writes the identical file
    test_file = legacy_tree / "tests/integration/test_orders.py"
    test_file.write_text("\n\n" + LEGACY)
    assert cli("baseline", legacy_tree).exit_code == 0
    assert baseline.read_text() == first


def test_an_old_check_json_baseline_gets_a_one_line_error_saying_how_to_re_record(
    cli, legacy_tree
):
    old = legacy_tree / "old.json"
    old.write_text(cli("check", legacy_tree, "--format", "json").stdout)
    result = cli("check", legacy_tree, "--baseline", old)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "re-record it with `testgrade baseline -o" in result.stderr


def test_missing_or_invalid_baseline_is_a_usage_error(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    missing = cli("check", tmp_path, "--baseline", tmp_path / "nope.json")
    assert missing.exit_code == 2 and "baseline not found" in missing.stderr
    broken = write(tmp_path / "broken.json", "{not json")
    invalid = cli("check", tmp_path, "--baseline", broken)
    assert invalid.exit_code == 2 and "not a testgrade baseline" in invalid.stderr
    assert cli("baseline", tmp_path, "--prune", "-o", broken).exit_code == 2
    assert broken.read_text() == "{not json"  # nothing of the user's is overwritten


def test_fingerprints_name_the_enclosing_test_not_the_line():
    from testgrade.config import Config
    from testgrade.engine import lint_source

    code = (
        "from unittest.mock import patch\n"
        "def test_a():\n    patch('x')\n"
        "def test_b():\n    patch('x')\n"
    )

    def prints(source):
        result = lint_source(source.encode(), "tests/integration/test_m.py", Config(select=("TG1",)))
        return [(f.line, f.fingerprint) for f in result.findings]

    (_, imported), (_, in_a), (_, in_b) = prints(code)
    assert len({imported, in_a, in_b}) == 3  # same call, different tests
    moved = prints("import os\n\n" + code)
    assert [p for _, p in moved] == [imported, in_a, in_b]
    assert [line for line, _ in moved] == [3, 5, 7]


def test_baseline_never_overwrites_a_file_that_is_not_a_baseline(cli, legacy_tree):
    config = legacy_tree / "pyproject.toml"
    before = config.read_text()
    result = cli("baseline", legacy_tree, "-o", config)
    assert result.exit_code == 2 and "is not a testgrade baseline; not overwriting it" in result.stderr
    assert config.read_text() == before
    old = legacy_tree / "old.json"  # an old `check --format json` baseline is re-recorded
    old.write_text(cli("check", legacy_tree, "--format", "json").stdout)
    assert cli("baseline", legacy_tree, "-o", old).exit_code == 0
    assert cli("check", legacy_tree, "--baseline", old).exit_code == 0


def test_a_test_level_finding_keeps_its_fingerprint_when_unrelated_code_is_added(cli, tmp_path):
    """TG501 is reported once the file is walked; its fingerprint must not pick up the
    scopes of whatever statement the expression walk happened to visit last."""
    write(tmp_path / "pyproject.toml",
          "[tool.testgrade]\n[tool.testgrade.environ]\nallowed-modules = []\n")
    source = ("import os\n\ndef test_a():\n    x = 1\n\n"
              "class TestB:\n    def test_b(self):\n        assert os.environ\n")
    test_file = tmp_path / "tests" / "test_x.py"

    def tg501() -> list[str]:
        document = cli.json("check", tmp_path, "--no-cache")
        return [f["fingerprint"] for f in document["findings"] if f["rule"] == "TG501"]

    write(test_file, source)
    before = tg501()
    write(test_file, source + "\n\ndef helper():\n    return os.environ.get('X')\n")
    assert tg501() == before and len(before) == 1
