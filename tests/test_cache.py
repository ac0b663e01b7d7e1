"""The cache may change speed, never findings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import testgrade

from corpus_tree import findings_of, tiny_tree
from testgrade import cache as cache_module
from testgrade.cache import Cache
from testgrade.catalogue import catalogue_dir
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.runner import RunStats, lint_files


@pytest.fixture
def tree(tmp_path, tmp_path_factory) -> Path:
    return tiny_tree(tmp_path, tmp_path_factory)


def entries(tree: Path) -> list[Path]:
    """The packs: one file per directory of checked files."""
    return sorted(
        p for p in (tree / ".testgrade_cache" / "v3").glob("*/*.json") if p.name != "salt.json"
    )


def pack_entries(pack: Path) -> dict:
    return json.loads(pack.read_bytes())["entries"]


def rewrite(pack: Path, change) -> None:
    document = json.loads(pack.read_bytes())
    change(document["entries"])
    pack.write_text(json.dumps(document))


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


def test_a_tampered_but_valid_pack_or_entry_for_another_file_is_not_trusted(cli, tree):
    cli("check", tree)
    first, second = entries(tree)[:2]
    second.write_bytes(first.read_bytes())  # valid JSON, another directory's pack
    assert cli.json("check", tree) == cli.json("check", tree, "--no-cache")
    pack = max(entries(tree), key=lambda p: len(pack_entries(p)))

    def swap(found: dict) -> None:  # each entry now holds another file's result
        (a, first), (b, second), *_ = found.items()
        found[a], found[b] = second, first

    assert len(pack_entries(pack)) >= 2
    rewrite(pack, swap)
    assert cli.json("check", tree) == cli.json("check", tree, "--no-cache")


def test_a_cold_run_writes_one_pack_per_directory_not_a_file_per_file(cli, tree):
    cli("check", tree)
    config = load_config(tree)
    directories = {c.relpath.rpartition("/")[0] for c in discover([tree], config)}
    assert len(directories) < len(discover([tree], config))
    assert len(entries(tree)) == len(directories)
    assert sum(len(pack_entries(p)) for p in entries(tree)) == len(discover([tree], config))


def test_each_pack_is_written_once_its_directory_is_done_not_all_at_the_end(tree, monkeypatch):
    written: list[tuple[str, int]] = []  # (pack, files finished by then)
    stats_seen = {"finished": 0}
    real_write = cache_module.write_entry

    def recording(path, data):
        real_write(path, data)
        written.append((path.name, stats_seen["finished"]))

    monkeypatch.setattr(cache_module, "write_entry", recording)
    real_put = Cache.put

    def counting_put(self, key, result):
        stats_seen["finished"] += 1
        real_put(self, key, result)

    monkeypatch.setattr(Cache, "put", counting_put)
    _, stats = run(tree, jobs=1, cache=Cache(load_config(tree)))
    assert len(written) == len(entries(tree)) > 1  # each pack once
    assert written[0][1] < stats.checked  # the first while files were still to check
    assert [n for _, n in written] == sorted(n for _, n in written)


def test_a_big_directory_is_split_so_checking_one_file_reads_and_writes_one_small_pack(
    tmp_path, monkeypatch
):
    tests = tmp_path / "tests"
    tests.mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for n in range(200):
        (tests / f"test_{n}.py").write_text(f'"""Doc."""\n\ndef test_{n}():\n    assert {n}\n')
    config = load_config(tmp_path)
    candidates = discover([tmp_path], config)
    run(tmp_path, cache=Cache(config))
    packs = entries(tmp_path)
    assert len(packs) == 4  # 200 modules: four packs of about 50
    assert sorted(len(pack_entries(p)) for p in packs)[-1] < 80
    assert sum(len(pack_entries(p)) for p in packs) == 200
    victim = tests / "test_7.py"
    victim.write_text(victim.read_text() + "# edited\n")
    written, read = [], []
    real_write, real_read = cache_module.write_entry, Path.read_bytes
    monkeypatch.setattr(cache_module, "write_entry", lambda p, d: (written.append(p), real_write(p, d)))
    monkeypatch.setattr(Path, "read_bytes", lambda self: (read.append(self), real_read(self))[1])
    stats = RunStats()
    lint_files([c for c in candidates if c.path == victim], config, 1, cache=Cache(config), stats=stats)
    assert stats.checked == 1
    assert len(written) == 1 and written[0] in packs
    assert {p for p in read if ".testgrade_cache" in p.parts} == {written[0]}


def test_a_pack_another_run_wrote_meanwhile_keeps_its_entries(tree):
    config = load_config(tree)
    candidates = discover([tree], config)
    run(tree, cache=Cache(config))
    everything = {p: pack_entries(p) for p in entries(tree)}
    ours = Cache(config)
    victim = next(tree.rglob("test_*.py"))
    rel = victim.relative_to(tree).as_posix()
    ours.get("no such key", rel)  # this run has read the victim's pack
    pack = ours.pack_path(rel)
    theirs = dict(everything[pack], **{"f" * 64: everything[pack][next(iter(everything[pack]))]})
    pack.write_text(json.dumps({"directory": rel.rpartition("/")[0], "entries": theirs}))
    victim.write_text(victim.read_text() + "\nx = 1\n")
    lint_files([c for c in candidates if c.relpath == rel], config, 1, cache=ours)
    kept = pack_entries(pack)
    assert "f" * 64 in kept  # the other run's entry
    assert len(kept) == len(theirs) + 1  # and ours, for the edited file
def test_an_unwritable_cache_still_gives_correct_results_and_one_warning(cli, tree, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("testgrade.cache.write_entry", refuse)
    result = cli("check", tree, "--format", "json")
    clean = cli("check", tree, "--no-cache", "--format", "json")
    assert findings_of(result.stdout) == findings_of(clean.stdout)
    assert result.stderr.count("cannot write the cache") == 1
    assert "Permission denied" in result.stderr


def test_the_cache_warning_shows_an_escape_in_the_root_as_text(cli, tmp_path, tmp_path_factory,
                                                               monkeypatch):
    evil = tmp_path / "evil\x1b[2J"
    evil.mkdir()
    tree = tiny_tree(evil, tmp_path_factory)
    monkeypatch.setattr("testgrade.cache.write_entry", _refuse)
    result = cli("check", tree)
    assert "cannot write the cache" in result.stderr
    assert "\x1b" not in result.stderr and "evil\\x1b[2J" in result.stderr


def _refuse(path, data):
    raise PermissionError(13, "Permission denied", str(path))


def test_a_cache_path_that_is_a_file_costs_only_speed(cli, tree):
    (tree / ".testgrade_cache").write_text("not a directory")
    result = cli("check", tree, "--format", "json")
    assert findings_of(result.stdout) == findings_of(cli("check", tree, "--no-cache", "--format", "json").stdout)
    assert result.stderr.count("cannot write the cache") == 1
    assert "Traceback" not in result.output


def test_editing_testgrade_itself_invalidates_the_cache(tmp_path, monkeypatch):
    """A rule edited during development must not be answered from stale entries."""
    from testgrade import cache as cache_module

    config = load_config(tmp_path)
    before = cache_module.config_salt(config)
    monkeypatch.setattr(cache_module, "_code_fingerprint", lambda: "edited")
    assert cache_module.config_salt(config) != before


def _stats_in_another_install(package_copy: Path, tree: Path) -> dict:
    """Run the engine from a copy of testgrade, as a fresh install elsewhere would."""
    code = (
        "import json, testgrade\n"
        "from pathlib import Path\n"
        "from testgrade.cache import Cache\n"
        "from testgrade.config import load_config\n"
        "from testgrade.discovery import discover\n"
        "from testgrade.runner import RunStats, lint_files\n"
        f"config = load_config(Path({str(tree)!r}))\n"
        "stats = RunStats()\n"
        "lint_files(discover([config.root], config), config, 1, cache=Cache(config), stats=stats)\n"
        "print(json.dumps({'file': testgrade.__file__, 'cached': stats.cached,"
        " 'files': stats.files}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(package_copy / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=package_copy)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_fresh_install_of_the_same_version_elsewhere_hits_the_cache(cli, tree, tmp_path):
    """A CI job restores .testgrade_cache/ and installs testgrade anew: every entry hits."""
    cli("check", tree)
    other = tmp_path / "other-venv"
    source = Path(testgrade.__file__).resolve().parent
    shutil.copytree(source, other / "src" / "testgrade",
                    ignore=shutil.ignore_patterns("__pycache__"), copy_function=shutil.copy)
    shutil.copytree(catalogue_dir(), other / "rules", copy_function=shutil.copy)
    later = time.time() + 3_600  # other modification times, as a fresh install has
    for path in other.rglob("*"):
        os.utime(path, (later, later))
    stats = _stats_in_another_install(other, tree)
    assert Path(stats["file"]).resolve().is_relative_to(other)
    assert stats["cached"] == stats["files"] > 0


def test_another_python_or_an_edited_rule_file_misses(cli, tree, tmp_path, monkeypatch):
    from testgrade import cache as cache_module

    config = load_config(tree)
    salt = cache_module.config_salt(config)
    real = cache_module.versions()
    monkeypatch.setattr(cache_module, "versions", lambda: {**real, "python": "cpython-3.99.0"})
    assert cache_module.config_salt(config) != salt
    monkeypatch.undo()
    rules = tmp_path / "rules"
    shutil.copytree(catalogue_dir(), rules)
    (rules / "TG101.toml").write_text((rules / "TG101.toml").read_text() + "\n# edited\n")
    monkeypatch.setattr("testgrade.catalogue.catalogue_dir", lambda: rules)
    assert cache_module.config_salt(config) != salt


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86_400
    os.utime(path, (then, then))


def test_packs_no_run_wrote_for_a_week_are_pruned(cli, tree):
    cli("check", tree)
    stale, fresh = entries(tree)[:2]
    _age(stale, 8)
    _age(fresh, 3)
    _age(tree / ".testgrade_cache" / "last-pruned", 2)  # that check pruned today already
    cache = Cache(load_config(tree))
    assert cache.prune() >= 1  # the first run of the day prunes
    assert not stale.exists() and fresh.exists()
    _age(fresh, 8)
    assert cache.prune() == 0 and fresh.exists()  # at most once a day
    assert cache.prune(force=True) == 1 and not fresh.exists()


def test_entries_no_run_used_for_a_week_are_left_out_when_their_pack_is_rewritten(cli, tree):
    cli("check", tree)
    pack = max(entries(tree), key=lambda p: len(pack_entries(p)))
    idle_key, *_ = pack_entries(pack)

    def ages(found: dict) -> None:
        found[idle_key]["used"] -= 8  # no run used it for eight days
        found["e" * 64] = dict(found[idle_key])  # an entry for a file that is gone

    rewrite(pack, ages)
    cache = Cache(load_config(tree))
    run(tree, cache=cache)  # uses the live entries: the pack is rewritten
    kept = pack_entries(pack)
    assert "e" * 64 not in kept
    assert idle_key in kept and kept[idle_key]["used"] == cache.today  # used again today


def test_a_hit_marks_an_old_entry_as_used(cli, tree):
    cli("check", tree)

    def six_days(found: dict) -> None:
        for entry in found.values():
            entry["used"] -= 6

    for pack in entries(tree):
        rewrite(pack, six_days)
        _age(pack, 6)
    run(tree, cache=Cache(load_config(tree)))  # a warm run uses every entry
    assert Cache(load_config(tree)).prune(force=True) == 0
    assert len(entries(tree)) > 0
    today = Cache(load_config(tree)).today
    assert all(e["used"] == today for p in entries(tree) for e in pack_entries(p).values())


def test_a_warm_run_on_the_day_the_entries_were_used_writes_nothing(cli, tree, monkeypatch):
    cli("check", tree)
    writes = []
    monkeypatch.setattr("testgrade.cache.write_entry", lambda path, data: writes.append(path))
    _, stats = run(tree, cache=Cache(load_config(tree)))
    assert stats.cached == stats.files and writes == []


def test_entries_of_other_versions_and_the_old_layout_are_pruned(cli, tree, monkeypatch):
    from testgrade import cache as cache_module

    cli("check", tree)
    mine = entries(tree)
    real = cache_module.versions()
    monkeypatch.setattr(cache_module, "versions", lambda: {**real, "testgrade": "0.0.1"})
    cli("check", tree)  # an older testgrade writes its own salt directory
    for old in ("v1", "v2"):  # keyed by install paths; one file per entry
        old_layout = tree / ".testgrade_cache" / old / "ab" / "cdef"
        old_layout.parent.mkdir(parents=True)
        old_layout.write_text("{}")
    monkeypatch.undo()
    assert len(entries(tree)) == 2 * len(mine)
    assert Cache(load_config(tree)).prune(force=True) == len(mine)
    assert entries(tree) == mine
    assert not (tree / ".testgrade_cache" / "v1").exists()
    assert not (tree / ".testgrade_cache" / "v2").exists()


def test_cache_entries_are_not_fsynced_one_by_one(tree, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd))
    run(tree, jobs=1, cache=Cache(load_config(tree)))
    assert len(entries(tree)) > 3 and len(calls) <= 3  # CACHEDIR.TAG, .gitignore, salt.json


def test_a_src_directory_appearing_is_seen_though_no_test_changed(cli, tmp_path):
    """Without `source-roots`, imports resolve under `src/` only if it exists: its
    appearing must not leave cached results that resolved without it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.testgrade]\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        '"""BVJ: imports resolve."""\nimport mypkg.gone\n\n\ndef test_a():\n    assert mypkg\n'
    )
    cli("check", tmp_path)
    package = tmp_path / "src" / "mypkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    assert cli.json("check", tmp_path) == cli.json("check", tmp_path, "--no-cache")


def test_a_result_for_a_worker_out_of_memory_is_not_cached(tree, monkeypatch):
    from testgrade import engine

    config = load_config(tree)
    real_parse = engine.parse_module
    monkeypatch.setattr(engine, "parse_module", lambda text: (_ for _ in ()).throw(MemoryError()))
    first, _ = run(tree, jobs=1, cache=Cache(config))
    assert any("memory" in f.message for r in first for f in r.findings)
    monkeypatch.setattr(engine, "parse_module", real_parse)
    _, stats = run(tree, jobs=1, cache=Cache(config))
    assert stats.cached == 0  # nothing from the starved run was kept


def test_prune_follows_no_symbolic_link_out_of_the_cache(cli, tree, tmp_path):
    cli("check", tree)
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "precious.json"
    precious.write_text("{}")
    _age(precious, 30)
    (tree / ".testgrade_cache" / "v3" / "link").symlink_to(outside, target_is_directory=True)
    Cache(load_config(tree)).prune(force=True)
    assert precious.exists()


def test_prune_survives_a_hostile_salt_file_and_removes_emptied_salt_directories(cli, tree):
    cli("check", tree)
    layout = tree / ".testgrade_cache" / "v3"
    hostile = layout / ("a" * 32)
    hostile.mkdir()
    (hostile / "salt.json").write_text("[" * 100_000)  # RecursionError in json
    empty = layout / ("b" * 32)
    empty.mkdir()
    (empty / "salt.json").write_text(json.dumps(cache_module.versions()))
    Cache(load_config(tree)).prune(force=True)
    assert not empty.exists() and not hostile.exists()
    assert len(entries(tree)) > 0


def test_a_last_pruned_mark_days_in_the_future_does_not_stop_pruning(cli, tree):
    cli("check", tree)
    stale = entries(tree)[0]
    _age(stale, 8)
    _age(tree / ".testgrade_cache" / "last-pruned", -3)  # a clock that ran ahead
    assert Cache(load_config(tree)).prune() >= 1 and not stale.exists()
