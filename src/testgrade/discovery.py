"""Discovery: which files to check.

Directories are walked with `include` / `exclude` from the configuration and
every `.gitignore` on the way honoured (also outside a git checkout). Symbolic
links are followed only when they stay inside the project root, and never
twice into the same directory. Files named on the command line (as pre-commit
passes them) are checked only if `include` and `exclude` let them be, exactly
as if they had been found by a walk.
"""

from __future__ import annotations

import errno
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
    # Why this path could not be looked into (an unreadable directory): a TG000.
    error: str | None = None


def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


class _GitIgnores:
    """The .gitignore files in force along a walk, each relative to its own directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.chains: dict[str, list[tuple[int, pathspec.PathSpec]]] = {}

    def _load(self, directory: Path) -> pathspec.PathSpec | None:
        try:
            lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
            return pathspec.GitIgnoreSpec.from_lines(lines.splitlines())
        except (OSError, ValueError):
            return None  # no .gitignore, or one pathspec cannot read: ignore nothing

    def chain(self, directory: str) -> list[tuple[int, pathspec.PathSpec]]:
        """The .gitignore files in force in `directory` (relative to the root, "" for the
        root itself), outermost first, each with the length of its directory's prefix
        in a relative path below it. Computed, and each .gitignore read, once per
        directory of a walk."""
        missing = []  # this directory and its ancestors not seen yet, deepest first
        at: str | None = directory
        while at is not None and at not in self.chains:
            missing.append(at)
            at = at.rpartition("/")[0] if at else None  # no recursion: any depth is legal
        chain = self.chains[at] if at is not None else []
        for name in reversed(missing):
            spec = self._load(self.root / name if name else self.root)
            if spec is not None:
                chain = [*chain, (len(name) + 1 if name else 0, spec)]
            self.chains[name] = chain
        return chain

    @staticmethod
    def ignored_in(chain: list[tuple[int, pathspec.PathSpec]], relpath: str, is_dir: bool) -> bool:
        """Whether `relpath` (relative to the root) is ignored by the files in `chain`:
        the deepest one that says anything wins."""
        decision = False
        suffix = "/" if is_dir else ""
        for prefix, spec in chain:
            result = spec.check_file(relpath[prefix:] + suffix)
            if result.include is not None:
                decision = result.include
        return decision


# A symlink loop or a file removed meanwhile: nothing there to check or report.
_NOTHING_TO_READ = frozenset({errno.ELOOP, errno.ENOENT, errno.ENOTDIR})


def _real(path: Path) -> Path | None:
    try:
        return Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError):  # broken link, loop, unreadable component
        return None


def discover(paths: list[Path], config: Config) -> list[Candidate]:
    """Every Python file to check under `paths`, sorted by relative path.

    A file is identified by its real path inside the project root: reached
    through a symbolic link (to a file or a directory) it is named as where it
    really is, and a file reached twice is listed once. A directory that cannot be
    listed is a Candidate with an `error`, so that the run reports it (TG000)
    instead of passing over what it holds in silence.
    """
    root = config.root.resolve()
    include = None if "." in config.include else _spec(config.include)
    exclude = _spec(config.exclude)
    gitignores = _GitIgnores(root)
    found: dict[str, Candidate] = {}
    visited: set[Path] = set()

    def excluded(relpath: str, is_dir: bool) -> bool:
        return exclude is not None and exclude.match_file(relpath + ("/" if is_dir else ""))

    def inside_root(real: Path | None) -> bool:
        return real is not None and (real == root or root in real.parents)

    def unreadable(path: Path, exc: OSError) -> None:
        relpath = _relative(path, root)
        reason = exc.strerror or type(exc).__name__
        found.setdefault(relpath, Candidate(path, relpath, f"Cannot read directory: {reason}"))

    def walk(top: Path) -> None:
        # An explicit stack, not recursion: a tree 1,000 directories deep is legal.
        # Each directory travels with its path relative to the root, so a child's is
        # one concatenation, and with the .gitignore files in force there.
        stack = [(top, _relative(top, root))]
        while stack:
            directory, base = stack.pop()
            if directory in visited:
                continue
            visited.add(directory)
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError as exc:
                unreadable(directory, exc)
                continue
            outside = base == ".." or base.startswith("../")
            if base == ".":
                base = ""
            chain = [] if outside else gitignores.chain(base)
            prefix = f"{base}/" if base else ""
            subdirectories = []
            for entry in entries:
                try:
                    is_dir = entry.is_dir()  # follows symlinks; False for broken ones
                    is_file = entry.is_file()
                    is_link = entry.is_symlink()
                except OSError as exc:
                    if exc.errno not in _NOTHING_TO_READ:
                        unreadable(Path(entry.path), exc)  # e.g. listed but not searchable
                    continue
                relpath = prefix + entry.name  # the name as walked, for the patterns
                if is_dir:
                    if entry.name in SKIPPED_DIRECTORIES or excluded(relpath, True):
                        continue
                    if chain and gitignores.ignored_in(chain, relpath, True):
                        continue
                    path = Path(entry.path)
                    real = _real(path) if is_link else path
                    if is_link and not inside_root(real):
                        continue
                    assert real is not None
                    subdirectories.append((real, relpath if not is_link else _relative(real, root)))
                elif is_file and entry.name.endswith(".py"):
                    if excluded(relpath, False) or (
                        chain and gitignores.ignored_in(chain, relpath, False)
                    ):
                        continue
                    if include is not None and not include.match_file(relpath):
                        continue
                    if is_link:
                        real = _real(Path(entry.path))
                        if real is None or not inside_root(real):
                            continue
                        add(real)
                    elif not outside:  # a directory named outside the root is not ours
                        found.setdefault(relpath, Candidate(Path(entry.path), relpath))
            stack.extend(reversed(subdirectories))

    def add(real: Path) -> None:
        relpath = _relative(real, root)
        found.setdefault(relpath, Candidate(real, relpath))

    for given in paths:
        try:
            present = given.exists() or given.is_symlink()
            is_dir, is_file = given.is_dir(), given.is_file()
        except OSError as exc:
            raise DiscoveryError(f"{given}: {exc.strerror or type(exc).__name__}") from None
        if not present:
            raise DiscoveryError(f"{given}: no such file or directory")
        if is_dir:
            real = _real(given)
            if real is None:
                raise DiscoveryError(f"{given}: cannot resolve the path")
            walk(real)  # resolved first: a path through a link relates to the root correctly
        elif is_file:
            real = _real(given)
            if real is not None and inside_root(real):
                named = real
            else:  # a link out of the root, named explicitly: known by where the link is
                named = Path(os.path.realpath(given.absolute().parent)) / given.name
            relpath = _relative(named, root)
            # As in a walk: pre-commit names files one by one, and must check what
            # `testgrade check` checks, no more.
            if not given.name.endswith(".py") or excluded(relpath, False):
                continue
            if include is not None and not include.match_file(relpath):
                continue
            found.setdefault(relpath, Candidate(named, relpath))
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
    return _package_of(root, relpath.rpartition("/")[0])


@lru_cache(maxsize=4096)
def _package_of(root: Path, directory: str) -> str | None:
    parts = list(Path(directory).parts) if directory else []
    if ".." in parts:
        return None
    folder = root.joinpath(*parts)
    if _is_package(folder):
        depth = 0
        while depth < len(parts) and _is_package(folder):
            depth += 1
            folder = folder.parent
        parts = parts[len(parts) - depth:]
    if not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)
