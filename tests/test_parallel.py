"""Worker processes: same results in the same order whatever the jobs; a dead or stuck
worker costs one TG000 finding for the file it held, never the run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from corpus_tree import tiny_tree
from testgrade import runner
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.runner import RunStats, lint_files

_original = runner.check_bytes


@pytest.fixture
def tree(tmp_path, tmp_path_factory) -> Path:
    return tiny_tree(tmp_path, tmp_path_factory)


def run(tree: Path, jobs: int, stats: RunStats | None = None):
    config = load_config(tree)
    return lint_files(discover([tree], config), config, jobs, stats=stats)


def victim_of(tree: Path) -> str:
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("test_*.py"))[3]


def test_jobs_1_and_jobs_2_give_identical_results_in_path_order(cli, tree):
    one, two = run(tree, 1), run(tree, 2)
    assert one == two
    assert [r.path for r in two] == sorted(r.path for r in two)
    assert cli.json("check", tree, "-j", "1", "--no-cache") == cli.json("check", tree, "-j", "2", "--no-cache")


@pytest.mark.parametrize("how", ["exit", "segfault"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_costs_one_tg000_for_its_file(tree, monkeypatch, how, jobs):
    victim = victim_of(tree)
    expected = {r.path: r for r in run(tree, jobs)}

    def crash_on_victim(data, relpath, *args):
        if relpath == victim:
            if how == "exit":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGSEGV)
        return _original(data, relpath, *args)

    monkeypatch.setattr(runner, "check_bytes", crash_on_victim)
    stats = RunStats()
    results = {r.path: r for r in run(tree, jobs, stats)}
    assert stats.crashed == [victim]
    assert [f.rule for f in results[victim].findings] == ["TG000"]
    message = results[victim].findings[0].message
    assert "worker process died" in message
    assert ("exit code 3" if how == "exit" else f"signal {signal.SIGSEGV.value}") in message
    del results[victim], expected[victim]
    assert results == expected  # every other file checked exactly as without the crash


def test_a_crash_is_not_cached(cli, tree, monkeypatch):
    victim = victim_of(tree)

    def crash_on_victim(data, relpath, *args):
        if relpath == victim:
            os._exit(1)
        return _original(data, relpath, *args)

    monkeypatch.setattr(runner, "check_bytes", crash_on_victim)
    crashed = cli.json("check", tree)
    assert any(f["rule"] == "TG000" and f["path"] == victim for f in crashed["findings"])
    monkeypatch.setattr(runner, "check_bytes", _original)
    assert cli.json("check", tree) == cli.json("check", tree, "--no-cache")


def test_a_file_over_the_time_budget_becomes_tg000_and_the_run_goes_on(tree, monkeypatch):
    pyproject = tree / "pyproject.toml"
    # 5 s, not 1: on a loaded machine an ordinary small file can take over a second.
    pyproject.write_text(pyproject.read_text() + "\n[tool.testgrade.limits]\ntimeout = 5\n")
    victim = victim_of(tree)
    expected = {r.path: r for r in run(tree, 2)}

    def hang_on_victim(data, relpath, *args):
        if relpath == victim:
            time.sleep(120)
        return _original(data, relpath, *args)

    monkeypatch.setattr(runner, "check_bytes", hang_on_victim)
    stats = RunStats()
    started = time.monotonic()
    results = {r.path: r for r in run(tree, 2, stats)}
    assert time.monotonic() - started < 60  # the hung worker was killed, not waited for
    assert stats.timed_out == [victim]
    assert [f.message for f in results[victim].findings] == [
        "Checking this file took longer than 5 s (limits.timeout); skipped"
    ]
    del results[victim], expected[victim]
    assert results == expected


def test_an_exception_in_a_rule_costs_one_file(tree, monkeypatch):
    victim = victim_of(tree)

    def fail_on_victim(data, relpath, *args):
        if relpath == victim:
            raise RuntimeError("boom")
        return _original(data, relpath, *args)

    monkeypatch.setattr(runner, "check_bytes", fail_on_victim)
    results = {r.path: r for r in run(tree, 2)}
    assert [f.message for f in results[victim].findings] == [
        "Internal error while checking this file: RuntimeError: boom"
    ]


def test_tg000_from_a_crash_respects_the_selection(tree, monkeypatch):
    victim = victim_of(tree)

    def crash_on_victim(data, relpath, *args):
        if relpath == victim:
            os._exit(1)
        return _original(data, relpath, *args)

    monkeypatch.setattr(runner, "check_bytes", crash_on_victim)
    config = load_config(tree).with_overrides(("TG2",))
    results = {r.path: r for r in lint_files(discover([tree], config), config, 2)}
    assert results[victim].findings == ()


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli, tree):
    result = cli("check", tree, "--no-cache")
    assert result.stderr == ""


def test_the_progress_bar_goes_to_stderr_only(tree, capsys):
    config = load_config(tree)
    results = lint_files(discover([tree], config), config, 2, progress=True)
    captured = capsys.readouterr()
    assert results and captured.out == ""
