"""Scaling past one machine: `--shard K/N` and `testgrade merge`.

A shard is chosen by a stable hash of each file's relative path, so a file
stays in the same shard when others are added or removed, and every machine
agrees without talking to the others. `merge` reads the JSON of every shard
(`check --format json`, whose `files` key carries each file's facts) and
rebuilds the FileResults of the whole tree, in the order an unsharded run
reports them, so any report renders exactly as it would have unsharded.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from testgrade.ftypes import FileResult, Finding
from testgrade.records import finding_from_dict, result_from_dict

T = TypeVar("T")


class ShardError(Exception):
    """A malformed --shard value or shard file; the message says which and why."""


def parse_shard(value: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N) as a pair of ints."""
    try:
        k_text, n_text = value.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise ShardError(f"--shard expects K/N such as 1/4, not {value!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise ShardError(f"--shard {value}: K must be between 1 and N")
    return k, n


def shard_of(relpath: str, count: int) -> int:
    """The 1-based shard a file belongs to out of `count`."""
    digest = hashlib.sha256(relpath.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(items: Sequence[T], shard: tuple[int, int], relpath_of=lambda c: c.relpath) -> list[T]:
    k, n = shard
    return [item for item in items if shard_of(relpath_of(item), n) == k]


def read_shard(path: Path) -> tuple[str, list[FileResult]]:
    """The testgrade version and the FileResults recorded in one shard's JSON."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ShardError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    except (ValueError, UnicodeError) as exc:
        raise ShardError(f"{path}: not JSON: {exc}") from None
    except RecursionError:  # hostile nesting: json gives up before it ends
        raise ShardError(f"{path}: not a testgrade JSON result (nested too deeply)") from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise ShardError(
            f"{path}: not the output of `testgrade check --format json` (no `files` list)"
        )
    version = document.get("version")
    if not isinstance(document.get("findings"), list) or not isinstance(version, str):
        raise ShardError(f"{path}: no `version` and `findings` in the JSON")
    by_path: dict[str, list[Finding]] = defaultdict(list)
    try:
        for record in document["findings"]:
            finding = finding_from_dict(record)
            by_path[finding.path].append(finding)
        results = [
            result_from_dict(facts, sorted(by_path.pop(str(facts.get("path")), [])))
            for facts in document["files"]
            if isinstance(facts, dict)
        ]
    except ValueError as exc:
        raise ShardError(f"{path}: {exc}") from None
    if len(results) != len(document["files"]):
        raise ShardError(f"{path}: every entry of `files` must be an object")
    if by_path:
        stray = sorted(by_path)[0]
        raise ShardError(f"{path}: findings for {stray!r}, which is not among its files")
    return version, results


def merge_shards(paths: Sequence[Path]) -> list[FileResult]:
    """Every shard's results as one run's: sorted by path, each file at most once."""
    if not paths:
        raise ShardError("merge needs at least one shard JSON file")
    seen: dict[str, Path] = {}
    versions: dict[str, Path] = {}
    merged: list[FileResult] = []
    for path in paths:
        version, results = read_shard(path)
        versions.setdefault(version, path)
        for result in results:
            if result.path in seen:
                raise ShardError(
                    f"{result.path!r} is in both {seen[result.path]} and {path}; "
                    "were they run with the same --shard?"
                )
            seen[result.path] = path
            merged.append(result)
    if len(versions) > 1:
        raise ShardError(
            "shards come from different testgrade versions: "
            + ", ".join(f"{v} ({p})" for v, p in sorted(versions.items()))
        )
    return sorted(merged, key=lambda r: r.path)
