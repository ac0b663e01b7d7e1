"""The cache may change speed, never findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_tree import findings_of, tiny_tree
from testgrade.cache import Cache
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.runner import RunStats, lint_files


@pytest.fixture
def tree(tmp_path, tmp_path_factory) -> Path:
    return tiny_tree(tmp_path, tmp_path_factory)


def entries(tree: Path) -> list[Path]:
    return sorted(p for p in (tree / ".testgrade_cache" / "v1").rglob("*") if p.is_file())


def run(tree: Path, jobs: int = 2, **kwargs) -> tuple[list, RunStats]:
    config = load_config(tree)
    stats = RunStats()
    results = lint_files(discover([tree], config), config, jobs, stats=stats, **kwargs)
    return results, stats


def test_warm_run_reads_everything_from_the_cache_and_finds_the_same(cli, tree):
    cold = cli.json("check", tree, "--no-cache")
    first = cli.json("check", tree)
    assert entries(tree), "the first run fills the cache"
    _, stats = run(tree, cache=Cache(load_config(tree)))
    assert stats.cached == stats.files and stats.checked == 0
    assert cli.json("check", tree) == first == cold


def test_no_cache_neither_reads_nor_writes(cli, tree):
    cli("check", tree, "--no-cache")
    assert not (tree / ".testgrade_cache").exists()


def test_an_edit_is_seen_and_only_the_edited_file_is_checked_again(cli, tree):
    cli("check", tree)
    victim = next(tree.rglob("test_*.py"))
    victim.write_text(victim.read_text() + "\nfrom .helpers import make_token\n")
    _, stats = run(tree, cache=Cache(load_config(tree)))
    assert stats.checked == 1 and stats.cached == stats.files - 1
    assert cli.json("check", tree) == cli.json("check", tree, "--no-cache")
    rel = victim.relative_to(tree).as_posix()
    assert any(f["path"] == rel and f["rule"] == "TG201" for f in cli.json("check", tree)["findings"])


def test_config_and_selection_are_part_of_the_key(cli, tree):
    cli("check", tree)
    assert cli.json("check", tree, "--select", "TG2") == cli.json("check", tree, "--select", "TG2", "--no-cache")
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("warn = 750", "warn = 100"))
    warm, cold = cli.json("check", tree), cli.json("check", tree, "--no-cache")
    assert warm == cold and "TG401" in warm["summary"]["by_rule"]


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"\x00\xff garbage", b'{"key": "other", "result": {}}', b"[1, 2, 3]"],
    ids=["empty", "truncated", "binary", "wrong-key", "wrong-shape"],
)
def test_a_corrupt_entry_is_a_miss(cli, tree, damage):
    expected = cli.json("check", tree)
    for entry in entries(tree):
        entry.write_bytes(damage)
    result = cli("check", tree, "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert findings_of(result.stdout) == (expected["findings"], expected["summary"])


def test_a_tampered_but_valid_entry_for_another_key_is_not_trusted(cli, tree):
    cli("check", tree)
    first, second = entries(tree)[:2]
    second.write_bytes(first.read_bytes())  # valid JSON, wrong key inside
    assert cli.json("check", tree) == cli.json("check", tree, "--no-cache")


def test_an_unwritable_cache_still_gives_correct_results_and_one_warning(cli, tree, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("testgrade.cache.atomic_write", refuse)
    result = cli("check", tree, "--format", "json")
    clean = cli("check", tree, "--no-cache", "--format", "json")
    assert findings_of(result.stdout) == findings_of(clean.stdout)
    assert result.stderr.count("cannot write the cache") == 1
    assert "Permission denied" in result.stderr


def test_a_cache_path_that_is_a_file_costs_only_speed(cli, tree):
    (tree / ".testgrade_cache").write_text("not a directory")
    result = cli("check", tree, "--format", "json")
    assert findings_of(result.stdout) == findings_of(cli("check", tree, "--no-cache", "--format", "json").stdout)
    assert result.stderr.count("cannot write the cache") == 1
    assert "Traceback" not in result.output


def test_editing_testgrade_itself_invalidates_the_cache(tmp_path, monkeypatch):
    """A rule edited during development must not be answered from stale entries."""
    from testgrade import cache as cache_module

    assert "engine.py:" in cache_module._code_fingerprint()
    config = load_config(tmp_path)
    before = cache_module.config_salt(config)
    monkeypatch.setattr(cache_module, "_code_fingerprint", lambda: "edited")
    assert cache_module.config_salt(config) != before
