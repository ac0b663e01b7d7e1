"""A content-hash cache of FileResults in `.testgrade_cache/` under the project root.

One entry per checked file, at `.testgrade_cache/v1/<2 hex>/<62 hex>`, named by
the SHA-256 of everything that can change the result: the file's bytes, its
relative path and package, the effective configuration (settings fingerprint
plus the rule selection), the testgrade version and code, and the libcst version. An
entry is therefore never stale, only unused; nothing needs invalidating. The one
result that depends on other files, TG203's (imports resolved by reading other
modules), carries the stamps of the paths it looked at: an entry whose stamps no
longer hold is a miss.

The cache may only change speed, never findings: an entry that is missing,
truncated, corrupt, unreadable or being written by another run is a miss; a
write that fails costs speed only and is reported once on stderr. Writes are
atomic (temporary file and rename), so concurrent runs never see half an entry.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

from testgrade import __version__
from testgrade.config import Config
from testgrade.fileio import atomic_write
from testgrade.ftypes import FileResult
from testgrade.records import decode_result, encode_result
from testgrade.resolution import stamps_hold

CACHE_DIRECTORY = ".testgrade_cache"
LAYOUT = "v1"
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


def _code_fingerprint() -> str:
    """Name, size and mtime of testgrade's own modules and rule files.

    The version alone is not enough during development: an edited rule with
    the same version number must not be answered from the cache. Stat calls
    only, so the pre-commit path stays cheap.
    """
    package = Path(__file__).resolve().parent
    entries = []
    for pattern in ("**/*.py", "catalogue/*.toml"):
        for path in sorted(package.glob(pattern)):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    try:
        from testgrade.catalogue import catalogue_dir

        rules = catalogue_dir()
        if rules.parent != package:  # a checkout: the rules live beside src/
            for path in sorted(rules.glob("*.toml")):
                stat = path.stat()
                entries.append(f"rules/{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    except Exception:  # noqa: BLE001 - a missing catalogue is reported elsewhere
        pass
    return "\n".join(entries)


def config_salt(config: Config) -> bytes:
    """Everything outside the file that can change its result."""
    parts = (
        __version__,
        _code_fingerprint(),
        _libcst_version(),
        config.fingerprint(),
        repr((tuple(config.select), tuple(config.ignore))),
    )
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).digest()


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
        self.entries = self.root / LAYOUT
        self.salt = config_salt(config)
        self.writable = True
        self.hits = 0
        self.misses = 0

    def key(self, relpath: str, package: str | None, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(relpath.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update((package if package is not None else "\x01").encode("utf-8") + b"\x00")
        digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.entries / key[:2] / key[2:]

    def get(self, key: str, relpath: str) -> FileResult | None:
        try:
            raw = self._path(key).read_bytes()
            record = json.loads(raw)
            if not isinstance(record, dict) or record.get("key") != key:
                raise ValueError("entry for another key")
            result = decode_result(record["result"])
            if result.path != relpath:
                raise ValueError("entry for another file")
            depends = _depends(record.get("depends", []))
            if not stamps_hold(self.project, depends, self.stamps):
                raise ValueError("a file the result depends on has changed")
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if not self.writable:
            return
        record: dict[str, object] = {"key": key, "result": encode_result(result)}
        if result.depends:
            record["depends"] = [list(pair) for pair in result.depends]
        data = json.dumps(record, separators=(",", ":")).encode("ascii")
        path = self._path(key)
        try:
            if not self.root.is_dir():
                self.root.mkdir(parents=True, exist_ok=True)
                atomic_write(self.root / "CACHEDIR.TAG", _TAG)
                atomic_write(self.root / ".gitignore", b"# Created by testgrade\n*\n")
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as exc:
            self.writable = False
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            print(
                f"testgrade: warning: cannot write the cache in {self.root} ({reason}); "
                "results are correct, later runs will not be faster",
                file=sys.stderr,
            )
