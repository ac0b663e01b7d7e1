"""Plain data shared by every stage of the pipeline.

Everything here is a frozen dataclass or an enum: stages hand these forward and
never reach back, so results can be pickled to worker processes, cached and
merged without surprises.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Role(str, enum.Enum):
    """What a file is to pytest."""

    TEST = "test"  # test_*.py or *_test.py
    CONFTEST = "conftest"
    HELPER = "helper"  # any other Python file in the tree


class Kind(str, enum.Enum):
    """Which tier of the test pyramid a file belongs to."""

    UNIT = "unit"
    INTEGRATION = "integration"
    E2E = "e2e"

    @property
    def uses_real_services(self) -> bool:
        return self is not Kind.UNIT


@dataclass(frozen=True, order=True)
class Finding:
    """One violation of one rule at one place. Lines and columns are 1-based."""

    path: str  # POSIX, relative to the project root
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = field(compare=False)
    fixable: bool = field(default=False, compare=False)
    # A short, stable key naming the root cause that one edit clears (e.g.
    # "kind:base-class:BaseIntegrationTest"); empty when the finding is its own cause.
    # The audit groups findings by it.
    cause: str = field(default="", compare=False)
    # Identifies the finding across edits that do not touch it (lines moving, other
    # findings appearing); see testgrade.fingerprints. The baseline matches on it.
    fingerprint: str = field(default="", compare=False)


@dataclass(frozen=True)
class Suppression:
    """A `# testgrade: ignore[...]` comment and whether it silenced anything."""

    line: int
    rules: tuple[str, ...]  # empty tuple: every rule
    reason: str
    whole_file: bool
    used: bool


@dataclass(frozen=True)
class FileResult:
    """Everything the engine learned about one file."""

    path: str
    role: Role
    kind: Kind
    lines: int
    tests: int  # test functions found
    tests_with_bvj: int
    findings: tuple[Finding, ...]
    suppressions: tuple[Suppression, ...] = ()
    # Other files the findings depend on, as (path, stamp) pairs (see resolution.py):
    # kept beside the cache entry, never in reports.
    depends: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)
