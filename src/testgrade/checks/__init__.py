"""Detection code, one module per rule family, bound to the catalogue by rule id."""

from __future__ import annotations

from testgrade.checks.base import Rule
from testgrade.checks.bvj import IncompleteBvj, MissingBvj
from testgrade.checks.collection import UncollectableTestClass
from testgrade.checks.environ import DirectEnvironAccess
from testgrade.checks.imports import DeprecatedImport, RelativeImport
from testgrade.checks.mocks import MockInIntegrationTest
from testgrade.checks.size import OversizedFile
from testgrade.checks.unresolved import UnresolvedImport

RULES: dict[str, type[Rule]] = {
    rule.id: rule
    for rule in (
        MockInIntegrationTest,
        RelativeImport,
        DeprecatedImport,
        UnresolvedImport,
        MissingBvj,
        IncompleteBvj,
        OversizedFile,
        UncollectableTestClass,
        DirectEnvironAccess,
    )
}
