"""TG503 uncollectable-test-class: `Test*` classes pytest skips with a collection warning."""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.ftypes import Role
from testgrade.walk import Statement, callee_name, dotted_name

# Bases whose classes get a constructor pytest refuses (`__init__` / `__new__`).
_CONSTRUCTOR_BASES = frozenset(
    {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "NamedTuple", "TypedDict", "Exception",
     "BaseModel"}
)
_DATACLASS_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "s"})


def uncollectable_reason(node: cst.ClassDef) -> str | None:
    """Why pytest refuses to collect this class, if it does: a constructor of its own."""
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


def _test_flag(node: cst.ClassDef) -> bool | None:
    """`__test__ = True/False` in the class body, which overrides the name."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for line in body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == "__test__" for t in small.targets
            ):
                value = small.value
                return isinstance(value, cst.Name) and value.value == "True"
    return None


def _is_testcase(node: cst.ClassDef) -> bool:
    return any(
        (dotted_name(b.value) or "").endswith("TestCase") for b in node.bases if b.keyword is None
    )


class UncollectableTestClass(Rule):
    id = "TG503"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        return ctx.role is Role.TEST and "class Test" in ctx.text

    def visit_ClassDef(self, statement: Statement) -> None:
        node = statement.node
        assert isinstance(node, cst.ClassDef)
        name = node.name.value
        # pytest looks at module-level classes and classes nested in collected ones.
        if not name.startswith("Test") or any(
            isinstance(s, cst.FunctionDef) for s in statement.scopes
        ):
            return
        if _test_flag(node) is False or _is_testcase(node):
            return
        reason = uncollectable_reason(node)
        if reason is None:
            return
        tests = [
            s for s in (node.body.body if isinstance(node.body, cst.IndentedBlock) else ())
            if isinstance(s, cst.FunctionDef) and s.name.value.startswith("test")
        ]
        if tests:
            effect = f"its {len(tests)} test{'s' if len(tests) != 1 else ''} never run"
            way_out = "remove the constructor (use fixtures or `setup_method`)"
        else:
            effect = "pytest warns about it on every run"
            way_out = "rename it so it does not start with `Test`, or set `__test__ = False`"
        self.report(
            node.name,
            f"pytest cannot collect class `{name}`: {reason}; {effect}; {way_out}",
            statement=statement,
        )
