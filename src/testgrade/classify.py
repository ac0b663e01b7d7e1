"""Classification: is a file a test module, a conftest or a helper; unit, integration or e2e?

The kind comes from three sources, the strongest winning (e2e > integration > unit):
- `integration-paths` globs (a matching path under a directory named `e2e*` is e2e);
- pytest markers: `@pytest.mark.integration`, `real_services`, `e2e` on a test
  function or class, or in a module-level `pytestmark`;
- base classes whose name says so (`BaseIntegrationTest`, `E2ETestCase`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

import libcst as cst
import pathspec

from testgrade.ftypes import Kind, Role
from testgrade.walk import Statement, callee_name, dotted_name

MARKER_KINDS = {"integration": Kind.INTEGRATION, "real_services": Kind.INTEGRATION, "e2e": Kind.E2E}
_RANK = {Kind.UNIT: 0, Kind.INTEGRATION: 1, Kind.E2E: 2}


def strongest(kinds: Iterable[Kind]) -> Kind:
    return max(kinds, key=_RANK.__getitem__, default=Kind.UNIT)


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


def _marker_kind(expression: cst.BaseExpression) -> Kind | None:
    name = callee_name(expression)
    if name is None:
        return None
    parts = name.split(".")
    if len(parts) >= 2 and parts[-2] == "mark":
        return MARKER_KINDS.get(parts[-1])
    return None


def _pytestmark_kinds(value: cst.BaseExpression) -> Iterable[Kind]:
    elements: Iterable[cst.BaseExpression]
    if isinstance(value, (cst.List, cst.Tuple)):
        elements = [element.value for element in value.elements]
    else:
        elements = [value]
    for element in elements:
        kind = _marker_kind(element)
        if kind is not None:
            yield kind


def _base_kind(base: cst.Arg) -> Kind | None:
    name = dotted_name(base.value)
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1].lower()
    if "e2e" in last or "endtoend" in last:
        return Kind.E2E
    if "integration" in last:
        return Kind.INTEGRATION
    return None


def _at_class_or_module_level(statement: Statement) -> bool:
    return not any(isinstance(scope, cst.FunctionDef) for scope in statement.scopes)


def kinds_from_code(statements: Iterable[Statement]) -> Iterable[Kind]:
    """Every kind the code itself declares, through markers or base classes."""
    for statement in statements:
        node = statement.node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            for decorator in node.decorators:
                kind = _marker_kind(decorator.decorator)
                if kind is not None:
                    yield kind
            if isinstance(node, cst.ClassDef):
                for base in node.bases:
                    kind = _base_kind(base)
                    if kind is not None:
                        yield kind
        elif isinstance(node, (cst.Assign, cst.AnnAssign)) and _at_class_or_module_level(statement):
            targets = (
                [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            )
            if node.value is not None and any(
                isinstance(t, cst.Name) and t.value == "pytestmark" for t in targets
            ):
                yield from _pytestmark_kinds(node.value)
