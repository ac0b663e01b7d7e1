"""Configuration: found by walking up, validated key by key, errors name key and file."""

from __future__ import annotations

import pytest

from testgrade.config import ConfigError, load_config

from test_cli import write


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("select = 'TG1'", "`tool.testgrade.select` must be an array of strings, got a string"),
        ("select = ['ZZ']", "`tool.testgrade.select` names no known rule: 'ZZ'"),
        ("size = { warn = 'big' }", "`tool.testgrade.size.warn` must be an integer, got a string"),
        ("size = { warn = 900, max = 800 }", "`tool.testgrade.size.warn` (900) is larger than"),
        ("size = { limit = 3 }", "unknown key `tool.testgrade.size.limit`"),
        ("exclude = ['']", "`tool.testgrade.exclude` contains an empty pattern"),
        ("exclude = ['\\']", "`tool.testgrade.exclude` has an invalid pattern"),
        ("bvj = { fields = [] }", "`tool.testgrade.bvj.fields` must name at least one field"),
        ("deprecated-imports = { 'a.b' = 3 }", "must be a string, got an integer"),
        ("deprecated-imports = { 'a b' = 'c' }", "invalid dotted path 'a b'"),
        ("per-file-ignores = { 'x/**' = ['NOPE'] }", "names no known rule: 'NOPE'"),
        ("scoring = { weights = { speed = 1 } }", "unknown category `tool.testgrade.scoring.weights.speed`"),
        ("limits = { timeout = -1 }", "`tool.testgrade.limits.timeout` must be positive"),
    ],
)
def test_invalid_settings_name_the_key_and_the_file(tmp_path, toml, message):
    config = write(tmp_path / "pyproject.toml", f"[tool.testgrade]\n{toml}\n")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith(f"{config}: ")
    assert message in str(error.value)


def test_invalid_settings_exit_two_through_the_cli(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nsize = { warn = 'big' }\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert "must be an integer" in result.stderr


def test_config_is_found_by_walking_up_and_sets_the_root(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG1']\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    config = load_config(deep)
    assert config.root == tmp_path
    assert config.select == ("TG1",)


def test_pyproject_without_our_table_is_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\nselect = ['TG2']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(tmp_path / "sub").select == ("TG2",)


def test_testgrade_toml_uses_top_level_keys(tmp_path):
    write(tmp_path / "testgrade.toml", "select = ['TG3']\n[size]\nwarn = 10\nmax = 20\n")
    config = load_config(tmp_path)
    assert config.select == ("TG3",) and config.size.max == 20


def test_testgrade_toml_errors_name_keys_without_the_tool_prefix(tmp_path):
    write(tmp_path / "testgrade.toml", "colour = true\n")
    with pytest.raises(ConfigError, match=r"unknown key `colour`"):
        load_config(tmp_path)


def test_explicit_config_file(cli, tmp_path):
    write(tmp_path / "elsewhere.toml", "select = ['TG2']\n")
    write(tmp_path / "tests/integration/test_a.py", "import mock\nfrom . import a\n")
    result = cli.json("check", tmp_path / "tests", "--config", tmp_path / "elsewhere.toml")
    assert {f["rule"] for f in result["findings"]} == {"TG201"}


def test_missing_explicit_config_is_a_usage_error(cli, tmp_path):
    result = cli("check", tmp_path, "--config", tmp_path / "absent.toml")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_defaults_without_any_config(tmp_path):
    config = load_config(tmp_path)
    assert config.source is None
    assert config.size.warn == 750 and config.size.max == 1500
    assert config.integration_paths == ("**/integration/**", "**/e2e/**")


def test_the_config_search_stops_at_the_repository_root(cli, tmp_path):
    """An ancestor's settings belong to another project: neither a testgrade.toml that
    would change the findings nor a broken pyproject.toml above `.git` is read."""
    (tmp_path / "testgrade.toml").write_text('select = ["TG401"]\n')
    (tmp_path / "pyproject.toml").write_text("this is [not toml\n")
    repo = tmp_path / "work" / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "tests" / "test_a.py").write_text("from . import x\n\ndef test_x():\n    pass\n")
    result = cli("check", repo / "tests", "--no-cache")
    assert result.exit_code == 1, result.output
    assert "TG201" in result.stdout and "TG301" in result.stdout
