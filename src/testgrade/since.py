"""`check --since REF`: the Python files a branch changed, for pull-request gates.

Changed means changed since the branch left REF (their merge base, as a pull
request's diff counts it), whether committed, staged, unstaged or not yet
tracked. Deleted files are not listed: there is nothing left to check. Git is
asked through its command line; nothing here writes to the repository.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class SinceError(Exception):
    """Not a git checkout, an unknown ref, or git missing; the message is one line."""


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True, check=False, stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise SinceError("--since needs git, and no `git` command was found") from None


def _paths(output: bytes) -> list[str]:
    """NUL-separated names as git prints them with -z; undecodable bytes kept as
    the file system keeps them."""
    return [os.fsdecode(name) for name in output.split(b"\0") if name]


def changed_python_files(directory: Path, ref: str) -> list[Path]:
    """Absolute paths of the `*.py` files changed since `ref` in the checkout holding
    `directory`, sorted."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise SinceError(f"--since needs a git checkout, and {directory} is not in one")
    toplevel = Path(os.fsdecode(top.stdout.rstrip(b"\n")))
    if ref.startswith("-") or _git(toplevel, "rev-parse", "--verify", "--quiet",
                                   f"{ref}^{{commit}}").returncode != 0:
        raise SinceError(f"--since {ref}: no such commit, branch or tag in {toplevel}")
    base = _git(toplevel, "merge-base", ref, "HEAD")
    if base.returncode != 0:
        raise SinceError(f"--since {ref}: it shares no history with HEAD")
    since = base.stdout.decode("ascii").strip()
    # against the working tree: commits since the merge base, staged and unstaged edits
    diff = _git(toplevel, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d",
                since, "--", "*.py")
    untracked = _git(toplevel, "ls-files", "-z", "--others", "--exclude-standard", "--", "*.py")
    for answer in (diff, untracked):
        if answer.returncode != 0:
            message = answer.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SinceError(f"--since {ref}: git failed: {message[0] if message else '?'}")
    names = sorted(set(_paths(diff.stdout)) | set(_paths(untracked.stdout)))
    return [toplevel / name for name in names]
