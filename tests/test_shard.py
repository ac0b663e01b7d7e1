"""--shard K/N and `testgrade merge`: sharded-then-merged is the unsharded run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_tree import tiny_tree
from testgrade.shard import shard_of


@pytest.fixture
def tree(tmp_path, tmp_path_factory) -> Path:
    return tiny_tree(tmp_path, tmp_path_factory)


def shards(cli, tree: Path, count: int, *extra: str) -> list[Path]:
    outputs = []
    for k in range(1, count + 1):
        result = cli("check", tree, "--shard", f"{k}/{count}", "--format", "json", *extra)
        assert result.exit_code in (0, 1), result.output
        path = tree.parent / f"shard-{k}-of-{count}.json"
        path.write_text(result.stdout)
        outputs.append(path)
    return outputs


@pytest.mark.parametrize("count", [2, 7])
def test_merged_shards_equal_the_whole_run_in_json_and_text(cli, tree, count):
    whole_json = cli("check", tree, "--format", "json", "--no-cache")
    whole_text = cli("check", tree, "--no-cache")
    parts = shards(cli, tree, count)
    merged_json = cli("merge", *parts, "--format", "json")
    merged_text = cli("merge", *reversed(parts))
    assert merged_json.stdout == whole_json.stdout
    assert merged_text.stdout == whole_text.stdout
    assert merged_json.exit_code == merged_text.exit_code == whole_json.exit_code == 1


def test_shards_partition_the_files(cli, tree):
    parts = [json.loads(p.read_text()) for p in shards(cli, tree, 3)]
    paths = [f["path"] for part in parts for f in part["files"]]
    assert len(paths) == len(set(paths)) == json.loads(cli("check", tree, "--format", "json").stdout)["summary"]["files"]
    assert all(part["files"] for part in parts)


def test_shard_membership_is_stable_and_depends_only_on_the_path():
    assert shard_of("svc/tests/unit/test_a.py", 4) == shard_of("svc/tests/unit/test_a.py", 4)
    assert {shard_of(f"t/test_{n}.py", 4) for n in range(100)} == {1, 2, 3, 4}


def test_json_keeps_the_contract_fields_and_adds_per_file_facts(cli, tree):
    document = json.loads(cli("check", tree, "--format", "json").stdout)
    assert list(document) == ["version", "root", "findings", "summary", "files"]
    facts = document["files"][0]
    assert {"path", "role", "kind", "lines", "tests", "tests_with_bvj"} <= set(facts)


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "x", "1/2/3", "a/b"])
def test_a_bad_shard_value_is_a_usage_error(cli, tree, value):
    result = cli("check", tree, "--shard", value)
    assert result.exit_code == 2 and "--shard" in result.stderr
    assert "Traceback" not in result.output


def test_merge_refuses_overlapping_shards(cli, tree):
    part = shards(cli, tree, 2)[0]
    result = cli("merge", part, part)
    assert result.exit_code == 2 and "same --shard" in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [("{", "not JSON"), ('{"version": "1", "findings": []}', "no `files` list"),
     ('{"version": "1", "findings": [{"rule": 1}], "files": []}', "not a finding")],
)
def test_merge_explains_a_bad_shard_file(cli, tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = cli("merge", bad)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


def test_merge_of_a_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli("merge", tmp_path / "nope.json")
    assert result.exit_code == 2 and "cannot read" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_merged_shards_build_the_same_audit_report(cli, tree, fmt, monkeypatch):
    monkeypatch.chdir(tree)
    whole = cli("audit", "--format", fmt, "--no-cache")
    parts = shards(cli, tree, 3)
    merged = cli("merge", "--audit", "--format", fmt, *parts)
    assert merged.exit_code == 0, merged.output
    assert merged.stdout == whole.stdout


def test_audit_accepts_shard_and_no_cache(cli, tree, monkeypatch):
    monkeypatch.chdir(tree)
    result = cli("audit", "--shard", "1/2", "--no-cache", "--format", "json")
    assert result.exit_code == 0 and not (tree / ".testgrade_cache").exists()


def test_merge_without_audit_refuses_report_formats(cli, tree):
    result = cli("merge", "--format", "html", shards(cli, tree, 1)[0])
    assert result.exit_code == 2 and "needs --audit" in result.stderr
