"""Properties over generated input (hypothesis), with bounded example budgets.

- The engine never raises, whatever the bytes, and its positions are 1-based and
  inside the file.
- `check` and `audit` never fail with a traceback, and find the same with one
  worker or two.
- Every invalid configuration is a one-line error with exit 2; every valid one is
  accepted.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testgrade.config import Config, parse_settings
from testgrade.engine import lint_source
from testgrade.source import count_lines

# --- plausible Python test modules -------------------------------------------------

IMPORTS = [
    "import os", "import pytest", "from unittest import mock", "import mock",
    "from unittest.mock import MagicMock, patch", "from pytest_mock import MockerFixture",
    "import asynctest", "from . import helpers", "from .helpers import make_order",
    "from ..conftest import fixture_a", "from shared.logging.unified_logger_factory import get",
    "from shared.logging import unified_logger_factory",
]
BVJ_LINES = [
    "Business Value Justification (BVJ):", "BVJ:", "- Segment: Enterprise", "- Segment: Nobody",
    "- **Segment:** Free", "- Business Goal: Retention", "- Value Impact: fewer incidents",
    "- Strategic Impact: trust", "Segment: Mid; Business Goal: x", "Value Impact:",
]
BODIES = [
    "pass", "assert True", "m = MagicMock()", "mocker.patch('os.getcwd')",
    "with patch('os.getcwd'):\n        pass", "x = mock.AsyncMock()", "assert helpers",
    "return None", "value = [1, 2, 3]\n    assert sum(value) == 6",
]
DECORATORS = ["", "@pytest.mark.integration\n", "@pytest.mark.e2e\n", "@pytest.mark.real_services\n",
              "@patch('os.getcwd')\n"]
SUPPRESSIONS = ["", "  # testgrade: ignore[TG201] vendored", "  # testgrade: ignore[TG101]",
                "  # testgrade: ignore"]

names = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
free_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'), max_size=30
)


@st.composite
def docstrings(draw, indent: str = "") -> str:
    lines = draw(st.lists(st.one_of(st.sampled_from(BVJ_LINES), free_text), max_size=5))
    body = f"\n{indent}".join(lines)
    return f'{indent}"""{body}\n{indent}"""\n'


@st.composite
def functions(draw, indent: str = "") -> str:
    decorator = draw(st.sampled_from(DECORATORS))
    name = draw(names)
    prefix = draw(st.sampled_from(["test_", "test", "helper_", ""]))
    args = draw(st.sampled_from(["", "mocker", "self" if indent else "tmp_path"]))
    doc = draw(st.one_of(st.just(""), docstrings(indent + "    ")))
    body = draw(st.sampled_from(BODIES))
    return (
        f"{indent}{decorator.replace(chr(10), chr(10) + indent) if decorator else ''}"
        f"def {prefix}{name}({args}):\n{doc}{indent}    {body}\n"
    )


@st.composite
def classes(draw) -> str:
    name = draw(names).capitalize()
    base = draw(st.sampled_from(["", "(BaseIntegrationTest)", "(E2ETestCase)", "(object)"]))
    doc = draw(st.one_of(st.just(""), docstrings("    ")))
    methods = draw(st.lists(functions("    "), min_size=1, max_size=3))
    return f"class {draw(st.sampled_from(['Test', '']))}{name}{base}:\n{doc}" + "".join(methods)


@st.composite
def modules(draw) -> str:
    parts = [draw(st.one_of(st.just(""), docstrings()))]
    parts += [imp + draw(st.sampled_from(SUPPRESSIONS)) + "\n"
              for imp in draw(st.lists(st.sampled_from(IMPORTS), max_size=5))]
    if draw(st.booleans()):
        parts.append("pytestmark = pytest.mark.integration\n")
    parts += draw(st.lists(st.one_of(functions(), classes()), max_size=4))
    text = "\n".join(parts)
    if draw(st.integers(0, 4)) == 0:  # now and then, damage it
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.text(max_size=10)) + text[position:]
    return text


line_ends = st.sampled_from(["\n", "\r\n", "\r"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "latin-1-cookie"])


def encode(text: str, encoding: str) -> bytes:
    if encoding == "latin-1-cookie":
        return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1", "replace")
    return text.encode(encoding, "surrogatepass")


sources = st.one_of(
    st.builds(lambda text, end, enc: encode(text.replace("\n", end), enc), modules(), line_ends, encodings),
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
paths = st.sampled_from([
    "tests/test_a.py", "tests/integration/test_b.py", "tests/e2e/test_c.py", "tests/conftest.py",
    "tests/helpers.py", "tests/legacy/test_d.py", "pkg/sub/test_e.py",
])
CONFIG = parse_settings(
    {"per-file-ignores": {"tests/legacy/**": ["TG301"]},
     "deprecated-imports": {"shared.logging.unified_logger_factory": "shared.logging.ssot"},
     "size": {"warn": 5, "max": 10}},
    root=Path("/nonexistent-project-root"), source=None,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sources, relpath=paths)
def test_the_engine_never_raises_and_positions_are_inside_the_file(data, relpath):
    result = lint_source(data, relpath, CONFIG, package="tests")
    assert result.path == relpath
    for finding in result.findings:
        assert finding.path == relpath
        assert finding.line >= 1 and finding.column >= 1
        if finding.rule != "TG000":  # a parsed file: the finding is on one of its lines
            assert finding.line <= max(result.lines, 1)


@settings(max_examples=100, deadline=None)
@given(text=modules())
def test_a_clean_parse_reports_the_line_count_python_sees(text):
    result = lint_source(text.encode(), "tests/test_a.py", Config())
    if not any(f.rule == "TG000" for f in result.findings):
        assert result.lines == count_lines(text)


# --- one worker or two: same findings -------------------------------------------------

trees = st.dictionaries(
    st.sampled_from(["tests/test_a.py", "tests/integration/test_b.py", "tests/conftest.py",
                     "tests/unit/test_c.py", "tests/helpers.py", "tests/e2e/test_d.py"]),
    sources, min_size=1, max_size=4,
)


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    (root / "pyproject.toml").write_text(
        "[tool.testgrade]\n[tool.testgrade.size]\nwarn = 5\nmax = 10\n", encoding="utf-8"
    )
    for relpath, data in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=trees)
def test_check_and_audit_find_the_same_with_one_worker_or_two(files):
    cli = Cli()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        write_tree(root, files)
        runs = {}
        for jobs in ("1", "2"):
            check = cli("check", root, "--format", "json", "--no-cache", "-j", jobs)
            audit = cli("audit", root, "--format", "json", "--no-cache", "-j", jobs)
            assert check.exit_code in (0, 1), check.output
            assert audit.exit_code == 0, audit.output
            audit_document = json.loads(audit.stdout)
            del audit_document["summary"]["date"]
            runs[jobs] = (json.loads(check.stdout), audit_document)
        assert runs["1"] == runs["2"]
        assert {f["path"] for f in runs["1"][0]["files"]} == set(files)


# --- configuration documents ---------------------------------------------------------

GLOBS = ["tests", "tests/**", "**/integration/**", "*.py", "tests/legacy/**", "!keep.py", "a/b/c"]
PREFIXES = ["TG", "TG0", "TG1", "TG201", "tg3", "TG401"]
globs = st.lists(st.sampled_from(GLOBS), max_size=3)
prefixes = st.lists(st.sampled_from(PREFIXES), max_size=3)
dotted = st.lists(names, min_size=1, max_size=3).map(".".join)


@st.composite
def size_tables(draw) -> dict:
    warn = draw(st.integers(1, 2000))
    table = {"warn": warn, "max": draw(st.integers(warn, 4000))}
    if draw(st.booleans()):
        table["exceptions"] = draw(st.dictionaries(st.sampled_from(GLOBS), st.integers(1, 9999), max_size=2))
    return table


VALID_VALUES = {
    "include": globs.filter(bool),
    "exclude": globs,
    "integration-paths": globs,
    "select": prefixes,
    "ignore": prefixes,
    "per-file-ignores": st.dictionaries(st.sampled_from(GLOBS), prefixes, max_size=2),
    "size": size_tables(),
    "bvj": st.fixed_dictionaries(
        {"fields": st.lists(st.sampled_from(["Segment", "Goal", "Impact"]), min_size=1, max_size=3)},
        optional={"segments": st.lists(st.sampled_from(["Free", "Enterprise", "All"]), max_size=3)},
    ),
    "deprecated-imports": st.dictionaries(dotted, dotted, max_size=2),
    "scoring": st.fixed_dictionaries(
        {"weights": st.fixed_dictionaries({"imports": st.floats(0.5, 5), "size": st.integers(0, 3)})}
    ),
    "limits": st.fixed_dictionaries(
        {}, optional={"max-file-bytes": st.integers(1, 10**9), "timeout": st.floats(0.5, 600)}
    ),
}
valid_settings = st.fixed_dictionaries({}, optional=VALID_VALUES)

# One defect each: (path of keys to change, the bad value, a fragment the message must hold).
anything_but_a_string_list = st.one_of(st.integers(), st.booleans(), st.text(max_size=5),
                                       st.lists(st.integers(), min_size=1, max_size=2))
DEFECTS = st.one_of(
    st.tuples(st.just(("bogus-key",)), st.integers(), st.just("unknown key `tool.testgrade.bogus-key`")),
    st.tuples(st.sampled_from([("include",), ("exclude",), ("integration-paths",), ("select",)]),
              anything_but_a_string_list, st.just("must be an array of strings")),
    st.tuples(st.sampled_from([("select",), ("ignore",)]), st.just(["XX9"]),
              st.just("names no known rule: 'XX9'")),
    st.tuples(st.sampled_from([("exclude",), ("include",)]), st.just([" "]), st.just("empty pattern")),
    st.tuples(st.sampled_from([("size", "warn"), ("size", "max"), ("limits", "max-file-bytes")]),
              st.one_of(st.integers(max_value=0), st.text(max_size=3), st.booleans()),
              st.just("must be")),
    st.tuples(st.just(("limits", "timeout")), st.one_of(st.just(0), st.just(-1.5), st.just("fast")),
              st.just("limits.timeout")),
    st.tuples(st.sampled_from([("size", "colour"), ("bvj", "colour"), ("limits", "colour")]),
              st.integers(), st.just("unknown key")),
    st.tuples(st.sampled_from([("size",), ("bvj",), ("limits",), ("per-file-ignores",)]),
              st.one_of(st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2)),
              st.just("must be a table")),
    st.tuples(st.just(("deprecated-imports",)), st.just({"a..b": "c"}), st.just("invalid dotted path")),
    st.tuples(st.just(("bvj", "fields")), st.just([]), st.just("at least one field")),
)


def toml_string(text: str) -> str:
    # JSON's escapes are TOML's, but astral characters must stay whole and DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def pyproject(settings_table: dict) -> str:
    lines = ["[tool.testgrade]"]
    lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in settings_table.items()]
    return "\n".join(lines) + "\n"


def run_check_with(document: str):
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text(document, encoding="utf-8")
        (root / "tests").mkdir()
        (root / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
        return Cli()("check", root, "--no-cache", "-j", "1")


@settings(max_examples=40, deadline=None)
@given(table=valid_settings)
def test_every_valid_configuration_is_accepted(table):
    result = run_check_with(pyproject(table))
    assert result.exit_code in (0, 1), result.stderr


@settings(max_examples=80, deadline=None)
@given(table=valid_settings, defect=DEFECTS)
def test_every_invalid_configuration_is_one_clear_line_and_exit_2(table, defect):
    keys, bad, fragment = defect
    target = table
    for key in keys[:-1]:
        current = target.get(key)
        target[key] = current = dict(current) if isinstance(current, dict) else {}
        target = current
    target[keys[-1]] = bad
    if keys[0] == "size" and isinstance(table["size"], dict):  # keep warn <= max out of the way
        table["size"].pop("exceptions", None)
    result = run_check_with(pyproject(table))
    assert result.exit_code == 2, (pyproject(table), result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("testgrade: error: "), result.stderr
    assert "pyproject.toml" in lines[0] and "Traceback" not in result.output
    assert fragment in lines[0], (pyproject(table), lines[0])


@settings(max_examples=60, deadline=None)
@given(document=st.one_of(
    st.text(max_size=80).map(lambda t: "[tool.testgrade]\n" + t),
    st.binary(max_size=80).map(lambda b: "[tool.testgrade]\n" + b.decode("latin-1")),
))
def test_any_document_is_accepted_or_one_line_exit_2(document):
    result = run_check_with(document)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("testgrade: error: "), result.stderr
