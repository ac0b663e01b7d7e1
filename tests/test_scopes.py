"""Tests as pytest collects them, each with its kind and the reason for it."""

from __future__ import annotations

import textwrap

import libcst as cst

from testgrade.classify import role_of
from testgrade.config import DEFAULT_INTEGRATION_BASES, Config
from testgrade.engine import lint_source
from testgrade.ftypes import Kind
from testgrade.scopes import Scopes
from testgrade.walk import iter_statements


def scopes_of(code: str, path: str = "tests/unit/test_a.py", path_kind: Kind = Kind.UNIT) -> Scopes:
    module = cst.parse_module(textwrap.dedent(code))
    return Scopes(
        list(iter_statements(module)),
        path=path,
        role=role_of(path),
        path_kind=path_kind,
        integration_bases=DEFAULT_INTEGRATION_BASES,
    )


def collected(code: str, path: str = "tests/unit/test_a.py") -> list[str]:
    return [test.name for test in scopes_of(code, path).tests]


def kinds(code: str) -> dict[str, Kind]:
    return {test.name: test.kind.kind for test in scopes_of(code).tests}


def test_unittest_testcase_subclasses_are_collected_whatever_their_name():
    code = """
        import unittest
        from unittest import TestCase as Base

        class ConfigTests(unittest.TestCase):
            def test_loads(self): ...
            def helper(self): ...

        class MoreTests(Base):
            def test_more(self): ...

        class Derived(ConfigTests):
            def test_derived(self): ...

        class NotATest:
            def test_ignored(self): ...
    """
    assert collected(code) == ["ConfigTests.test_loads", "MoreTests.test_more", "Derived.test_derived"]
    assert lint_source(textwrap.dedent(code).encode(), "tests/test_a.py", Config()).tests == 3


def test_classes_pytest_refuses_are_not_collected():
    code = """
        class TestWithInit:
            def __init__(self): ...
            def test_a(self): ...

        class TestOptedOut:
            __test__ = False
            def test_b(self): ...

        class TestInheritsOptOut(TestOptedOut):
            def test_c(self): ...

        class Checks:
            __test__ = True
            def test_d(self): ...

        def factory():
            class TestInside:
                def test_e(self): ...
            def test_f(): ...

        def test_g(): ...

        class TestOuter:
            class TestInner:
                def test_h(self): ...
    """
    assert collected(code) == ["Checks.test_d", "test_g", "TestOuter.TestInner.test_h"]


def test_classes_with_a_constructor_and_opted_out_modules_collect_nothing():
    code = """
        from dataclasses import dataclass
        from enum import Enum

        @dataclass
        class TestSettings:
            def test_a(self): ...

        class TestColour(Enum):
            RED = 1
            def test_b(self): ...

        class TestPlain:
            def test_c(self): ...
    """
    assert collected(code) == ["TestPlain.test_c"]
    assert collected("__test__ = False\n" + textwrap.dedent(code)) == []


def test_only_test_modules_collect_tests():
    code = "class TestX:\n    def test_a(self): ...\ndef test_b(): ...\n"
    assert collected(code, "tests/integration/conftest.py") == []
    assert collected(code, "tests/helpers.py") == []
    assert collected(code, "tests/test_x.py") == ["TestX.test_a", "test_b"]


def test_a_commented_out_module_collects_nothing():
    result = lint_source(b"# def test_a():\n#     assert True\n", "tests/test_a.py", Config())
    assert result.tests == 0


def test_kind_is_decided_per_test():
    code = """
        import pytest
        from test_framework.base import BaseIntegrationTest as Base
        from test_framework import e2e

        class TestUnit:
            def test_a(self): ...

        class TestIntegration(Base):
            def test_b(self): ...

        class TestE2E(e2e.E2ETestCase):
            def test_c(self): ...

        @pytest.mark.integration
        class TestMarked:
            def test_d(self): ...

        class TestBodyMark:
            pytestmark = [pytest.mark.slow, pytest.mark.e2e]
            def test_e(self): ...

        @pytest.mark.real_services
        def test_f(): ...

        def test_g(): ...
    """
    assert kinds(code) == {
        "TestUnit.test_a": Kind.UNIT,
        "TestIntegration.test_b": Kind.INTEGRATION,
        "TestE2E.test_c": Kind.E2E,
        "TestMarked.test_d": Kind.INTEGRATION,
        "TestBodyMark.test_e": Kind.E2E,
        "test_f": Kind.INTEGRATION,
        "test_g": Kind.UNIT,
    }


def test_a_local_class_named_like_integration_is_not_integration():
    code = """
        from test_framework.base import AsyncBaseTestCase

        class TestWebSocketIntegrationComprehensive(AsyncBaseTestCase):
            def test_a(self): ...

        class IntegrationHelpers:
            pass

        class TestUsesHelpers(IntegrationHelpers):
            def test_b(self): ...
    """
    assert set(kinds(code).values()) == {Kind.UNIT}


def test_local_subclassing_is_followed_and_the_cause_names_the_configured_base():
    code = """
        import pytest
        from test_framework.ssot import BaseIntegrationTest

        class OurBase(BaseIntegrationTest):
            pass

        class TestOrders(OurBase):
            def test_a(self): ...

        @pytest.mark.e2e
        class MarkedBase:
            pass

        class TestFlows(MarkedBase):
            def test_b(self): ...
    """
    tests = {t.name: t.kind for t in scopes_of(code).tests}
    assert tests["TestOrders.test_a"].kind is Kind.INTEGRATION
    assert tests["TestOrders.test_a"].cause == "kind:base-class:BaseIntegrationTest"
    assert "`TestOrders` derives from `OurBase`" in tests["TestOrders.test_a"].because
    assert tests["TestFlows.test_b"].kind is Kind.E2E
    assert tests["TestFlows.test_b"].cause == "kind:marker:e2e"
    assert "`TestFlows` derives from `MarkedBase` (`MarkedBase` is marked `e2e`)" == tests["TestFlows.test_b"].because


def test_configured_integration_bases_replace_the_defaults():
    code = "class TestX(ServiceTestBase):\n    def test_a(self): ...\nclass TestY(BaseIntegrationTest):\n    def test_b(self): ...\n"
    config = Config(integration_bases=("ServiceTestBase",))
    result = lint_source(("from unittest.mock import MagicMock\n" + code).encode(), "tests/test_a.py", config)
    assert result.kind is Kind.INTEGRATION
    module = cst.parse_module(code)
    scopes = Scopes(list(iter_statements(module)), path="tests/test_a.py", role=role_of("tests/test_a.py"),
                    path_kind=Kind.UNIT, integration_bases=config.integration_bases)
    assert [t.kind.kind for t in scopes.tests] == [Kind.INTEGRATION, Kind.UNIT]


def test_the_reason_is_given_only_when_code_is_stronger_than_the_path():
    code = "class TestX(BaseIntegrationTest):\n    def test_y(self): ...\n"
    by_path = scopes_of(code, "tests/integration/test_a.py", Kind.INTEGRATION).tests[0].kind
    assert (by_path.because, by_path.cause) == ("", "")
    by_base = scopes_of(code).tests[0].kind
    assert by_base.because == "`TestX` derives from `BaseIntegrationTest`"
    assert scopes_of(code).path_note() == "the file is under `tests/unit/`"


def test_module_pytestmark_governs_every_test_and_module_level_code():
    code = "import pytest\npytestmark = pytest.mark.integration\ndef test_a(): ...\n"
    scopes = scopes_of(code)
    assert scopes.module_kind.kind is Kind.INTEGRATION
    assert scopes.module_kind.cause == "kind:marker:integration"
    assert scopes.file_kind.kind is Kind.INTEGRATION


def test_kind_at_answers_for_any_statement():
    code = """
        class TestUnit:
            def setup_method(self):
                x = 1

        class TestIntegration(BaseIntegrationTest):
            def test_b(self):
                y = 2

        z = 3
    """
    module = cst.parse_module(textwrap.dedent(code))
    statements = list(iter_statements(module))
    scopes = Scopes(statements, path="tests/test_a.py", role=role_of("tests/test_a.py"),
                    path_kind=Kind.UNIT, integration_bases=DEFAULT_INTEGRATION_BASES)
    at = {
        cst.Module([]).code_for_node(s.node).strip(): s
        for s in statements
        if isinstance(s.node, cst.Assign)
    }
    assert scopes.kind_at(at["x = 1"]).kind is Kind.UNIT
    assert scopes.owner_at(at["x = 1"]) == "TestUnit"
    assert scopes.kind_at(at["y = 2"]).kind is Kind.INTEGRATION
    assert scopes.owner_at(at["y = 2"]) == "TestIntegration.test_b"
    # module-level code serves every test in the file: the strongest kind governs it
    assert scopes.kind_at(at["z = 3"]).kind is Kind.INTEGRATION
    assert scopes.owner_at(at["z = 3"]) == ""


def test_integration_bases_must_be_class_names(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.testgrade]\nintegration-bases = ["a.B"]\n')
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert "integration-bases" in result.stderr and "'a.B'" in result.stderr


def test_tg101_where_a_base_class_makes_code_integration_offers_both_fixes(tmp_path):
    """Owners of such a file disputed "drop the base class" alone: a class that uses
    real services is an integration test in the unit tier, and belongs elsewhere."""
    from testgrade.config import load_config
    from testgrade.engine import lint_source

    code = (b'"""BVJ: orders."""\nfrom unittest.mock import MagicMock\n\n\n'
            b"class TestOrders(BaseIntegrationTest):\n"
            b"    def test_a(self, real_services):\n        client = MagicMock()\n")
    result = lint_source(code, "tests/unit/test_orders.py", load_config(tmp_path))
    messages = [f.message for f in result.findings if f.rule == "TG101"]
    assert messages
    for message in messages:
        assert "because `TestOrders` derives from `BaseIntegrationTest`" in message
        assert "move it to the integration tier" in message
        assert "drop the base class or marker that makes them integration tests" in message
