"""Classification drives TG101: the same mock is an error only in integration/e2e files."""

from __future__ import annotations

import pytest

from testgrade.config import Config
from testgrade.engine import lint_source
from testgrade.ftypes import Kind, Role

MOCK = "from unittest.mock import MagicMock\n"


def lint(code: str, path: str = "tests/test_a.py"):
    return lint_source(code.encode(), path, Config())


@pytest.mark.parametrize(
    ("path", "code", "kind"),
    [
        ("tests/unit/test_a.py", MOCK, Kind.UNIT),
        ("tests/integration/test_a.py", MOCK, Kind.INTEGRATION),
        ("svc/tests/e2e/test_a.py", MOCK, Kind.E2E),
        ("tests/test_a.py", MOCK + "import pytest\npytestmark = pytest.mark.integration\n", Kind.INTEGRATION),
        ("tests/test_a.py", MOCK + "import pytest\npytestmark = [pytest.mark.slow, pytest.mark.e2e]\n", Kind.E2E),
        ("tests/test_a.py", MOCK + "from pytest import mark\n@mark.real_services\ndef test_x(): pass\n", Kind.INTEGRATION),
        ("tests/test_a.py", MOCK + "import pytest\nclass TestX:\n    @pytest.mark.integration()\n    def test_y(self): pass\n", Kind.INTEGRATION),
        ("tests/test_a.py", MOCK + "class TestX(BaseIntegrationTest):\n    def test_y(self): pass\n", Kind.INTEGRATION),
        ("tests/test_a.py", MOCK + "class TestX(framework.E2ETestCase):\n    def test_y(self): pass\n", Kind.E2E),
        ("tests/integration/test_a.py", MOCK + "import pytest\npytestmark = pytest.mark.e2e\n", Kind.E2E),
    ],
)
def test_kind_comes_from_paths_markers_and_base_classes(path, code, kind):
    result = lint(code, path)
    assert result.kind is kind
    flagged = any(f.rule == "TG101" for f in result.findings)
    assert flagged == (kind is not Kind.UNIT)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("tests/test_a.py", Role.TEST),
        ("tests/a_test.py", Role.TEST),
        ("tests/conftest.py", Role.CONFTEST),
        ("tests/helpers.py", Role.HELPER),
    ],
)
def test_role_from_file_name(path, role):
    assert lint("x = 1\n", path).role is role


def test_configured_integration_paths_replace_the_defaults():
    config = Config(integration_paths=("**/it/**",))
    assert lint_source(MOCK.encode(), "tests/it/test_a.py", config).kind is Kind.INTEGRATION
    assert lint_source(MOCK.encode(), "tests/integration/test_a.py", config).kind is Kind.UNIT


def test_http_patch_and_local_mock_names_are_not_mocks():
    code = (
        "import requests\n"
        "def test_x(client):\n"
        "    requests.patch('http://x')\n"
        "    client.patch('/a')\n"
        "    Mock = object\n"
        "    Mock()\n"
    )
    assert lint(code, "tests/integration/test_a.py").findings == tuple(
        f for f in lint(code, "tests/integration/test_a.py").findings if f.rule != "TG101"
    )
