"""The rule catalogue: one TOML file per rule under `rules/`, shipped in the wheel.

The catalogue is data, not code: id, name, category, default severity, summary,
rationale, options and VALID / INVALID examples. `testgrade rules`, `testgrade
rule ID`, the docs and the example-driven tests all read it from here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testgrade.ftypes import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Scoring categories, in report order, with their display names.
CATEGORIES: dict[str, str] = {
    "real-services": "Real services (no mocks)",
    "imports": "Imports",
    "documentation": "Documentation (BVJ)",
    "size": "File size",
    "integrity": "Integrity",
}


@dataclass(frozen=True)
class Example:
    code: str
    path: str = "tests/unit/test_example.py"
    config: dict[str, Any] = field(default_factory=dict)  # [tool.testgrade] overrides
    lines: tuple[int, ...] = ()  # for INVALID examples: where findings must land
    # for INVALID examples: text each finding's message must contain, in line order
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    id: str
    name: str
    category: str
    severity: Severity
    fixable: bool
    summary: str
    rationale: str
    use_instead: str
    options: dict[str, str]
    valid: tuple[Example, ...]
    invalid: tuple[Example, ...]
    # Off-by-default rules run only when their settings switch them on
    # (Config.opted_in) or when `select` names their full id.
    default_enabled: bool = True


class CatalogueError(Exception):
    pass


def catalogue_dir() -> Path:
    """Where the rule files are: inside the installed package, or `rules/` in a checkout.

    Looked up on disk first: asking importlib.resources took 2.8-4.1 ms after the
    command line's imports (three runs, docs/benchmarks.md), on
    the way of every `check`; it is asked only for a package that is not on disk.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "catalogue", package.parents[1] / "rules"):
        if candidate.is_dir():
            return candidate
    from importlib import resources

    packaged = resources.files("testgrade") / "catalogue"
    if packaged.is_dir():
        return Path(str(packaged))
    raise CatalogueError("the rule catalogue is missing from this installation")


def _example(raw: dict[str, Any]) -> Example:
    return Example(
        code=raw["code"],
        path=raw.get("path", Example.path),
        config=raw.get("config", {}),
        lines=tuple(raw.get("lines", ())),
        messages=tuple(raw.get("messages", ())),
    )


def _rule(path: Path) -> RuleSpec:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        spec = RuleSpec(
            id=raw["id"],
            name=raw["name"],
            category=raw["category"],
            severity=Severity(raw["severity"]),
            fixable=bool(raw.get("fixable", False)),
            summary=raw["summary"],
            rationale=raw["rationale"].strip(),
            use_instead=raw.get("use_instead", "").strip(),
            options=dict(raw.get("options", {})),
            valid=tuple(_example(e) for e in raw.get("valid", ())),
            invalid=tuple(_example(e) for e in raw.get("invalid", ())),
            default_enabled=bool(raw.get("default-enabled", True)),
        )
    except KeyError as exc:
        raise CatalogueError(f"{path.name}: missing field {exc}") from None
    if spec.category not in CATEGORIES:
        raise CatalogueError(f"{path.name}: unknown category {spec.category!r}")
    if path.stem != spec.id:
        raise CatalogueError(f"{path.name}: file name does not match id {spec.id}")
    return spec


@functools.lru_cache(maxsize=1)
def load_catalogue() -> dict[str, RuleSpec]:
    """Every rule, keyed and ordered by id."""
    files = sorted(catalogue_dir().glob("TG*.toml"))
    return {spec.id: spec for spec in map(_rule, files)}


def _code_block(example: Example) -> list[str]:
    return ["```python", f"# {example.path}", example.code.strip("\n"), "```"]


def describe(spec: RuleSpec) -> str:
    """A rule's documentation in Markdown, with the same headings for every rule."""
    fix = "available (`testgrade check --fix`)" if spec.fixable else "none"
    out = [
        f"## {spec.id} {spec.name}",
        "",
        f"Category: {CATEGORIES[spec.category]} (`{spec.category}`) · "
        f"default severity: {spec.severity.value} · fix: {fix}"
        + ("" if spec.default_enabled else " · off by default"),
        "",
        "### What it does",
        "",
        spec.summary,
        "",
        "### Why is this bad?",
        "",
        " ".join(spec.rationale.split()),
    ]
    if spec.invalid:
        out += ["", "### Example", "", *_code_block(spec.invalid[0])]
    if spec.valid or spec.use_instead:
        out += ["", "### Use instead", ""]
        if spec.use_instead:
            out += [spec.use_instead, ""]
        if spec.valid:
            out += _code_block(spec.valid[0])
    if spec.options:
        out += ["", "### Options", ""] + [f"- `{key}`: {text}" for key, text in spec.options.items()]
    return "\n".join(out).rstrip() + "\n"


def catalogue_markdown() -> str:
    """docs/rules.md: every rule, generated from the catalogue."""
    header = (
        "# Rules\n\n"
        "Generated from `rules/` by `testgrade rules --format markdown`; "
        "do not edit by hand.\n"
    )
    return header + "".join("\n" + describe(spec) for spec in load_catalogue().values())


def selected_rules(
    select: Sequence[str], ignore: Sequence[str], opted_in: Sequence[str] = ()
) -> frozenset[str]:
    """The rule ids a run with these --select / --ignore prefixes enables.

    A rule that is off by default runs only when its settings switch it on
    (`opted_in`, from `Config.opted_in()`) or `select` names its full id; a
    `select` that does not cover it keeps it off either way.
    """

    def wanted(spec: RuleSpec) -> bool:
        chosen = not select or any(spec.id.startswith(p) for p in select)
        if not spec.default_enabled:
            return chosen and (spec.id in opted_in or spec.id in select)
        return chosen

    return frozenset(
        spec.id
        for spec in load_catalogue().values()
        if wanted(spec) and not any(spec.id.startswith(p) for p in ignore)
    )
