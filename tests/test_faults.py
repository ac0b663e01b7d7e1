"""Faults while writing: a full disk or a refused write mid-way never leaves a
half-written file or loses the previous one, and is reported with a non-zero exit;
a failing cache only costs speed.

Faults are injected by replacing the system calls atomic_write makes (the
handle's write, fsync, rename, the temporary file), never by filling a disk.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from testgrade import cli as cli_module
from testgrade import fileio
from testgrade.cache import Cache
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.fileio import atomic_write
from testgrade.runner import RunStats, lint_files

OLD = b"the previous report\n" * 50
NEW = b"the new report, much longer than the old one\n" * 5000


class HalfWriter:
    """A file handle whose write stores half the data, then fails as a full disk would."""

    def __init__(self, handle, error: int) -> None:
        self.handle, self.error = handle, error

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(self.error, os.strerror(self.error))

    def __getattr__(self, name: str):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.handle.close()


def inject(monkeypatch, stage: str, error: int, only: str | None = None) -> None:
    """Make atomic_write fail at `stage` with `error` (for destinations named `only`, if given)."""
    real_atomic_write = fileio.atomic_write
    failing = {"active": True}

    def oserror(*_args, **_kwargs):
        raise OSError(error, os.strerror(error))

    if stage == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(fileio.os, "fdopen", lambda fd, *a, **k: HalfWriter(real_fdopen(fd, *a, **k), error)
                            if failing["active"] else real_fdopen(fd, *a, **k))
    elif stage == "fsync":
        real_fsync = os.fsync
        monkeypatch.setattr(fileio.os, "fsync", lambda fd: oserror() if failing["active"] else real_fsync(fd))
    elif stage == "replace":
        real_replace = os.replace
        monkeypatch.setattr(fileio.os, "replace", lambda a, b: oserror() if failing["active"] else real_replace(a, b))
    elif stage == "mkstemp":
        real_mkstemp = fileio.tempfile.mkstemp
        monkeypatch.setattr(fileio.tempfile, "mkstemp", lambda *a, **k: oserror() if failing["active"] else real_mkstemp(*a, **k))
    else:  # pragma: no cover - a typo in a parameter
        raise ValueError(stage)
    if only is not None:
        def selective(path, data):
            failing["active"] = Path(path).name == only
            try:
                real_atomic_write(path, data)
            finally:
                failing["active"] = True

        monkeypatch.setattr("testgrade.cache.atomic_write", selective)


FAULTS = [
    pytest.param("write", errno.ENOSPC, "No space left on device", id="disk-full-mid-write"),
    pytest.param("write", errno.EDQUOT, "Disk quota exceeded", id="quota-mid-write"),
    pytest.param("fsync", errno.EIO, "Input/output error", id="fsync-fails"),
    pytest.param("replace", errno.EACCES, "Permission denied", id="rename-refused"),
    pytest.param("mkstemp", errno.EACCES, "Permission denied", id="directory-not-writable"),
]


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.mark.parametrize(("stage", "error", "reason"), FAULTS)
def test_atomic_write_that_fails_keeps_the_old_file_and_leaves_nothing_behind(
    tmp_path, monkeypatch, stage, error, reason
):
    target = tmp_path / "report.md"
    target.write_bytes(OLD)
    inject(monkeypatch, stage, error)
    with pytest.raises(OSError) as raised:
        atomic_write(target, NEW)
    assert raised.value.errno == error
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path, {"report.md"}) == []


@pytest.mark.parametrize(("stage", "error", "reason"), FAULTS)
def test_atomic_write_of_a_new_file_that_fails_creates_nothing(tmp_path, monkeypatch, stage, error, reason):
    inject(monkeypatch, stage, error)
    with pytest.raises(OSError):
        atomic_write(tmp_path / "report.md", NEW)
    assert leftovers(tmp_path, set()) == []


def test_atomic_write_without_faults_replaces_whole_and_keeps_the_mode(tmp_path):
    target = tmp_path / "report.md"
    target.write_bytes(OLD)
    target.chmod(0o640)
    atomic_write(target, NEW)
    assert target.read_bytes() == NEW
    assert target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path, {"report.md"}) == []


# --- through the command line ----------------------------------------------------------


def small_tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.testgrade]\n")
    (root / "tests").mkdir()
    (root / "tests" / "helpers.py").write_text("VALUE = 1\n")
    (root / "tests" / "test_a.py").write_text(
        '"""BVJ: Segment: All; Business Goal: a; Value Impact: b; Strategic Impact: c"""\n'
        "from . import helpers\n\n\ndef test_a():\n    assert helpers.VALUE\n"
    )
    (root / "tests" / "test_b.py").write_text("def test_b():\n    pass\n")
    return root


@pytest.mark.parametrize(("stage", "error", "reason"), FAULTS)
def test_audit_output_that_fails_mid_way_keeps_the_old_report_and_exits_2(
    cli, tmp_path, monkeypatch, stage, error, reason
):
    tree = small_tree(tmp_path / "tree")
    target = tmp_path / "report.md"
    target.write_bytes(OLD)
    inject(monkeypatch, stage, error)
    result = cli("audit", tree, "--format", "markdown", "-o", target, "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"testgrade: error: cannot write {target}: {reason}"]
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path, {"report.md", "tree"}) == []


def test_a_fix_that_cannot_be_written_leaves_the_source_byte_for_byte(cli, tmp_path, monkeypatch):
    tree = small_tree(tmp_path)
    source = tree / "tests" / "test_a.py"
    before = source.read_bytes()
    inject(monkeypatch, "write", errno.ENOSPC)
    result = cli("check", tree, "--fix", "--no-cache")
    assert result.exit_code == 1  # the relative import is still there
    assert source.read_bytes() == before
    assert "could not write tests/test_a.py: No space left on device; left unchanged" in result.stderr
    assert leftovers(source.parent, {"helpers.py", "test_a.py", "test_b.py"}) == []
    assert "Traceback" not in result.output


def findings(document: str) -> list:
    return json.loads(document)["findings"]


@pytest.mark.parametrize(("stage", "error", "reason"), FAULTS)
def test_a_cache_write_that_fails_costs_only_speed(cli, tmp_path, monkeypatch, stage, error, reason):
    tree = small_tree(tmp_path)
    clean = cli("check", tree, "--format", "json", "--no-cache")
    inject(monkeypatch, stage, error)
    faulty = cli("check", tree, "--format", "json")
    assert faulty.exit_code == clean.exit_code == 1
    assert findings(faulty.stdout) == findings(clean.stdout)
    (warning,) = faulty.stderr.splitlines()
    assert warning.startswith("testgrade: warning: cannot write the cache") and reason in warning
    monkeypatch.undo()
    # Nothing half-written was left for a later run to trust.
    config = load_config(tree)
    stats = RunStats()
    later = lint_files(discover([tree], config), config, 1, cache=Cache(config), stats=stats)
    assert stats.cached == 0 and stats.checked == 3
    assert [f for r in later for f in r.findings] == [
        f for r in lint_files(discover([tree], config), config, 1) for f in r.findings
    ]


def test_one_cache_entry_failing_mid_write_is_never_read_back(cli, tmp_path, monkeypatch):
    tree = small_tree(tmp_path)
    config = load_config(tree)
    candidates = discover([tree], config)
    cache = Cache(config)
    victim = cache.key("tests/test_a.py", "tests", (tree / "tests" / "test_a.py").read_bytes())
    inject(monkeypatch, "write", errno.ENOSPC, only=victim[2:])
    first = lint_files(candidates, config, 1, cache=cache)
    monkeypatch.undo()
    stats = RunStats()
    second = lint_files(candidates, config, 1, cache=Cache(config), stats=stats)
    assert second == first
    assert stats.checked >= 1  # test_a.py at least was computed again, not read half-written


def test_a_cache_entry_that_cannot_be_read_is_a_miss(cli, tmp_path, monkeypatch):
    tree = small_tree(tmp_path)
    warm = cli.json("check", tree)
    real_read_bytes = Path.read_bytes

    def failing_disk(self: Path) -> bytes:
        if ".testgrade_cache" in self.parts:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", failing_disk)
    assert cli.json("check", tree) == warm


# --- standard output itself ------------------------------------------------------------


def test_standard_output_on_a_full_disk_is_one_line_and_exit_2(tmp_path):
    if not Path("/dev/full").exists():  # pragma: no cover - Linux has it
        pytest.skip("no /dev/full here; test_output_failure_in_process covers the handler")
    tree = small_tree(tmp_path)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "testgrade", "check", str(tree), "--no-cache"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "testgrade: error: cannot write the output: No space left on device"
    ]


@pytest.mark.parametrize(("error", "code", "message"), [
    (errno.ENOSPC, 2, "testgrade: error: cannot write the output: No space left on device"),
    (errno.EPIPE, 1, ""),
])
def test_output_failure_in_process(tmp_path, monkeypatch, capsys, error, code, message):
    tree = small_tree(tmp_path)
    real_echo = click.echo

    def failing_echo(text=None, *args, err=False, **kwargs):
        if not err:
            raise OSError(error, os.strerror(error))
        real_echo(text, *args, err=err, **kwargs)

    monkeypatch.setattr(click, "echo", failing_echo)
    monkeypatch.setattr(sys, "argv", ["testgrade", "check", str(tree), "--no-cache"])
    monkeypatch.setattr(cli_module, "_leave", lambda code: None)  # not os._exit: pytest runs here
    with pytest.raises(SystemExit) as exited:
        cli_module.run()
    assert exited.value.code == code
    assert capsys.readouterr().err.strip() == message


def test_a_huge_file_is_refused_without_being_read_into_memory(tmp_path):
    """A sparse 8 GiB file under a 2 GiB address-space limit: reading it whole would
    fail with MemoryError; it must be refused by its size instead."""
    import resource

    (tmp_path / "pyproject.toml").write_text("[tool.testgrade]\n")
    huge = tmp_path / "tests" / "test_huge.py"
    huge.parent.mkdir()
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    completed = subprocess.run(
        [sys.executable, "-m", "testgrade", "check", str(tmp_path), "--no-cache", "--format", "json"],
        capture_output=True, text=True, timeout=120, preexec_fn=limit_memory, check=False,
    )
    assert completed.returncode == 1, completed.stderr
    (finding,) = json.loads(completed.stdout)["findings"]
    assert finding["rule"] == "TG000"
    assert finding["message"].startswith("Skipped: 8,589,934,592 bytes, above limits.max-file-bytes")
