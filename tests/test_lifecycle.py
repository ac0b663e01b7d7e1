"""Processes and resources: workers die with the run, nothing blocks on a FIFO,
--jobs is capped, a worker's memory is bounded, and `python -m testgrade` never
imports modules of the tree it analyses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from testgrade import runner
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.runner import JOBS_PER_CORE, default_jobs, lint_files


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead: its parent (init) has not reaped it yet
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_workers_die_with_the_run_and_the_output_pipe_reaches_its_end(tmp_path, how):
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / ".git").mkdir()
    for n in range(2):
        (tree / "tests" / f"test_{n}.py").write_text("def test_x():\n    pass\n")
    pids = tmp_path / "pids"
    pids.mkdir()
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from testgrade import runner
        from testgrade.cli import run

        def hang(*args):  # every worker reports its pid, then stalls
            Path({str(pids)!r}, str(os.getpid())).touch()
            time.sleep(600)

        runner.check_bytes = hang
        run()
    """)
    process = subprocess.Popen(
        [sys.executable, "-c", script, "check", str(tree), "--jobs", "2", "--no-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in pids.iterdir()]
    assert len(workers) == 2
    process.send_signal(how)
    # A reader of the output gets end-of-file: no worker holds the pipe open.
    out, _ = process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # do not leak them into the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_a_file_replaced_by_a_fifo_after_discovery_is_tg000_not_a_hang(tmp_path):
    """In a child process with a time limit, so a regression fails instead of hanging."""
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / ".git").mkdir()
    target = tree / "tests" / "test_fifo.py"
    target.write_text("def test_x():\n    pass\n")
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from testgrade.config import load_config
        from testgrade.discovery import discover
        from testgrade.runner import lint_files

        tree = Path({str(tree)!r})
        config = load_config(tree)
        candidates = discover([tree], config)
        os.unlink({str(target)!r})
        os.mkfifo({str(target)!r})  # nobody ever writes to it
        for result in lint_files(candidates, config, 1):
            print(result.path, [(f.rule, f.message) for f in result.findings])
    """)
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (
        "tests/test_fifo.py [('TG000', 'Cannot read file: no longer a regular file')]\n"
    )


def test_jobs_far_above_the_cores_is_capped_with_a_note(cli, tmp_path, monkeypatch):
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / ".git").mkdir()
    for n in range(3 * JOBS_PER_CORE * default_jobs() + 1):
        (tree / "tests" / f"test_{n}.py").write_text("def test_x():\n    pass\n")
    started = []
    original = runner._Worker.start

    def counting_start(*args, **kwargs):
        started.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(runner._Worker, "start", counting_start)
    result = cli("check", tree, "--jobs", "1000", "--no-cache", "--select", "TG000")
    cap = JOBS_PER_CORE * default_jobs()
    assert result.exit_code == 0, result.output
    assert f"testgrade: note: --jobs 1,000 capped at {cap} (" in result.stderr
    assert len(started) == cap


def test_jobs_within_the_cap_needs_no_note(cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "test_a.py").write_text("def test_x():\n    pass\n")
    result = cli("check", tmp_path, "--jobs", "2", "--no-cache")
    assert "note" not in result.stderr


def test_a_worker_over_its_memory_budget_costs_one_tg000(tmp_path):
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / ".git").mkdir()
    (tree / "testgrade.toml").write_text("[limits]\nmemory-mb = 64\n")
    # 20,000 tests: libcst needs a few hundred megabytes for this tree
    (tree / "tests" / "test_big.py").write_text(
        "".join(f"def test_{n}():\n    pass\n" for n in range(20_000))
    )
    (tree / "tests" / "test_small.py").write_text('"""BVJ: Segment: All"""\ndef test_x():\n    pass\n')
    config = load_config(tree)
    results = {r.path: r for r in lint_files(discover([tree], config), config, 1)}
    (big,) = results["tests/test_big.py"].findings
    assert big.rule == "TG000"
    assert "memory" in big.message and "limits.memory-mb" in big.message
    assert [f.rule for f in results["tests/test_small.py"].findings] != ["TG000"]


def test_python_m_testgrade_does_not_import_the_analysed_tree(tmp_path):
    marker = tmp_path / "RAN"
    (tmp_path / ".git").mkdir()
    (tmp_path / "pathspec.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\nraise SystemExit('shadowed')\n"
    )
    (tmp_path / "rich.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\n")
    (tmp_path / "test_a.py").write_text("def test_x():\n    pass\n")
    completed = subprocess.run(
        [sys.executable, "-m", "testgrade", "check", ".", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert not marker.exists()
    assert completed.returncode == 1, completed.stderr
    assert "test_a.py:1:1: TG301" in completed.stdout


def test_huge_or_non_finite_numbers_in_the_config_are_errors_not_tracebacks(cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "test_a.py").write_text("def test_x():\n    pass\n")
    config = tmp_path / "testgrade.toml"
    for weights, key in [("nan", "scoring.weights.size"), ("inf", "scoring.weights.size"),
                         ("-inf", "scoring.weights.size")]:
        config.write_text(f"[scoring.weights]\nsize = {weights}\n")
        result = cli("audit", tmp_path, "--no-cache", "--fail-under", "99")
        assert result.exit_code == 2, (weights, result.output)
        assert key in result.stderr and result.stderr.count("\n") == 1
    for limits, key in [
        ("max-file-bytes = 100000000000", "limits.max-file-bytes"),
        ("timeout = nan", "limits.timeout"),
        ("timeout = inf", "limits.timeout"),
        ("timeout = 1e400", "limits.timeout"),
        ("memory-mb = 0", "limits.memory-mb"),
        (f"max-file-bytes = {'9' * 5000}", "invalid TOML"),
    ]:
        config.write_text(f"[limits]\n{limits}\n")
        result = cli("check", tmp_path, "--no-cache")
        assert result.exit_code == 2, (limits, result.output)
        assert result.stderr.count("\n") == 1 and key in result.stderr, (limits, result.stderr)
        assert str(Path(config)) in result.stderr
