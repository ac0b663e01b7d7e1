"""Running the engine over many files: reading, worker processes, deterministic order."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from testgrade.config import Config
from testgrade.discovery import Candidate, package_name
from testgrade.engine import RuleSelection, file_error, lint_source
from testgrade.ftypes import FileResult

# Below this many files a process pool costs more than it saves.
_POOL_THRESHOLD = 16


def lint_path(candidate: Candidate, config: Config, selection: RuleSelection) -> FileResult:
    """Read and check one file; unreadable files become a TG000 finding."""
    try:
        data = Path(candidate.path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return file_error(candidate.relpath, f"Cannot read file: {reason}")
    return lint_source(
        data,
        candidate.relpath,
        config,
        package=package_name(config.root, candidate.relpath),
        selection=selection,
    )


_worker_state: tuple[Config, RuleSelection] | None = None


def _init_worker(config: Config) -> None:
    global _worker_state
    _worker_state = (config, RuleSelection(config))


def _lint_in_worker(candidate: Candidate) -> FileResult:
    assert _worker_state is not None
    config, selection = _worker_state
    return lint_path(candidate, config, selection)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def lint_files(
    candidates: Sequence[Candidate], config: Config, jobs: int | None = None
) -> Iterator[FileResult]:
    """Results in the order of `candidates`, computed in `jobs` processes."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(candidates) < _POOL_THRESHOLD:
        selection = RuleSelection(config)
        for candidate in candidates:
            yield lint_path(candidate, config, selection)
        return
    chunk = max(1, min(32, len(candidates) // (jobs * 8)))
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(config,)) as pool:
        yield from pool.map(_lint_in_worker, candidates, chunksize=chunk)
