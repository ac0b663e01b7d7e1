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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from testgrade.catalogue import load_catalogue
from testgrade.config import Config
from testgrade.ftypes import FileResult, Finding
from testgrade.records import finding_from_dict, load_json_input, result_from_dict

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


def shard_record(shard: tuple[int, int], config: Config) -> dict[str, Any]:
    """What a shard's JSON records so that `merge` can tell the shards make one run:
    which shard of how many, and a fingerprint of every setting that changes findings."""
    k, n = shard
    settings = repr((config.fingerprint(), config.select, config.ignore))
    return {
        "index": k,
        "count": n,
        "config": hashlib.sha256(settings.encode("utf-8", "surrogateescape")).hexdigest()[:16],
    }


@dataclass(frozen=True)
class Shard:
    path: Path
    version: str
    index: int
    count: int
    config: str
    results: list[FileResult]
    root: Path | None = None  # the project root it was checked in, as its JSON names it


def read_shard(path: Path) -> Shard:
    """One shard's JSON: its version, shard record and FileResults."""
    try:
        document = load_json_input(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ShardError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    except (ValueError, UnicodeError) as exc:  # also an integer of thousands of digits
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
    known = load_catalogue()
    by_path: dict[str, list[Finding]] = defaultdict(list)
    try:
        for record in document["findings"]:
            finding = finding_from_dict(record)
            if finding.rule not in known:
                raise ValueError(f"unknown rule {finding.rule!r} (see `testgrade rules`)")
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
        stray = min(by_path)
        raise ShardError(f"{path}: findings for {stray!r}, which is not among its files")
    record = document.get("shard")
    if not isinstance(record, dict):
        raise ShardError(
            f"{path}: no shard record; merge the outputs of `check --shard K/N --format json`"
        )
    index, count, config = record.get("index"), record.get("count"), record.get("config")
    if not isinstance(index, int) or not isinstance(count, int) or not (
        _is_int(index) and _is_int(count) and 1 <= index <= count <= _MAX_SHARDS
    ):
        raise ShardError(f"{path}: the shard index and count must satisfy 1 <= K <= N")
    if not isinstance(config, str):
        raise ShardError(f"{path}: the shard record has no configuration fingerprint")
    root = document.get("root")
    return Shard(
        Path(path), version, index, count, config, results,
        Path(root) if isinstance(root, str) else None,
    )


_MAX_SHARDS = 100_000


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def merge_shards(paths: Sequence[Path]) -> tuple[list[FileResult], Path | None]:
    """Every shard's results as one run's, sorted by path, each file at most once, and
    the project root the first shard names (so merged paths show as an unsharded run's).

    The shards must be all N of one `--shard K/N` run: same N, each K once, the
    same configuration and testgrade version; else ShardError says what differs.
    """
    if not paths:
        raise ShardError("merge needs at least one shard JSON file")
    shards = [read_shard(path) for path in paths]
    first = shards[0]
    for shard in shards[1:]:
        if shard.version != first.version:
            raise ShardError(
                "shards come from different testgrade versions: "
                f"{first.version} ({first.path}), {shard.version} ({shard.path})"
            )
        if shard.count != first.count:
            raise ShardError(
                f"shards of different --shard counts: {first.path} is 1 of {first.count}, "
                f"{shard.path} 1 of {shard.count}"
            )
        if shard.config != first.config:
            raise ShardError(
                f"shards run with different configurations: {first.path} and {shard.path}"
            )
    by_index: dict[int, Path] = {}
    for shard in shards:
        if shard.index in by_index:
            raise ShardError(
                f"shard {shard.index} of {shard.count} is in both {by_index[shard.index]} and "
                f"{shard.path}; were they run with the same --shard?"
            )
        by_index[shard.index] = shard.path
    missing = [k for k in range(1, first.count + 1) if k not in by_index]
    if missing:
        shown = ", ".join(str(k) for k in missing[:10]) + (", ..." if len(missing) > 10 else "")
        noun = "shard" if len(missing) == 1 else "shards"
        verb = "is" if len(missing) == 1 else "are"
        raise ShardError(f"{noun} {shown} of {first.count} {verb} missing; merge needs all of them")
    seen: dict[str, Path] = {}
    merged: list[FileResult] = []
    for shard in shards:
        for result in shard.results:
            if result.path in seen:
                raise ShardError(
                    f"{result.path!r} is in both {seen[result.path]} and {shard.path}; "
                    "were they run with the same --shard?"
                )
            seen[result.path] = shard.path
            merged.append(result)
    return sorted(merged, key=lambda r: r.path), first.root
