"""Discovery: which files to check.

Directories are walked with `include` / `exclude` from the configuration and
every `.gitignore` on the way honoured (also outside a git checkout). Symbolic
links are followed only when they stay inside the project root, and never
twice into the same directory. Files named on the command line (as pre-commit
passes them) are checked only if `include` and `exclude` let them be, exactly
as if they had been found by a walk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pathspec

from testgrade.config import Config

# Never worth walking into, whatever the configuration says.
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox",
        "node_modules", "site-packages", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".testgrade_cache", ".eggs",
    }
)


class DiscoveryError(Exception):
    """A path the user named does not exist or cannot be read."""


@dataclass(frozen=True)
class Candidate:
    path: Path  # as given or found; readable by the engine
    relpath: str  # POSIX, relative to the project root


def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


class _GitIgnores:
    """The .gitignore files in force along a walk, each relative to its own directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs: dict[Path, pathspec.PathSpec | None] = {}

    def _load(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self.specs:
            spec = None
            try:
                lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
                spec = pathspec.GitIgnoreSpec.from_lines(lines.splitlines())
            except (OSError, ValueError):
                spec = None  # no .gitignore, or one pathspec cannot read: ignore nothing
            self.specs[directory] = spec
        return self.specs[directory]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        try:
            inside = path.relative_to(self.root)
        except ValueError:
            return False  # outside the project: no .gitignore of ours applies
        decision = False
        for parent in reversed(inside.parents):  # outermost first; deeper files win
            directory = self.root / parent
            spec = self._load(directory)
            if spec is None:
                continue
            relative = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                decision = result.include
        return decision


def discover(paths: list[Path], config: Config) -> list[Candidate]:
    """Every Python file to check under `paths`, sorted by relative path."""
    root = config.root.resolve()
    include = None if "." in config.include else _spec(config.include)
    exclude = _spec(config.exclude)
    gitignores = _GitIgnores(root)
    found: dict[str, Candidate] = {}
    visited: set[Path] = set()

    def excluded(relpath: str, is_dir: bool) -> bool:
        return exclude is not None and exclude.match_file(relpath + ("/" if is_dir else ""))

    def inside_root(path: Path) -> bool:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            return False
        return real == root or root in real.parents

    def walk(directory: Path) -> None:
        real = directory.resolve()
        if real in visited:
            return
        visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return  # unreadable directory: nothing we can check in it
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows symlinks; False for broken ones
                is_file = entry.is_file()
            except OSError:
                continue
            if entry.is_symlink() and not inside_root(path):
                continue
            relpath = _relative(path, root)
            if is_dir:
                if entry.name in SKIPPED_DIRECTORIES or excluded(relpath, True):
                    continue
                if gitignores.ignored(path, True):
                    continue
                walk(path)
            elif is_file and entry.name.endswith(".py"):
                if excluded(relpath, False) or gitignores.ignored(path, False):
                    continue
                if include is not None and not include.match_file(relpath):
                    continue
                found.setdefault(relpath, Candidate(path, relpath))

    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise DiscoveryError(f"{given}: no such file or directory")
        absolute = given.absolute()
        if given.is_dir():
            walk(absolute)
        elif given.is_file():
            relpath = _relative(absolute, root)
            # As in a walk: pre-commit names files one by one, and must check what
            # `testgrade check` checks, no more.
            if not given.name.endswith(".py") or excluded(relpath, False):
                continue
            if include is not None and not include.match_file(relpath):
                continue
            found.setdefault(relpath, Candidate(absolute, relpath))
        # a broken symlink or a special file named explicitly: nothing to read
    return [found[key] for key in sorted(found)]


@lru_cache(maxsize=4096)
def _is_package(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


def package_name(root: Path, relpath: str) -> str | None:
    """The dotted package a file is imported as, or None if that is not a valid name.

    Inside a chain of `__init__.py` packages the chain decides; a file in a
    plain directory is named by its path from the project root (rootdir-style).
    """
    parts = list(Path(relpath).parts[:-1])
    if ".." in parts:
        return None
    directory = root.joinpath(*parts)
    if _is_package(directory):
        depth = 0
        while depth < len(parts) and _is_package(directory):
            depth += 1
            directory = directory.parent
        parts = parts[len(parts) - depth:]
    if not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)
