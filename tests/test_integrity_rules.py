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
