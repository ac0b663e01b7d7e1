"""Bad input gets a clear message and the right exit code, and nothing else is lost."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from test_cli import write

BVJ = '"""BVJ:\n- Segment: All\n- Business Goal: g\n- Value Impact: v\n- Strategic Impact: s\n"""\n'


def tree_with(tmp_path, name, content: bytes):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/test_good.py", "from . import x\n")
    bad = tmp_path / "tests" / name
    bad.write_bytes(content)
    return bad


def test_syntax_error_is_one_tg000_and_the_run_continues(cli, tmp_path):
    tree_with(tmp_path, "test_broken.py", b"def test_x(:\n    pass\n")
    document = cli.json("check", tmp_path)
    broken = [f for f in document["findings"] if f["path"] == "tests/test_broken.py"]
    assert [(f["rule"], f["line"]) for f in broken] == [("TG000", 1)]
    assert broken[0]["message"].startswith("Syntax error")
    assert any(f["path"] == "tests/test_good.py" for f in document["findings"])


def test_undecodable_file_names_the_byte_and_line(cli, tmp_path):
    tree_with(tmp_path, "test_latin.py", b"x = 1\ny = '\xe9'\n")
    document = cli.json("check", tmp_path)
    (finding,) = [f for f in document["findings"] if f["path"] == "tests/test_latin.py"]
    assert finding["rule"] == "TG000"
    assert finding["line"] == 2
    assert "cannot decode as utf-8" in finding["message"] and "0xe9" in finding["message"]


def test_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("check", tmp_path / "nope")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_pyproject_is_a_one_line_error(cli, tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.testgrade\ninclude = [\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "pyproject.toml: invalid TOML" in result.stderr


def test_unknown_config_key_is_named_with_its_file(cli, tmp_path):
    config = write(tmp_path / "pyproject.toml", "[tool.testgrade]\nincludes = ['tests']\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert f"{config}: unknown key `tool.testgrade.includes`" in result.stderr
    assert "Traceback" not in result.output


def test_bad_input_never_touches_the_files(cli, tmp_path):
    bad = tree_with(tmp_path, "test_broken.py", b"def test_x(:\n")
    def files():  # the cache (.testgrade_cache/) is testgrade's own, not the user's
        return {
            p: p.read_bytes() for p in tmp_path.rglob("*")
            if p.is_file() and ".testgrade_cache" not in p.parts
        }

    before = files()
    cli("check", tmp_path)
    assert files() == before
    assert bad.read_bytes() == b"def test_x(:\n"


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "9" * 5000])
def test_out_of_range_numbers_in_baseline_shard_and_compare_files_are_one_line_errors(
    cli, tmp_path, number
):
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    write(tmp_path / "tests/test_good.py", "from . import x\n")
    baseline = tmp_path / "baseline.json"
    assert cli("baseline", tmp_path, "-o", baseline).exit_code == 0
    baseline.write_text(baseline.read_text().replace('"count": 1', f'"count": {number}', 1))
    audit = tmp_path / "audit.json"
    assert cli("audit", tmp_path, "--format", "json", "-o", audit).exit_code == 0
    audit.write_text(re.sub(r'"score": [0-9.]+', f'"score": {number}', audit.read_text(), 1))
    shard = tmp_path / "shard.json"
    shard.write_text(cli("check", tmp_path, "--format", "json", "--shard", "1/1").stdout)
    assert cli("merge", shard).exit_code == 1  # a valid shard merges: only the number is bad
    shard.write_text(re.sub(r'"lines": [0-9]+', f'"lines": {number}', shard.read_text(), 1))
    for args in (
        ("check", tmp_path, "--baseline", baseline),
        ("audit", tmp_path, "--compare", audit),
        ("merge", shard),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_an_undecodable_file_name_and_xml_forbidden_characters_in_every_format(tmp_path):
    """A file name that is not UTF-8 and a docstring holding U+FFFE: every format is
    written without a traceback, JSON stays UTF-8, JUnit stays well-formed XML."""
    write(tmp_path / "pyproject.toml", "[tool.testgrade]\n")
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / os.fsdecode(b"tests/test_\xe9.py")).write_bytes(b"from . import x\n")
    write(tmp_path / "tests/test_b.py", '"""BVJ: a\ufffeb"""\ndef test_b():\n    assert 1\n')
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""}
    outputs = {}
    for output_format in ("text", "json", "sarif", "junit", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "testgrade", "check", "--no-cache", "--format", output_format],
            cwd=tmp_path, env=env, capture_output=True, timeout=120,
        )
        assert done.returncode == 1, (output_format, done.stderr)
        assert b"Traceback" not in done.stderr
        outputs[output_format] = done.stdout
    paths = [f["path"] for f in json.loads(outputs["json"].decode("utf-8"))["findings"]]
    assert os.fsdecode(b"tests/test_\xe9.py") in paths
    json.loads(outputs["sarif"].decode("utf-8"))
    ElementTree.fromstring(outputs["junit"])
