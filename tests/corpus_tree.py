"""Small generated trees for the cache, parallel and shard tests (never the big corpora)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fixtures.corpus import generate  # noqa: E402

_MASTER: dict[str, Path] = {}


def tiny_tree(tmp_path: Path, tmp_path_factory) -> Path:
    """A fresh copy of the tiny corpus (generated once per session), cache-free."""
    if "tiny" not in _MASTER:
        master = tmp_path_factory.mktemp("corpus") / "tiny"
        generate("tiny", master)
        _MASTER["tiny"] = master
    tree = tmp_path / "tree"
    shutil.copytree(_MASTER["tiny"], tree)
    return tree


def findings_of(output: str) -> tuple[list, dict]:
    document = json.loads(output)
    return document["findings"], document["summary"]
