"""Tests as pytest collects them, and each test's kind with the reason for it.

Built once per file from the statements the engine already walks (no extra pass,
nothing imported or executed). Any rule reads it from `FileContext.scopes`.

What is collected (as pytest does, for a test module only; conftest and helper
modules collect nothing):
- a class is collected when it sits at module level or inside a collected class,
  and either is a `unittest.TestCase` subclass, whatever its name (a base written
  `TestCase`, `unittest.TestCase`, `IsolatedAsyncioTestCase` or any name ending
  in `TestCase`, or a local class that is one), or is named `Test*` and has no
  constructor of its own (no `__init__`, not a dataclass, Enum, NamedTuple ...:
  see TG503); `__test__ = False` in the class or a local base excludes it,
  `__test__ = True` includes it whatever its name, and a module-level
  `__test__ = False` excludes the whole module;
- a function is a test when its name starts with `test` and it sits at module
  level or directly in a collected class.

A test's kind is the strongest (e2e > integration > unit) of:
- the file's path (`integration-paths`),
- the module's `pytestmark`,
- its class's (and enclosing classes') markers and `pytestmark`, its base
  classes named in `integration-bases` (matched on the name as imported, so
  `from fw import BaseIntegrationTest as Base` counts and a local class merely
  *named* `...Integration...` does not), and whatever a local base class in the
  same file declares, followed through local subclassing,
- its own markers (`@pytest.mark.integration`, `real_services`, `e2e`).

Every kind comes as a `KindReason`: the kind, a short phrase saying why (for
messages; empty when the path alone decides) and a stable `cause` key naming
what made it so: `kind:base-class:<base as imported>` or `kind:marker:<marker>`
(the audit groups findings by it).

API (stable; other rules rely on it):
- `scopes.tests`: every collected test, in source order (`CollectedTest`).
- `scopes.test_at(statement)` / `scopes.class_at(statement)`: the test or
  collected class a statement (or the decorators and parameters of the
  function or class it is) sits in, or None.
- `scopes.kind_at(statement)`: the kind governing code at that place: the
  enclosing test's, else the enclosing collected class's, else the file-level
  kind (`scopes.file_kind`).
- `scopes.owner_at(statement)`: "TestX.test_y", "TestX" or "" (module level).
- `scopes.module_kind`: path and module `pytestmark` only, what a module with
  no tests (a helper, a conftest) keeps.
- `scopes.file_kind`: the strongest of `module_kind` and every collected
  test's and class's kind: the kind reported for the file.
- `scopes.path_note()`: "the file is under `tests/unit/`", for messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst

from testgrade.classify import KIND_RANK, constructor_reason, marker_of, pytestmark_markers
from testgrade.ftypes import Kind, Role
from testgrade.walk import Scope, Statement, dotted_name

_TESTCASE_NAMES = ("TestCase", "IsolatedAsyncioTestCase")


@dataclass(frozen=True)
class KindReason:
    """A kind and why: `because` is a phrase for messages, `cause` a stable key."""

    kind: Kind
    because: str = ""  # empty: the path decided
    cause: str = ""  # empty: the path decided

    def stronger_than(self, other: KindReason) -> bool:
        return KIND_RANK[self.kind] > KIND_RANK[other.kind]


@dataclass(frozen=True)
class CollectedClass:
    node: cst.ClassDef
    name: str  # dotted through enclosing classes: "TestOuter.TestInner"
    is_testcase: bool  # a unittest.TestCase subclass
    kind: KindReason


@dataclass(frozen=True)
class CollectedTest:
    node: cst.FunctionDef
    name: str  # "TestX.test_y" or "test_y"
    cls: CollectedClass | None
    kind: KindReason
    statement: Statement  # its `def`, for reports about the test as a whole


def _strongest(reasons: Iterable[KindReason], default: KindReason) -> KindReason:
    best = default
    for reason in reasons:
        if reason.stronger_than(best):
            best = reason
    return best


@dataclass
class _ClassFacts:
    """What one class's own code says, before inheritance is followed."""

    node: cst.ClassDef
    name: str
    nested_in: tuple[Scope, ...]
    markers: list[tuple[str, Kind]]
    test_flag: bool | None = None  # `__test__ = ...` in the body


class _BaseResolver:
    """Names as imported: `from a import B as C` makes `C` mean `a.B`."""

    def __init__(self) -> None:
        self.imported: dict[str, str] = {}

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    local = dotted_name(alias.asname.name)  # type: ignore[arg-type]
                    if local:
                        self.imported[local] = full
            return
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = dotted_name(alias.asname.name) if alias.asname else name  # type: ignore[arg-type]
            if local:
                self.imported[local] = f"{module}.{name}" if module else name

    def full_name(self, expression: cst.BaseExpression) -> str | None:
        """The dotted name a base expression refers to, through import aliases."""
        written = dotted_name(expression)
        if written is None:
            return None
        head, dot, rest = written.partition(".")
        bound = self.imported.get(head)
        return f"{bound}{dot}{rest}" if bound else written


class Scopes:
    """See the module docstring."""

    def __init__(
        self,
        statements: Sequence[Statement],
        *,
        path: str,
        role: Role,
        path_kind: Kind,
        integration_bases: Iterable[str],
    ) -> None:
        self.path = path
        self.path_kind = KindReason(path_kind)
        self._bases = {name: _base_kind(name) for name in integration_bases}
        resolver = _BaseResolver()
        classes: dict[int, _ClassFacts] = {}
        functions: list[Statement] = []
        module_marks: list[tuple[str, Kind]] = []
        module_flag = True
        for statement in statements:  # exact types, as in walk.iter_statements
            node = statement.node
            if type(node) is cst.Import or type(node) is cst.ImportFrom:
                resolver.add_import(node)
            elif type(node) is cst.ClassDef:
                classes[id(node)] = _ClassFacts(
                    node, _qualified(statement.scopes, node), statement.scopes,
                    [m for d in node.decorators if (m := marker_of(d.decorator))],
                )
            elif type(node) is cst.FunctionDef:
                functions.append(statement)
            elif (type(node) is cst.Assign or type(node) is cst.AnnAssign) and node.value is not None:
                owner = statement.scopes[-1] if statement.scopes else None
                if owner is not None and type(owner) is not cst.ClassDef:
                    continue
                for target in _targets(node):
                    if target == "pytestmark":
                        marks = list(pytestmark_markers(node.value))
                        if owner is None:
                            module_marks += marks
                        else:
                            classes[id(owner)].markers += marks
                    elif target == "__test__":
                        value = node.value
                        if isinstance(value, cst.Name) and value.value in ("True", "False"):
                            if owner is None:  # `__test__ = False` opts the whole module out
                                module_flag = value.value == "True"
                            else:
                                classes[id(owner)].test_flag = value.value == "True"
        self._resolver = resolver
        self._facts = classes
        self._local = {
            facts.name: facts for facts in classes.values() if not facts.nested_in
        }
        self._own: dict[int, KindReason | None] = {}
        self.module_kind = self.path_kind
        if module_marks:
            word, kind = _strongest_marker(module_marks)
            self.module_kind = _strongest(
                [KindReason(kind, f"the module's `pytestmark` is `{word}`", f"kind:marker:{word}")],
                self.path_kind,
            )
        self._classes: dict[int, CollectedClass] = {}
        collects = role is Role.TEST and module_flag
        if collects:
            for facts in classes.values():  # parents come before children
                self._collect_class(facts)
        tests: list[CollectedTest] = []
        self._tests: dict[int, CollectedTest] = {}
        if collects:
            for statement in functions:
                test = self._collect_test(statement)
                if test is not None:
                    tests.append(test)
                    self._tests[id(test.node)] = test
        self.tests: tuple[CollectedTest, ...] = tuple(tests)
        self.file_kind = _strongest(
            [*(t.kind for t in tests), *(c.kind for c in self._classes.values())],
            self.module_kind,
        )

    # --- collection -----------------------------------------------------------

    def _collect_class(self, facts: _ClassFacts) -> None:
        parent: CollectedClass | None = None
        for scope in facts.nested_in:
            if isinstance(scope, cst.FunctionDef):
                return
            parent = self._classes.get(id(scope))
            if parent is None:
                return  # inside a class pytest does not collect
        is_testcase = self._is_testcase(facts, set())
        flag = self._test_flag(facts, set())
        if is_testcase:
            collected = flag is not False
        elif flag is not None:
            collected = flag
        else:
            # pytest skips `Test*` classes with a constructor (TG503 says why)
            collected = (
                facts.node.name.value.startswith("Test")
                and constructor_reason(facts.node) is None
            )
        if not collected:
            return
        outer = parent.kind if parent is not None else self.module_kind
        own = self._own_kind(facts, set())
        kind = outer if own is None else _strongest([own], outer)
        self._classes[id(facts.node)] = CollectedClass(facts.node, facts.name, is_testcase, kind)

    def _collect_test(self, statement: Statement) -> CollectedTest | None:
        node = statement.node
        assert isinstance(node, cst.FunctionDef)
        if not node.name.value.startswith("test"):
            return None
        cls: CollectedClass | None = None
        if statement.scopes:
            cls = self._classes.get(id(statement.scopes[-1]))
            if cls is None:
                return None
        outer = cls.kind if cls is not None else self.module_kind
        name = f"{cls.name}.{node.name.value}" if cls else node.name.value
        marks = [m for d in node.decorators if (m := marker_of(d.decorator))]
        kind = outer
        if marks:
            word, mark = _strongest_marker(marks)
            kind = _strongest(
                [KindReason(mark, f"it is marked `{word}`", f"kind:marker:{word}")], outer
            )
        return CollectedTest(node, name, cls, kind, statement)

    def _local_bases(self, facts: _ClassFacts) -> Iterable[_ClassFacts]:
        for base in facts.node.bases:
            if base.keyword is not None:
                continue
            written = dotted_name(base.value)
            local = self._local.get(written or "")
            if local is not None and local is not facts:
                yield local

    def _base_names(self, facts: _ClassFacts) -> Iterable[str]:
        """Each base's name as imported (the last part of its full dotted name)."""
        for base in facts.node.bases:
            if base.keyword is None:
                full = self._resolver.full_name(base.value)
                if full:
                    yield full.rsplit(".", 1)[-1]

    def _is_testcase(self, facts: _ClassFacts, seen: set[int]) -> bool:
        seen.add(id(facts))
        if any(
            name in _TESTCASE_NAMES or name.endswith("TestCase")
            for name in self._base_names(facts)
        ):
            return True
        return any(
            self._is_testcase(base, seen) for base in self._local_bases(facts) if id(base) not in seen
        )

    def _test_flag(self, facts: _ClassFacts, seen: set[int]) -> bool | None:
        if facts.test_flag is not None:
            return facts.test_flag
        seen.add(id(facts))
        for base in self._local_bases(facts):
            if id(base) not in seen:
                flag = self._test_flag(base, seen)
                if flag is not None:
                    return flag
        return None

    def _own_kind(self, facts: _ClassFacts, seen: set[int]) -> KindReason | None:
        """What a class's own code and its local bases declare, None if nothing."""
        key = id(facts)
        if key in self._own:
            return self._own[key]
        seen.add(key)
        found: list[KindReason] = []
        if facts.markers:
            word, mark = _strongest_marker(facts.markers)
            found.append(KindReason(
                mark, f"`{facts.name}` is marked `{word}`",
                f"kind:marker:{word}",
            ))
        for name in self._base_names(facts):
            kind = self._bases.get(name)
            if kind is not None:
                found.append(KindReason(
                    kind, f"`{facts.name}` derives from `{name}`", f"kind:base-class:{name}"
                ))
        for base in self._local_bases(facts):
            if id(base) in seen:
                continue
            inherited = self._own_kind(base, seen)
            if inherited is not None:
                found.append(KindReason(
                    inherited.kind,
                    f"`{facts.name}` derives from `{base.name}` ({inherited.because})",
                    inherited.cause,
                ))
        result = _strongest(found, KindReason(Kind.UNIT)) if found else None
        if result is not None and result.kind is Kind.UNIT:
            result = None
        self._own[key] = result
        return result

    # --- queries ----------------------------------------------------------------

    def _chain(self, statement: Statement) -> tuple[cst.CSTNode, ...]:
        node = statement.node
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
            return (*statement.scopes, node)
        return statement.scopes

    def test_at(self, statement: Statement) -> CollectedTest | None:
        """The collected test that `statement` sits in (or is), if any."""
        for scope in reversed(self._chain(statement)):
            test = self._tests.get(id(scope))
            if test is not None:
                return test
        return None

    def class_at(self, statement: Statement) -> CollectedClass | None:
        """The innermost collected class that `statement` sits in (or is), if any."""
        for scope in reversed(self._chain(statement)):
            cls = self._classes.get(id(scope))
            if cls is not None:
                return cls
        return None

    def test_for(self, node: cst.FunctionDef) -> CollectedTest | None:
        return self._tests.get(id(node))

    def kind_at(self, statement: Statement) -> KindReason:
        """The kind governing code at this place (see the module docstring)."""
        test = self.test_at(statement)
        if test is not None:
            return test.kind
        cls = self.class_at(statement)
        if cls is not None:
            return cls.kind
        return self.file_kind

    def owner_at(self, statement: Statement) -> str:
        test = self.test_at(statement)
        if test is not None:
            return test.name
        cls = self.class_at(statement)
        return cls.name if cls is not None else ""

    def path_note(self) -> str:
        """Where the file sits, for messages saying the path disagrees."""
        parent = PurePosixPath(self.path).parent
        if str(parent) in ("", "."):
            return f"the file's path says {self.path_kind.kind.value}"
        return f"the file is under `{parent}/`"


def _targets(node: cst.Assign | cst.AnnAssign) -> list[str]:
    if isinstance(node, cst.Assign):
        return [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
    return [node.target.value] if isinstance(node.target, cst.Name) else []


def _qualified(scopes: tuple[Scope, ...], node: cst.ClassDef) -> str:
    return ".".join([*(s.name.value for s in scopes), node.name.value])


def _base_kind(name: str) -> Kind:
    return Kind.E2E if "e2e" in name.lower() else Kind.INTEGRATION


def _strongest_marker(markers: Sequence[tuple[str, Kind]]) -> tuple[str, Kind]:
    return max(markers, key=lambda marker: KIND_RANK[marker[1]])
