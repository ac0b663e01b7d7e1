"""The integrity rules beyond their catalogue examples: switches and edge cases."""

from __future__ import annotations

from testgrade.catalogue import Example, selected_rules

from conftest import lint_example

ENVIRON = '''
import os

def test_env():
    assert os.getenv("HOME")
'''


def rules_fired(code: str, path: str = "tests/unit/test_x.py", **config) -> list[str]:
    result = lint_example(Example(code=code, path=path, config=config))
    return [f.rule for f in result.findings]


def test_off_by_default_rules_need_their_settings_or_their_full_id():
    assert "TG505" not in selected_rules((), ())
    assert "TG505" not in selected_rules(("TG5",), ())  # a prefix is not enough
    assert "TG505" in selected_rules(("TG505",), ())
    assert "TG505" in selected_rules((), (), ("TG505",))
    assert "TG505" not in selected_rules((), ("TG505",), ("TG505",))  # ignore still wins
    assert "TG505" not in selected_rules(("TG1",), (), ("TG505",))  # so does a narrower select
    assert "TG505" in selected_rules(("TG5",), (), ("TG505",))
    assert "TG503" in selected_rules((), ())


def test_environ_access_is_silent_until_the_policy_is_configured():
    assert "TG505" not in rules_fired(ENVIRON)
    assert rules_fired(ENVIRON, environ={}).count("TG505") == 1
    assert "TG505" not in rules_fired(
        ENVIRON, path="tests/conftest.py", environ={"allowed-modules": ["**/conftest.py"]}
    )


def test_environ_access_follows_an_aliased_os_module():
    code = "import os as _os\n\ndef test_env():\n    assert _os.environ.get('HOME')\n"
    assert rules_fired(code, environ={}).count("TG505") == 1


def test_test_class_with_a_constructor_names_the_tests_that_never_run():
    code = (
        "class TestCart:\n"
        "    def __init__(self):\n        self.items = []\n\n"
        "    def test_empty(self):\n        assert not self.items\n\n"
        "    def test_add(self):\n        assert True\n"
    )
    result = lint_example(Example(code=code, path="tests/unit/test_cart.py"))
    (finding,) = [f for f in result.findings if f.rule == "TG503"]
    assert "it defines `__init__`; its 2 tests never run" in finding.message


def test_unittest_testcase_and_helper_modules_are_not_judged_by_tg503():
    testcase = "import unittest\n\nclass TestX(unittest.TestCase):\n    def __init__(self, name):\n        super().__init__(name)\n"
    assert "TG503" not in rules_fired(testcase)
    helper = "class TestData:\n    def __init__(self):\n        self.x = 1\n"
    assert "TG503" not in rules_fired(helper, path="tests/unit/factories.py")


def findings_of(rule: str, code: str, path: str, **config):
    result = lint_example(Example(code=code, path=path, config=config))
    return [f for f in result.findings if f.rule == rule]


def test_a_test_that_only_calls_a_local_asserting_helper_asserts_something():
    code = (
        "def _expect_ok(response):\n    assert response.ok\n\n"
        "def check(response):\n    _expect_ok(response)\n\n"
        "def test_get(client):\n    check(client.get('/'))\n\n"
        "def test_print(client):\n    print(client.get('/'))\n"
    )
    (finding,) = findings_of("TG501", code, "tests/unit/test_api.py")
    assert finding.line == 10 and "`test_print` asserts nothing" in finding.message


def test_skipped_and_unittest_style_tests_are_not_assertionless():
    code = (
        "import unittest\n\nimport pytest\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n\n"
        "class TestX(unittest.TestCase):\n    def test_eq(self):\n        self.assertEqual(1, 1)\n"
    )
    assert findings_of("TG501", code, "tests/unit/test_x.py") == []


def test_a_conditional_skip_in_an_integration_test_is_fine_an_unconditional_one_is_not():
    code = (
        "import pytest\n\n"
        "def test_a(redis):\n    if not redis:\n        pytest.skip('no redis')\n    assert redis\n\n"
        "def test_b(redis):\n    pytest.skip('broken since March')\n"
    )
    (finding,) = findings_of("TG502", code, "tests/integration/test_r.py")
    assert finding.line == 9 and "unconditionally" in finding.message


def test_a_skip_without_reason_in_a_unit_test_is_a_warning():
    code = "import pytest\n\n@pytest.mark.skip\ndef test_a():\n    assert 1\n"
    (finding,) = findings_of("TG502", code, "tests/unit/test_r.py")
    assert finding.severity.value == "warning" and "without a reason" in finding.message


def test_doubles_are_judged_by_the_kind_of_the_code_they_sit_in():
    code = (
        "import pytest\n\n"
        "class FakeRedis:\n    pass\n\n"
        "class Mockingbird:\n    pass\n\n"
        "@pytest.mark.integration\ndef test_a():\n    assert FakeRedis()\n"
    )
    # The module holds an integration test, so its helper classes serve one.
    found = findings_of("TG102", code, "tests/test_cache.py")
    assert [f.line for f in found] == [3]
    assert findings_of("TG102", code.replace("@pytest.mark.integration\n", ""), "tests/test_cache.py") == []


def test_module_level_pytestmark_satisfies_require_markers_for_every_test():
    code = "import pytest\n\npytestmark = pytest.mark.e2e\n\ndef test_a():\n    assert 1\n"
    settings = {"require-markers": ["integration", "e2e"]}
    assert findings_of("TG504", code, "tests/e2e/test_flow.py", **settings) == []
    bare = code.replace("pytestmark = pytest.mark.e2e\n", "")
    (finding,) = findings_of("TG504", bare, "tests/e2e/test_flow.py", **settings)
    assert finding.cause == "missing-marker:tests/e2e/test_flow.py"
    assert findings_of("TG504", bare, "tests/e2e/test_flow.py") == []  # off by default


def test_empty_module_message_counts_the_commented_out_lines():
    code = "".join(f"# REMOVED_SYNTAX_ERROR: line {n}\n" for n in range(40)) + "# a note\n"
    (finding,) = findings_of("TG506", code, "tests/unit/test_old.py")
    assert "41 of its 41 non-blank lines are commented out, 40 of them" in finding.message
    assert finding.cause == "empty-module:commented-out"


def test_a_module_of_helpers_is_empty_but_a_conftest_or_helper_file_is_not_judged():
    code = "def make_user():\n    return {}\n"
    (finding,) = findings_of("TG506", code, "tests/unit/test_factories.py")
    assert finding.cause == "empty-module:no-tests"
    assert findings_of("TG506", code, "tests/unit/factories.py") == []
    assert findings_of("TG506", code, "tests/conftest.py") == []


def test_rules_agree_with_the_scope_model_on_what_pytest_collects():
    # A dataclass named Test*: pytest refuses it, so its test is neither judged for
    # assertions (TG501) nor counted; the module collects nothing (TG506).
    code = (
        "from dataclasses import dataclass\n\n@dataclass\nclass TestSettings:\n"
        "    url: str = ''\n\n    def test_url(self):\n        print(self.url)\n"
    )
    result = lint_example(Example(code=code, path="tests/unit/test_settings.py"))
    rules = sorted(f.rule for f in result.findings if f.rule.startswith("TG5"))
    assert rules == ["TG503", "TG506"]
    assert result.tests == 0


def test_demo_audit_shows_the_integrity_category_with_its_findings_and_root_causes(cli):
    from conftest import DEMO

    new_rules = {"TG102", "TG501", "TG502", "TG503", "TG504", "TG505", "TG506"}
    check = cli.json("check", DEMO)
    integrity_findings = [f for f in check["findings"] if f["rule"] in new_rules | {"TG000"}]
    assert {f["rule"] for f in integrity_findings} == new_rules | {"TG000"}
    audit = cli.json("audit", DEMO)
    (integrity,) = [c for c in audit["categories"] if c["id"] == "integrity"]
    assert new_rules <= set(integrity["rules"])
    assert integrity["findings"] == len(integrity_findings)
    assert integrity["failing_files"] == len({f["path"] for f in integrity_findings})
    assert "empty-module:commented-out" in audit["root_causes"]
    assert "unresolved:auth_service.auth_core" in audit["root_causes"]
