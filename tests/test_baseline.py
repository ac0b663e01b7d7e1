"""`--baseline`: legacy findings recorded once stay quiet; new ones fail the build."""

from __future__ import annotations

from test_cli import write


def test_only_new_findings_are_reported_and_fail(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG2']\n")
    legacy = write(tmp_path / "tests/test_legacy.py", "from . import a\nfrom . import b\n")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(cli("check", tmp_path, "--format", "json").stdout)

    quiet = cli("check", tmp_path, "--baseline", baseline)
    assert quiet.exit_code == 0
    assert "2 known findings in the baseline not reported." in quiet.stderr

    # lines moved and one more violation: only the new one is reported
    legacy.write_text("import os\n\nfrom . import a\nfrom . import b\nfrom . import c\n")
    loud = cli.json("check", tmp_path, "--baseline", baseline)
    assert [(f["path"], f["line"]) for f in loud["findings"]] == [("tests/test_legacy.py", 5)]


def test_a_duplicate_violation_is_new_even_if_an_identical_one_is_known(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG2']\n")
    legacy = write(tmp_path / "tests/test_legacy.py", "from . import a\n")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(cli("check", tmp_path, "--format", "json").stdout)
    legacy.write_text("from . import a\nfrom . import a\n")
    assert len(cli.json("check", tmp_path, "--baseline", baseline)["findings"]) == 1


def test_missing_or_invalid_baseline_is_a_usage_error(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    missing = cli("check", tmp_path, "--baseline", tmp_path / "nope.json")
    assert missing.exit_code == 2 and "baseline not found" in missing.stderr
    broken = write(tmp_path / "broken.json", "{not json")
    invalid = cli("check", tmp_path, "--baseline", broken)
    assert invalid.exit_code == 2 and "not a testgrade JSON result" in invalid.stderr
