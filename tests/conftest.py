"""Shared helpers for the test suite: run the real CLI and the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from testgrade.catalogue import Example
from testgrade.cli import main
from testgrade.config import parse_settings
from testgrade.discovery import package_name
from testgrade.engine import lint_source
from testgrade.ftypes import FileResult

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
DEMO = FIXTURES / "demo"
# Real-world shapes for node-by-node comparisons: the demo tree, the adversarial
# tree and testgrade's own source.
BUNDLED_SOURCES = [
    *sorted(DEMO.rglob("*.py")),
    *sorted(p for p in (FIXTURES / "adversarial").rglob("*.py") if p.is_file()),
    *sorted((REPO / "src" / "testgrade").rglob("*.py")),
]


def parse_or_none(text: str) -> cst.Module | None:
    """libcst's tree, or None for the files it refuses (the adversarial tree has some)."""
    try:
        return cst.parse_module(text)
    except Exception:  # noqa: BLE001 - whatever libcst raises on input it cannot model
        return None


def lint_example(example: Example) -> FileResult:
    """Run the engine on a catalogue example as if it sat at `example.path`."""
    root = Path("/nonexistent-project-root")
    config = parse_settings(example.config, root=root, source=None)
    return lint_source(
        example.code.lstrip("\n").encode("utf-8"),
        example.path,
        config,
        package=package_name(root, example.path),
    )


class Cli:
    def __init__(self) -> None:
        try:  # click < 8.2 mixes stderr into stdout unless told not to
            self.runner = CliRunner(mix_stderr=False)
        except TypeError:  # click >= 8.2 always keeps them apart
            self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    def json(self, *args: str) -> dict:
        result = self(*args, "--format", "json")
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()
