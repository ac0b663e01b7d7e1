"""A content-hash cache of FileResults in `.testgrade_cache/` under the project root.

Entries are packed by directory: the results for the files of one directory
sit in one pack, `.testgrade_cache/v3/<salt>/<hash of the directory>.json`,
keyed inside by entry key; a directory of more than 64 modules is split into
a power-of-two number of packs by file name, so that a pre-commit run checking
one file of a flat 700-file directory reads and rewrites ~44 entries, not a
4.8 MB pack of 700. One file per directory, not per checked file: writing 858
entry files took 0.64 s on this machine, and made a cold run of 858 files 12-24%
slower than `--no-cache` (how each was measured is in docs/benchmarks.md). The salt is the SHA-256 of everything outside the
file that can change its result: testgrade's version and the content of its
code and rule catalogue, the Python, libcst and pathspec versions, the
effective configuration (settings plus rule selection) and, without
`source-roots`, whether `src/` exists (TG203 then looks for modules there). Never an install
location or a modification time: a fresh install of the same version, on
another machine or in another CI job, finds the entries a previous job left.
The entry key is the SHA-256 of the salt, the file's relative path, its
package and its bytes, so an entry is never stale, only unused, and several
versions of a file (two branches) can be cached side by side. The one result
that depends on other files, TG203's (imports resolved by reading other
modules), carries the stamps of the paths it looked at: an entry whose stamps
no longer hold is a miss.

The cache may only change speed, never findings: a pack or an entry that is
missing, truncated, corrupt, unreadable or another directory's is a miss; a
write that fails costs speed only and is reported once on stderr. A run reads
a directory's pack when it looks up the first file there, and writes it, if it
changed, once the directory's files are done: what is on disk at that moment
(another run may have written it meanwhile), plus its own entries. Writes go to a temporary file
renamed into place, so concurrent runs never see half a pack; they are not
fsynced (a pack lost to a power cut is a miss). Two runs that write the same
pack at the same moment can lose each other's new entries: misses, later.

So that the cache does not grow without bound, each entry records the day a
run last used it (a warm run rewrites a pack at most once a day for that), and
entries unused for more than `MAX_IDLE_DAYS` are left out when their pack is
rewritten.
At most once a day a run also deletes the packs no run wrote for that long,
whole salt directories of other testgrade or Python versions, and the older
layouts (`v1`, `v2`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pathspec

from testgrade import __version__
from testgrade.config import Config
from testgrade.fileio import atomic_write
from testgrade.ftypes import FileResult
from testgrade.records import decode_result, encode_result
from testgrade.resolution import stamps_hold

CACHE_DIRECTORY = ".testgrade_cache"
LAYOUT = "v3"
_OLD_LAYOUTS = ("v1", "v2")
MAX_IDLE_DAYS = 7
# Modules per pack, about: a run that checks one file reads and rewrites one pack.
_PACK_ENTRIES = 64
_DAY = 86_400.0
_PRUNED = "last-pruned"  # its mtime: when a run last pruned
_SALT_META = "salt.json"  # in each salt directory: the versions that wrote it
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# Created by testgrade; safe to delete.\n"


def _libcst_version() -> str:
    """libcst's version without importing libcst (the warm path never needs it)."""
    try:
        spec = importlib.util.find_spec("libcst")
        if spec is not None and spec.origin:
            return (Path(spec.origin).parent / "_version.py").read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:  # pragma: no cover - libcst is a dependency
        return "unknown"


def _python_version() -> str:
    # Syntax error messages and `ast` (positions) come from the interpreter.
    return f"{sys.implementation.name}-{'.'.join(map(str, sys.version_info[:3]))}"


def _code_fingerprint() -> str:
    """SHA-256 of testgrade's own modules and rule files, by relative name and content.

    The version alone is not enough during development: an edited rule with the
    same version number must not be answered from the cache. Content, not paths
    or modification times, so that every install of the same code agrees.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = [(p.relative_to(package).as_posix(), p) for p in package.glob("**/*.py")]
    try:
        from testgrade.catalogue import catalogue_dir

        files += [(f"catalogue/{p.name}", p) for p in catalogue_dir().glob("*.toml")]
    except Exception:  # noqa: BLE001, S110 - a missing catalogue is reported elsewhere
        pass
    # A wheel has the catalogue in the package, a checkout in rules/: the same names here.
    for name, path in sorted(files):
        try:
            digest.update(f"{name}\x00".encode() + path.read_bytes() + b"\x00")
        except OSError:
            digest.update(f"{name}\x00unreadable\x00".encode())
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """What wrote an entry, besides the configuration."""
    return {
        "testgrade": __version__,
        "python": _python_version(),
        "libcst": _libcst_version().strip(),
        "pathspec": getattr(pathspec, "__version__", "unknown"),
    }


def config_salt(config: Config) -> bytes:
    """Everything outside the file that can change its result."""
    parts = (
        *sorted(versions().items()),
        _code_fingerprint(),
        config.fingerprint(),
        repr((tuple(config.select), tuple(config.ignore))),
        # Without `source-roots`, TG203 looks for modules under `src/` only if it exists.
        config.source_roots is None and (Path(config.root) / "src").is_dir(),
    )
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()


def _depends(raw: object) -> list[tuple[str, str]]:
    """The (path, stamp) pairs an entry was computed from (TG203 reads other modules)."""
    if not isinstance(raw, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in raw
    ):
        raise ValueError("malformed depends")
    return [(path, stamp) for path, stamp in raw]


class Cache:
    """Lookups and stores by content key; every failure is a miss or a skipped write."""

    def __init__(self, config: Config, directory: Path | None = None) -> None:
        self.project = Path(config.root).resolve()
        self.stamps: dict[str, str] = {}  # per run: files do not change under a run
        self.root = Path(directory) if directory else Path(config.root) / CACHE_DIRECTORY
        self.salt = config_salt(config)
        self.entries = self.root / LAYOUT / self.salt.hex()[:32]
        self.writable = True
        self.hits = 0
        self.misses = 0
        self.now = time.time()
        self.today = int(self.now // _DAY)
        self._buckets: dict[str, int] = {}  # directory -> how many packs it is split into
        self._read: dict[str, dict[str, Any]] = {}  # pack -> its entries not yet used
        self._changes: dict[str, tuple[str, dict[str, Any]]] = {}  # pack -> (directory, entries)

    def key(self, relpath: str, package: str | None, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(relpath.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update((package if package is not None else "\x01").encode("utf-8") + b"\x00")
        digest.update(data)
        return digest.hexdigest()

    def pack_path(self, relpath: str) -> Path:
        """The pack that holds (or will hold) the entries for the file `relpath`."""
        return self.entries / f"{self._pack(relpath)[1]}.json"

    def _pack(self, relpath: str) -> tuple[str, str]:
        """(directory, pack name) for a file: its directory's pack, or in a directory of
        more than `_PACK_ENTRIES` modules one of a power-of-two number of packs, chosen by
        the file name, so a run that checks one file never reads or rewrites a big pack."""
        directory, _, name = relpath.rpartition("/")
        buckets = self._buckets.get(directory)
        if buckets is None:
            buckets = self._buckets[directory] = _buckets_for(self.project / directory)
        bucket = zlib.crc32(name.encode("utf-8", "surrogateescape")) % buckets
        label = f"{directory}\x00{buckets}\x00{bucket}".encode("utf-8", "surrogateescape")
        return directory, hashlib.sha256(label).hexdigest()[:32]

    def _load(self, directory: str, pack: str) -> dict[str, Any]:
        """The entries of a pack on disk; none if it is missing, unreadable, corrupt or
        another directory's (a hash collision, or a copied file)."""
        try:
            document = json.loads((self.entries / f"{pack}.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if type(document) is not dict or document.get("directory") != directory:
            return {}
        entries = document.get("entries")
        return entries if type(entries) is dict else {}

    def get(self, key: str, relpath: str) -> FileResult | None:
        directory, pack_name = self._pack(relpath)
        pack = self._read.get(pack_name)
        if pack is None:
            pack = self._read[pack_name] = self._load(directory, pack_name)
        entry = pack.pop(key, None)  # each key is asked once per run; free it
        try:
            if type(entry) is not dict:
                raise ValueError("no entry")
            result = decode_result(entry["result"])
            if result.path != relpath:
                raise ValueError("entry for another file")
            depends = _depends(entry.get("depends", []))
            if not stamps_hold(self.project, depends, self.stamps):
                raise ValueError("a file the result depends on has changed")
        except (ValueError, KeyError, TypeError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        if entry.get("used") != self.today:  # mark it used: its pack is rewritten, once a day
            self._changed(relpath)[key] = entry
        return result

    def put(self, key: str, result: FileResult) -> None:
        if not self.writable:
            return
        entry: dict[str, Any] = {"result": encode_result(result)}
        if result.depends:
            entry["depends"] = [list(pair) for pair in result.depends]
        self._changed(result.path)[key] = entry

    def _changed(self, relpath: str) -> dict[str, Any]:
        directory, pack_name = self._pack(relpath)
        return self._changes.setdefault(pack_name, (directory, {}))[1]

    @staticmethod
    def directory_of(relpath: str) -> str:
        """The directory whose packs hold the entry for `relpath` (as `_pack` splits it)."""
        return relpath.rpartition("/")[0]

    def flush(self, directories: Iterable[str] | None = None) -> None:
        """Write the packs this run changed (of `directories` only, if given): each as it
        is on disk now, plus this run's entries, minus entries no run used for
        `MAX_IDLE_DAYS`. The runner flushes a directory once its files are done, so the
        writes overlap the checking of the next ones, and the rest at the end."""
        if directories is None:
            changes, self._changes = self._changes, {}
        else:
            wanted = set(directories)
            changes = {
                name: self._changes.pop(name)
                for name, (directory, _) in list(self._changes.items()) if directory in wanted
            }
        oldest = self.today - MAX_IDLE_DAYS
        for pack_name, (directory, entries) in changes.items():
            if not self.writable:
                return
            kept = {
                key: entry for key, entry in self._load(directory, pack_name).items()
                if type(entry) is dict and type(entry.get("used")) is int and entry["used"] >= oldest
            }
            for entry in entries.values():
                entry["used"] = self.today
            kept.update(entries)
            document = {"directory": directory, "entries": kept}
            data = json.dumps(document, separators=(",", ":")).encode("ascii")
            self._write(self.entries / f"{pack_name}.json", data)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            try:
                write_entry(path, data)
            except FileNotFoundError:  # the first pack of a new cache
                self._create()
                write_entry(path, data)
        except OSError as exc:
            self.writable = False
            from testgrade.output import printable  # a directory name may hold escapes

            reason = getattr(exc, "strerror", None) or type(exc).__name__
            print(
                f"testgrade: warning: cannot write the cache in {printable(str(self.root))} "
                f"({reason}); "
                "results are correct, later runs will not be faster",
                file=sys.stderr,
            )

    def _create(self) -> None:
        if not self.root.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(self.root / "CACHEDIR.TAG", _TAG)
            atomic_write(self.root / ".gitignore", b"# Created by testgrade\n*\n")
        if not self.entries.is_dir():
            self.entries.mkdir(parents=True, exist_ok=True)
            meta = json.dumps(versions(), sort_keys=True).encode("utf-8")
            atomic_write(self.entries / _SALT_META, meta)

    def prune(self, *, force: bool = False) -> int:
        """Delete what no recent run used (at most once a day unless forced): packs no run
        wrote for `MAX_IDLE_DAYS`, other versions' salt directories and older layouts.
        Returns how many packs were deleted."""
        if not self.writable or not self.root.is_dir():
            return 0
        marker = self.root / _PRUNED
        try:
            # A mark more than a day in the future is a skewed clock's: it does not count.
            if not force and -_DAY < self.now - marker.stat().st_mtime < _DAY:
                return 0
        except OSError:
            pass
        removed = 0
        current = versions()
        with contextlib.suppress(OSError):
            marker.touch()
        for old in _OLD_LAYOUTS:  # keyed by install paths (v1), one file per entry (v2)
            with contextlib.suppress(OSError):
                shutil.rmtree(self.root / old)
        layout = self.root / LAYOUT
        try:  # a symbolic link here is not ours to follow: what it points to is not the cache
            salts = [p for p in layout.iterdir() if p.is_dir() and not p.is_symlink()]
        except OSError:
            return removed
        for salt in salts:
            if salt != self.entries and _written_by_other_versions(salt, current):
                with contextlib.suppress(OSError):
                    removed += sum(1 for p in salt.glob("*.json") if p.name != _SALT_META)
                    shutil.rmtree(salt)
                continue
            removed += _remove_idle(salt, self.now - MAX_IDLE_DAYS * _DAY)
            if salt != self.entries:  # another configuration's: gone once its packs are
                with contextlib.suppress(OSError):
                    if {p.name for p in salt.iterdir()} <= {_SALT_META}:
                        shutil.rmtree(salt)
        return removed


def _buckets_for(directory: Path) -> int:
    """How many packs a directory's entries are split into: the least power of two that
    keeps them at about `_PACK_ENTRIES` modules each (from the directory's listing, so
    every run agrees, whichever files it checks)."""
    try:
        with os.scandir(directory) as entries:
            modules = sum(  # not an editor's `.#name.py` lock, not a directory
                1 for entry in entries
                if entry.name.endswith(".py") and not entry.name.startswith(".")
                and entry.is_file(follow_symlinks=False)
            )
    except OSError:
        modules = 0
    buckets = 1
    while buckets * _PACK_ENTRIES < modules:
        buckets *= 2
    return buckets


def write_entry(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` and rename it into place: readers see the
    whole pack or none. No fsync: a lost pack is only misses."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _written_by_other_versions(salt: Path, current: dict[str, str]) -> bool:
    try:
        meta = json.loads((salt / _SALT_META).read_bytes())
    except (OSError, ValueError, RecursionError):
        return False  # unknown: age decides
    return not isinstance(meta, dict) or any(
        meta.get(name) != current[name] for name in ("testgrade", "python", "libcst", "pathspec")
    )


def _remove_idle(salt: Path, cutoff: float) -> int:
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(salt):
            if entry.name == _SALT_META or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
    return removed
