"""Detection code, one module per rule family, bound to the catalogue by rule id."""

from __future__ import annotations

from testgrade.checks.assertions import MissingAssertion
from testgrade.checks.base import Rule
from testgrade.checks.bvj import IncompleteBvj, MissingBvj
from testgrade.checks.collection import EmptyTestModule, UncollectableTestClass
from testgrade.checks.doubles import FakeDoubleInIntegrationTest
from testgrade.checks.environ import DirectEnvironAccess
from testgrade.checks.imports import DeprecatedImport, RelativeImport
from testgrade.checks.markers import MissingIntegrationMarker
from testgrade.checks.mocks import MockInIntegrationTest
from testgrade.checks.size import OversizedFile
from testgrade.checks.skips import SkipInIntegrationTest
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
        FakeDoubleInIntegrationTest,
        MissingAssertion,
        SkipInIntegrationTest,
        UncollectableTestClass,
        MissingIntegrationMarker,
        DirectEnvironAccess,
        EmptyTestModule,
    )
}
