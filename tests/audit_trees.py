"""Small test trees for the audit tests, and the scoring formula written out again.

The formula here is deliberately independent of src/testgrade/scoring.py: it
reads only `testgrade check --format json` and what the generator knows about
each file it wrote, so a bug in the real model cannot hide in both places.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import REPO, Cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _catalogue_categories() -> dict[str, str]:
    """Each rule's category, read from the catalogue files (so a new rule just works)."""
    categories = {}
    for path in sorted((REPO / "rules").glob("TG*.toml")):
        categories[path.stem] = tomllib.loads(path.read_text(encoding="utf-8"))["category"]
    return categories


RULE_CATEGORY = _catalogue_categories()
# Report order and default weights as docs/scoring.md states them; a category a new
# rule brings in comes after these and weighs 1 until configured.
_DOCUMENTED_ORDER = ["real-services", "imports", "documentation", "size", "integrity"]
CATEGORY_ORDER = _DOCUMENTED_ORDER + sorted(set(RULE_CATEGORY.values()) - set(_DOCUMENTED_ORDER))
DEFAULT_WEIGHTS = {"real-services": 3, "imports": 2, "documentation": 2, "size": 1, "integrity": 1}

BVJ = '''"""
Business Value Justification (BVJ):
- Segment: Free
- Business Goal: Retention
- Value Impact: Orders stay correct
- Strategic Impact: Trust
"""
'''
PARTIAL_BVJ = '''"""
Business Value Justification (BVJ):
- Segment: Free
"""
'''
PYPROJECT = """[tool.testgrade]
[tool.testgrade.size]
warn = 30
max = 60
"""


def _module(rng: random.Random, tier: str, doc: str) -> str:
    parts = [doc]
    if rng.random() < 0.35:
        parts.append("from unittest.mock import patch\n")
    if rng.random() < 0.25:
        parts.append("from . import helpers\n")
    for n in range(rng.randint(0, 3)):
        parts.append(f"\n\ndef test_{tier}_{n}():\n    assert {n} == {n}\n")
    padding = rng.choice([0, 0, 0, 35, 70])
    parts.append("".join(f"# line {n}\n" for n in range(padding)))
    return "".join(parts)


def write_tree(root: Path, seed: int) -> dict[str, tuple[str, str]]:
    """A random small tree under `root`; returns {path: (role, kind)} for every file."""
    rng = random.Random(seed)
    (root / "pyproject.toml").write_text(PYPROJECT)
    files: dict[str, tuple[str, str]] = {}

    def put(relpath: str, text: str, role: str, kind: str) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        files[relpath] = (role, kind)

    for n in range(rng.randint(1, 9)):
        tier = rng.choice(["unit", "integration", "e2e"])
        doc = rng.choice([BVJ, BVJ, PARTIAL_BVJ, ""])
        text = _module(rng, tier, doc)
        put(f"tests/{tier}/test_m{n}.py", text, "test" if "def test_" in text else NO_TESTS, tier)
    if rng.random() < 0.5:
        put("tests/conftest.py", rng.choice(["import os\n", "from . import helpers\n"]),
            "conftest", "unit")
    if rng.random() < 0.5:
        put("tests/helpers.py", rng.choice([PARTIAL_BVJ, "VALUE = 1\n"]), "helper", "unit")
    if rng.random() < 0.3:
        # Unit tier only: a file that does not parse has no readable markers or kind.
        put("tests/unit/test_broken.py", "def (:\n", NO_TESTS, "unit")
    return files


# A test module that collects no tests leaves the real-services and documentation
# denominators (docs/scoring.md); the formula tells it apart by this role.
NO_TESTS = "test-without-tests"


def facts(entry: dict[str, Any]) -> tuple[str, str]:
    """(role, kind) of a file entry in check's or audit's JSON, for `applies`."""
    role = NO_TESTS if entry["role"] == "test" and entry["tests"] == 0 else entry["role"]
    return role, entry["kind"]


def applies(category: str, role: str, kind: str) -> bool:
    if category == "real-services":
        return kind in ("integration", "e2e") and role != NO_TESTS
    if category == "documentation":
        return role == "test"
    return True


def expected_scores(
    check: dict[str, Any],
    files: dict[str, tuple[str, str]],
    weights: dict[str, float] | None = None,
    categories: list[str] | None = None,
) -> tuple[dict[str, float | None], float | None]:
    """Category scores and the overall score, by the formula in docs/scoring.md."""
    weights = weights or DEFAULT_WEIGHTS
    checked = categories if categories is not None else CATEGORY_ORDER
    worst: dict[str, dict[str, str]] = defaultdict(dict)
    for finding in check["findings"]:
        category = RULE_CATEGORY[finding["rule"]]
        if category not in checked:
            continue
        if worst[finding["path"]].get(category) != "error":
            worst[finding["path"]][category] = finding["severity"]
    exact: dict[str, float | None] = {}
    for category in CATEGORY_ORDER:
        applicable = sum(1 for role, kind in files.values() if applies(category, role, kind))
        penalty = sum(
            1.0 if per_file[category] == "error" else 0.5
            for per_file in worst.values()
            if category in per_file
        )
        if category not in checked or (applicable == 0 and penalty == 0):
            exact[category] = None
        elif applicable == 0:
            exact[category] = 0.0
        else:
            exact[category] = 100.0 * max(0.0, 1.0 - penalty / applicable)
    weight = {c: weights.get(c, 1.0) for c in CATEGORY_ORDER}
    present = {c: s for c, s in exact.items() if s is not None and weight[c] > 0}
    total = sum(weight[c] for c in present)
    overall = sum(s * weight[c] for c, s in present.items()) / total if total else None
    rounded = {c: None if s is None else round(s, 1) for c, s in exact.items()}
    return rounded, None if overall is None else round(overall, 1)


def separate_stderr_cli() -> Cli:
    """conftest's Cli, with stderr kept apart from stdout on click 8.1 as on 8.2+."""
    cli = Cli()
    try:
        cli.runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 always keeps them apart
        pass
    return cli


# --- a three-service tree for areas, root causes and ranking ---------------------

SERVICES = ("auth_service", "billing_service", "search_service")
SERVICES_PYPROJECT = """[tool.testgrade]
integration-paths = ["**/integration/**", "**/e2e/**"]

[tool.testgrade.size]
warn = 40
max = 80

[tool.testgrade.deprecated-imports]
"shared.logging.old_factory" = "shared.logging.ssot"
"billing.legacy_client" = "billing.client"
"""


def write_services_tree(root: Path, seed: int) -> None:
    """Three services with different troubles, from a seed: mocks concentrated in some
    services, two deprecated modules imported here and there, an oversized family
    (`_batchN`), modules that collect no tests, a merge-conflict marker."""
    rng = random.Random(seed)
    (root / "pyproject.toml").write_text(SERVICES_PYPROJECT)

    def put(relpath: str, text: str) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    mock_rate = dict(zip(SERVICES, rng.sample([0.7, 0.4, 0.05], 3)))
    for service in SERVICES:
        put(f"{service}/__init__.py", "")
        put(f"{service}/tests/__init__.py", "")
        for n in range(rng.randint(3, 6)):
            tier = rng.choice(["unit", "unit", "integration", "integration", "e2e"])
            parts = [rng.choice([BVJ, BVJ, BVJ, PARTIAL_BVJ, ""])]
            if tier != "unit" and rng.random() < mock_rate[service]:
                parts.append("from unittest.mock import patch\n")
            if rng.random() < 0.3:
                parts.append(rng.choice(["from shared.logging.old_factory import get\n",
                                         "import billing.legacy_client as client\n"]))
            if rng.random() < 0.15:
                parts.append("from . import helpers\n")
            tests = rng.choice([0, 1, 2, 3, 3])
            for t in range(tests):
                parts.append(f"\n\ndef test_{tier}_{t}():\n    assert {t} == {t}\n")
            put(f"{service}/tests/{tier}/test_{service[:4]}_{n}.py", "".join(parts))
    family = rng.choice(SERVICES)
    for n in range(1, rng.randint(2, 4)):
        body = BVJ + "".join(f"\n\ndef test_case_{k}():\n    assert {k}\n" for k in range(16))
        put(f"{family}/tests/integration/test_event_stream_batch{n}.py", body)
    broken = rng.choice(SERVICES)
    put(f"{broken}/tests/unit/test_merge.py",
        BVJ + "<<<<<<< HEAD\nA = 1\n=======\nA = 2\n>>>>>>> branch\n")
