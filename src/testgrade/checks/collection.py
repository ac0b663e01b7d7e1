"""What pytest would not collect: TG503 uncollectable-test-class (`Test*` classes it
skips with a warning) and TG506 empty-test-module (test modules it collects nothing
from). "Collected" is the shared scope model's answer (`FileContext.scopes`)."""

from __future__ import annotations

import libcst as cst

from testgrade.checks.base import FileContext, Rule
from testgrade.classify import constructor_reason
from testgrade.ftypes import Role, Severity
from testgrade.walk import Statement, dotted_name


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


_PLAIN_BASES = frozenset({"object", "Enum", "IntEnum", "StrEnum", "NamedTuple", "TypedDict"})


def _might_collect(node: cst.ClassDef, local: set[str]) -> bool:
    """A base imported from elsewhere may be a `unittest.TestCase` (collected whatever
    the class is called) or a suite a plugin collects (mypy's `DataSuite`):
    statically, that cannot be ruled out."""
    for base in node.bases:
        if base.keyword is not None:
            continue
        written = dotted_name(base.value) or ""
        if written not in local and written.rsplit(".", 1)[-1] not in _PLAIN_BASES:
            return True
    return False


class UncollectableTestClass(Rule):
    id = "TG503"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.local_classes = {s.name.value for s in ctx.module.body if isinstance(s, cst.ClassDef)}

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
        collected = self.ctx.scopes.class_at(statement)
        if collected is not None and collected.node is node:
            return  # the shared scope model collects it
        reason = constructor_reason(node)
        if reason is None or (reason.startswith(("it defines", "it is a dataclass")) and (
            _might_collect(node, self.local_classes)
        )):
            return  # an imported base may be a unittest.TestCase, collected all the same
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


REMOVED_MARK = "# REMOVED_SYNTAX_ERROR:"


def commented_lines(text: str) -> tuple[int, int, int]:
    """(comment-only lines, of those `# REMOVED_SYNTAX_ERROR:` ones, non-blank lines)."""
    comments = removed = code = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        code += 1
        if stripped.startswith("#"):
            comments += 1
            removed += stripped.startswith(REMOVED_MARK)
    return comments, removed, code


class EmptyTestModule(Rule):
    id = "TG506"

    @classmethod
    def applies_to(cls, ctx: FileContext) -> bool:
        if ctx.role is not Role.TEST or ctx.scopes.tests:
            return False
        # Say nothing where tests may hide behind a base class defined elsewhere.
        classes = [s for s in ctx.module.body if isinstance(s, cst.ClassDef)]
        local = {c.name.value for c in classes}
        return not any(_might_collect(c, local) for c in classes)

    def finish(self) -> None:
        comments, removed, nonblank = commented_lines(self.ctx.text)
        body = self.ctx.module.body
        classes = [s for s in body if isinstance(s, cst.ClassDef)]
        functions = [s for s in body if isinstance(s, cst.FunctionDef)]
        test_classes = [c.name.value for c in classes if c.name.value.startswith("Test")]
        commented = ""
        severity: Severity | None = None  # the catalogue's: an error
        if comments:
            marked = f", {removed:,} of them `{REMOVED_MARK}`" if removed else ""
            commented = (
                f"{comments:,} of its {nonblank:,} non-blank lines are commented out{marked}"
            )
        if nonblank == 0:
            message = "Test module is empty: pytest collects nothing from it; delete it"
            cause = "empty-module:empty"
        elif comments * 2 >= nonblank:
            message = (
                f"Test module collects no tests: {commented}; restore the tests that still "
                "matter or delete the module (its lines inflate every count and hide the "
                "coverage that was removed)"
            )
            cause = "empty-module:commented-out"
        elif test_classes:
            names = ", ".join(f"`{n}`" for n in test_classes[:3])
            message = (
                f"Test module collects no tests: its `Test*` classes ({names}) hold none pytest "
                "can collect" + (f"; {commented}" if commented else "")
            )
            cause = "empty-module:uncollectable-classes"
        elif not functions and not classes:
            message = (
                "Test module collects no tests: it defines no test functions or classes"
                + (f"; {commented}" if commented else "")
                + "; add tests, or remove the module"
            )
            cause = "empty-module:no-tests"
        else:
            defined = (
                f"{len(functions)} function{'s' if len(functions) != 1 else ''} and "
                f"{len(classes)} class{'es' if len(classes) != 1 else ''}"
            )
            name = self.ctx.path.rsplit("/", 1)[-1]
            pattern = "`*_test.py`" if name.endswith("_test.py") else "`test_*.py`"
            message = (
                f"Test module collects no tests: it defines only helpers ({defined})"
                + (f"; {commented}" if commented else "")
                + f"; pytest imports it as a test module ({pattern}): add tests, or rename it"
            )
            cause = "empty-module:no-tests"
            if not comments:  # a misnamed helper module: nothing was lost
                severity = Severity.WARNING
        self.report(None, message, cause=cause, severity=severity)
