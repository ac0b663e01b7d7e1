"""Classification: is a file a test module, a conftest or a helper; unit, integration or e2e?

The kind comes from three sources, the strongest winning (e2e > integration > unit):
- `integration-paths` globs (a matching path under a directory named `e2e*` is e2e);
- pytest markers: `@pytest.mark.integration`, `real_services`, `e2e` on a test
  function or class, or in a module-level `pytestmark`;
- configured base classes (`integration-bases`).
Paths are decided here; markers and base classes per test, in `scopes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

import libcst as cst
import pathspec

from testgrade.ftypes import Kind, Role
from testgrade.walk import callee_name, dotted_name

MARKER_KINDS = {"integration": Kind.INTEGRATION, "real_services": Kind.INTEGRATION, "e2e": Kind.E2E}
KIND_RANK = {Kind.UNIT: 0, Kind.INTEGRATION: 1, Kind.E2E: 2}


def role_of(relpath: str) -> Role:
    name = PurePosixPath(relpath).name
    if name == "conftest.py":
        return Role.CONFTEST
    if (name.startswith("test_") or name.endswith("_test.py")) and name.endswith(".py"):
        return Role.TEST
    return Role.HELPER


def kind_from_path(relpath: str, integration_paths: pathspec.PathSpec) -> Kind:
    if not integration_paths.match_file(relpath):
        return Kind.UNIT
    directories = PurePosixPath(relpath).parts[:-1]
    if any(part.lower().startswith("e2e") for part in directories):
        return Kind.E2E
    return Kind.INTEGRATION


def marker_of(expression: cst.BaseExpression) -> tuple[str, Kind] | None:
    """(`integration`, Kind.INTEGRATION) for `@pytest.mark.integration` and the like."""
    name = callee_name(expression)
    if name is None:
        return None
    parts = name.split(".")
    if len(parts) >= 2 and parts[-2] == "mark" and parts[-1] in MARKER_KINDS:
        return parts[-1], MARKER_KINDS[parts[-1]]
    return None


def pytestmark_markers(value: cst.BaseExpression) -> Iterable[tuple[str, Kind]]:
    """The kind markers in a `pytestmark = ...` value (one marker, a list or a tuple)."""
    elements: Iterable[cst.BaseExpression]
    if isinstance(value, (cst.List, cst.Tuple)):
        elements = [element.value for element in value.elements]
    else:
        elements = [value]
    for element in elements:
        marker = marker_of(element)
        if marker is not None:
            yield marker


# Bases whose classes get a constructor pytest refuses (`__init__` / `__new__`).
_CONSTRUCTOR_BASES = frozenset(
    {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "NamedTuple", "TypedDict", "Exception",
     "BaseModel"}
)
_DATACLASS_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "s"})


def constructor_reason(node: cst.ClassDef) -> str | None:
    """Why pytest refuses to collect this class, if it does: a constructor of its own
    (`__init__` / `__new__`, written or made by `@dataclass`, an Enum or NamedTuple
    base ...), as a phrase for messages; None when it has none."""
    for decorator in node.decorators:
        name = callee_name(decorator.decorator) or ""
        last = name.rsplit(".", 1)[-1]
        if last in _DATACLASS_DECORATORS and (last == "dataclass" or name.startswith("attr")):
            return f"it is a dataclass (`@{name}` writes an `__init__`)"
    for base in node.bases:
        if base.keyword is not None:
            continue
        name = (dotted_name(base.value) or "").rsplit(".", 1)[-1]
        if name in _CONSTRUCTOR_BASES:
            return f"it derives from `{name}`, which has a constructor"
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("__init__", "__new__"):
            return f"it defines `{statement.name.value}`"
    return None
