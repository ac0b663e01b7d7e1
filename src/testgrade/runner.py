"""Running the engine over many files: cache, worker processes, time budget, order.

Each candidate's bytes are read once here and hashed; a cache hit is the
result. Misses go to worker processes. A worker holds at most two files: the
one it is checking and, if small, the next one waiting in its pipe, so it never
sits idle while this process reads, hashes and writes the cache. The runner
always knows which file a worker is checking (the first it was sent and has
not answered):
- a worker that dies (a crash in a C extension, `os._exit`, the OOM killer)
  costs a TG000 finding for that file, and a fresh worker takes its place;
  the file waiting behind it is handed to another worker, unblamed;
- a file that takes longer than `limits.timeout` seconds has its worker
  killed and becomes a TG000 finding; the run goes on.
Results come back in the order of the candidates whatever the scheduling.

Neither libcst nor the engine is imported in this process unless something
fails: a warm run reads, hashes and looks up, nothing more.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from testgrade.cache import Cache
from testgrade.catalogue import CatalogueError, load_catalogue
from testgrade.config import Config
from testgrade.discovery import Candidate, package_name
from testgrade.fileio import content_digest, read_regular
from testgrade.ftypes import FileResult
from testgrade.guards import check_size

# Show a progress bar (on a terminal) for runs with at least this many files to check.
_PROGRESS_THRESHOLD = 200


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - not Linux


# Workers beyond this many per core only cost memory: checking is CPU-bound.
JOBS_PER_CORE = 4


def capped_jobs(requested: int | None) -> tuple[int, str | None]:
    """The worker count to use for `--jobs requested`, and a note when it was capped."""
    cores = default_jobs()
    if requested is None:
        return cores, None
    cap = JOBS_PER_CORE * cores
    if requested <= cap:
        return max(1, requested), None
    return cap, f"--jobs {requested:,} capped at {cap} ({JOBS_PER_CORE} per core, {cores} cores)"


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes, but never more than limit + 1 of them: a multi-gigabyte
    file must not be read into memory just to be refused. Opened without
    blocking: a file replaced by a FIFO after discovery cannot hang the run."""
    return read_regular(path, limit)


def _size_of(path: Path, at_least: int) -> int:
    try:
        return max(path.stat().st_size, at_least)
    except OSError:
        return at_least


def check_bytes(data: bytes, relpath: str, package: str | None, config: Config, selection: Any) -> FileResult:
    """The work a worker does for one file (tests replace it to simulate crashes)."""
    from testgrade.engine import lint_source

    return lint_source(data, relpath, config, package=package, selection=selection)


def failure(relpath: str, message: str, config: Config) -> FileResult:
    """A TG000 result for a file testgrade could not check, unless TG000 is deselected."""
    from testgrade.engine import PARSE_ERROR, RuleSelection, file_error

    result = file_error(relpath, message)
    if PARSE_ERROR not in RuleSelection(config).for_file(relpath):
        result = replace(result, findings=())
    return result


def _die_with_parent(parent_pid: int, inherited: Sequence[Connection]) -> None:
    """Make sure a worker never outlives the run that started it.

    Forked workers inherit the parent's end of every pipe: closing them makes the
    parent's death an end-of-file here. The kernel kills us when the parent dies
    (Linux `PR_SET_PDEATHSIG`), and a parent already gone before that took hold
    is noticed by its pid.
    """
    for conn in inherited:
        conn.close()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
            pass
    if os.getppid() != parent_pid:
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def _limit_memory(budget_mb: int) -> None:
    """Cap this worker's address space at what it has now plus `budget_mb`, so one
    huge file ends in a MemoryError here (a TG000), not in the machine swapping."""
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + budget_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, AttributeError):  # not Linux, or not allowed: no cap
        pass


def _quiet_stderr() -> None:
    """Send this worker's stderr to /dev/null: what analysed code makes the parser
    say (SyntaxWarning) or an out-of-memory abort prints is not the user's output;
    the TG000 finding carries the reason."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # pragma: no cover - /dev/null missing
        pass


def prepare_worker(
    config: Config, parent_pid: int, inherited: Sequence[Connection] = ()
) -> None:
    """What every child process testgrade starts does first: die with its parent,
    leave Ctrl-C to the parent, stay within its memory budget, keep stderr quiet."""
    _die_with_parent(parent_pid, inherited)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    faulthandler.disable()  # a crash here is reported as a TG000 finding, not a C traceback
    _limit_memory(config.limits.memory_mb)
    _quiet_stderr()


def _worker_main(
    conn: Connection, config: Config, parent_pid: int, inherited: Sequence[Connection] = ()
) -> None:
    from testgrade.engine import RuleSelection
    from testgrade.resolution import remember_answers

    prepare_worker(config, parent_pid, inherited)
    remember_answers()  # a worker lives for one run

    selection = RuleSelection(config)
    conn.send(_READY)  # the time budget of the first file starts now, not before the imports
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, relpath, package, data = task
        try:
            result, cacheable = check_bytes(data, relpath, package, config, selection), True
        except MemoryError:
            message = (
                f"Checking this file needed more than {config.limits.memory_mb:,} MB of memory "
                "(limits.memory-mb); skipped"
            )
            result, cacheable = failure(relpath, message, config), False
        except Exception as exc:  # a bug in a rule must cost one file, not the run
            message = f"Internal error while checking this file: {type(exc).__name__}: {exc}"
            result, cacheable = failure(relpath, message, config), False
        conn.send((index, result, cacheable))


_READY = "ready"


# A second file is queued behind the one being checked only when its message
# surely fits in the socket buffer (Linux: ~200 KiB), so that sending it can
# never block while the worker is busy and not reading.
_QUEUE_MAX_BYTES = 32 * 1024


@dataclass
class _Task:
    index: int
    relpath: str
    key: str | None
    package: str | None
    data: bytes
    deadline: float = math.inf


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    tasks: list[_Task] = field(default_factory=list)  # the first is being checked

    def can_take(self, task: _Task) -> bool:
        if not self.tasks:
            return True
        return len(self.tasks) == 1 and len(task.data) <= _QUEUE_MAX_BYTES

    @classmethod
    def start(cls, context: Any, config: Config, others: Sequence[_Worker] = ()) -> _Worker:
        # The worker needs the rule catalogue for its first file and this process for
        # the first result it stores or prints: loaded once here, a fork shares it.
        with contextlib.suppress(CatalogueError):  # reported where it is used
            load_catalogue()
        parent, child = context.Pipe()
        # Forked children inherit these descriptors; spawned ones do not have them.
        forked = context.get_start_method() == "fork"
        inherited = [parent, *(other.conn for other in others)] if forked else []
        process = context.Process(
            target=_worker_main, args=(child, config, os.getpid(), inherited), daemon=True
        )
        process.start()
        child.close()
        return cls(process, parent)

    def assign(self, task: _Task, timeout: float) -> bool:
        try:
            self.conn.send((task.index, task.relpath, task.package, task.data))
        except (OSError, ValueError):
            return False
        task.deadline = math.inf
        if not self.tasks and self.ready:
            task.deadline = time.monotonic() + timeout
        self.tasks.append(task)
        return True

    def answered(self, now: float, timeout: float) -> _Task:
        """The first task is done; the clock of the next one starts now."""
        done = self.tasks.pop(0)
        if self.tasks:
            self.tasks[0].deadline = now + timeout
        return done

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


@dataclass
class RunStats:
    """What a run did, for the benchmark and for tests."""

    files: int = 0
    cached: int = 0
    checked: int = 0
    crashed: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)


class _Progress:
    """A rich progress bar on stderr, refreshed from the main loop (no threads: we fork)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=Console(stderr=True), transient=True,
            auto_refresh=False,
        )
        self.task = self.progress.add_task("checking", total=total)
        self.progress.start()
        self.shown = 0.0

    def advance(self) -> None:
        self.progress.advance(self.task)
        now = time.monotonic()
        if now - self.shown > 0.1:
            self.shown = now
            self.progress.refresh()

    def close(self) -> None:
        self.progress.stop()


def process_context() -> Any:
    # fork: workers start in milliseconds and inherit the parent's modules; the
    # parent runs no threads (the progress bar refreshes from the main loop).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def lint_files(
    candidates: Sequence[Candidate],
    config: Config,
    jobs: int | None = None,
    *,
    cache: Cache | None = None,
    progress: bool | None = None,
    stats: RunStats | None = None,
    checked: dict[str, str] | None = None,
) -> list[FileResult]:
    """Results in the order of `candidates`; misses computed in up to `jobs` processes.

    `progress=None` shows a bar on stderr only when it is a terminal and the run is long.
    `checked`, if given, receives the digest of the bytes each file was checked as
    (so that `--fix` can refuse a file that changed since).
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    stats = stats if stats is not None else RunStats()
    stats.files = len(candidates)
    if progress is None:
        progress = len(candidates) >= _PROGRESS_THRESHOLD and sys.stderr.isatty()
    bar = _Progress(len(candidates)) if progress else None
    results: list[FileResult | None] = [None] * len(candidates)
    timeout = config.limits.timeout
    context = process_context()
    workers: list[_Worker] = []
    feed = iter(enumerate(candidates))
    again: list[_Task] = []  # files that waited behind one that killed their worker
    remaining = len(candidates)
    root = Path(config.root)

    # Files left per directory: a directory's cache pack is written once they are done.
    left_in = Counter(Cache.directory_of(c.relpath) for c in candidates) if cache else Counter()

    def finish(index: int, result: FileResult) -> None:
        nonlocal remaining
        results[index] = result
        remaining -= 1
        if bar is not None:
            bar.advance()
        if cache is not None:
            directory = Cache.directory_of(candidates[index].relpath)
            left_in[directory] -= 1
            if not left_in[directory]:
                cache.flush([directory])

    def retire(worker: _Worker) -> None:
        """Kill the worker; whatever waited behind its current file is checked elsewhere."""
        worker.kill()
        workers.remove(worker)
        again.extend(worker.tasks[1:])
        del worker.tasks[1:]

    def taker(task: _Task) -> _Worker | None:
        """A worker for `task`: an idle one, else a new one, else one with room."""
        idle = next((w for w in workers if not w.tasks), None)
        if idle is not None:
            return idle
        if len(workers) < jobs:
            worker = _Worker.start(context, config, workers)
            workers.append(worker)
            return worker
        return next((w for w in workers if w.can_take(task)), None)

    def next_task() -> _Task | None:
        """The next file to check: a cache miss, read; hits are resolved on the way."""
        if again:
            return again.pop(0)
        for index, candidate in feed:
            if candidate.error is not None:  # found but not readable (a directory)
                finish(index, failure(candidate.relpath, candidate.error, config))
                continue
            try:
                data = _read_at_most(Path(candidate.path), config.limits.max_file_bytes)
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                finish(index, failure(candidate.relpath, f"Cannot read file: {reason}", config))
                continue
            if checked is not None:
                checked[candidate.relpath] = content_digest(data)
            if len(data) > config.limits.max_file_bytes:
                size = _size_of(Path(candidate.path), len(data))
                refusal = check_size(size, config.limits.max_file_bytes)
                assert refusal is not None
                finish(index, failure(candidate.relpath, refusal.message, config))
                continue
            package = package_name(root, candidate.relpath)
            key = cache.key(candidate.relpath, package, data) if cache is not None else None
            if cache is not None and key is not None:
                hit = cache.get(key, candidate.relpath)
                if hit is not None:
                    stats.cached += 1
                    finish(index, hit)
                    continue
            stats.checked += 1
            return _Task(index, candidate.relpath, key, package, data)
        return None

    pending: _Task | None = None  # read, but every worker is full
    try:
        while remaining:
            # Hand out work while some worker can take it; hits are resolved on the way.
            while True:
                task = pending or next_task()
                pending = None
                if task is None:
                    break
                placed = full = False
                for _attempt in range(2):  # an idle worker may have died; one fresh one will do
                    worker = taker(task)
                    if worker is None:
                        full = True
                        break
                    if worker.assign(task, timeout):
                        placed = True
                        break
                    if worker.tasks:  # it died while checking: the wait below reports that
                        full = True
                        break
                    retire(worker)
                if placed:
                    continue
                if full:
                    pending = task  # no worker can take it now: wait for one
                    break
                stats.crashed.append(task.relpath)
                finish(task.index, failure(
                    task.relpath, "testgrade could not start a worker process", config))
            busy = [w for w in workers if w.tasks]
            if not busy:
                if remaining and pending is None and not again:  # nothing running, nothing to start
                    raise RuntimeError(f"testgrade lost track of {remaining} file(s)")
                continue
            now = time.monotonic()
            deadline = min(w.tasks[0].deadline for w in busy)
            delay = None if deadline == math.inf else max(0.0, deadline - now)
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], delay))
            now = time.monotonic()
            for worker in busy:
                current = worker.tasks[0]
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        answered = False
                        while worker.conn.poll():  # every message already there
                            message = worker.conn.recv()
                            if message == _READY:
                                worker.ready = True
                                worker.tasks[0].deadline = now + timeout
                                continue
                            index, result, cacheable = message
                            done = worker.answered(now, timeout)
                            if cache is not None and done.key is not None and cacheable:
                                cache.put(done.key, result)
                            finish(index, result)
                            answered = True
                            if not worker.tasks:
                                break
                        if answered or worker.process.sentinel not in ready:
                            continue
                    except Exception:  # noqa: BLE001 - a message cut short by the worker's death
                        pass
                    if not worker.tasks:
                        continue
                    current = worker.tasks[0]
                    worker.process.join(timeout=1)
                    code = worker.process.exitcode
                    retire(worker)
                    stats.crashed.append(current.relpath)
                    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                    if code == -signal.SIGABRT:  # what libcst's native parser does out of memory
                        how += f"; most likely out of memory, above limits.memory-mb ({config.limits.memory_mb:,})"
                    finish(current.index, failure(
                        current.relpath,
                        f"testgrade's worker process died while checking this file ({how})",
                        config,
                    ))
                elif now >= current.deadline:
                    retire(worker)
                    stats.timed_out.append(current.relpath)
                    finish(current.index, failure(
                        current.relpath,
                        f"Checking this file took longer than {timeout:g} s (limits.timeout); skipped",
                        config,
                    ))
    finally:
        for worker in list(workers):
            if not worker.tasks:
                worker.stop()
            else:
                worker.kill()
        if bar is not None:
            bar.close()
        if cache is not None:
            cache.flush()  # what is left: directories a crash or Ctrl-C cut short
    return [r for r in results if r is not None]
