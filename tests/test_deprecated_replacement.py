"""TG202 --fix never rewrites an import to a first-party module that does not exist."""

from __future__ import annotations

import shutil

from conftest import FIXTURES

TREE = FIXTURES / "deprecated_replacement"
TEST = "tests/test_logging_imports.py"


def tg202(cli, root) -> dict[str, dict]:
    findings = cli.json("check", root, "--no-cache")["findings"]
    return {f["message"].split("`")[1]: f for f in findings if f["rule"] == "TG202"}


def test_a_missing_first_party_replacement_is_not_fixable_and_says_why(cli):
    found = tg202(cli, TREE)
    assert found["acme.logging.legacy_factory"]["fixable"] is True
    missing = found["acme.logging.old_config"]
    assert missing["fixable"] is False
    assert "its replacement `acme.logging.config_ssot` does not exist" in missing["message"]
    assert "`acme.logging.config_ssot` is not under the source roots" in missing["message"]


def test_fix_rewrites_only_the_import_whose_replacement_exists(cli, tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(TREE, root)
    cli("check", root, "--no-cache", "--fix")
    fixed = (root / TEST).read_text()
    assert "from acme.logging.ssot import get_logger" in fixed
    assert "from acme.logging.old_config import SETTINGS" in fixed  # left alone


def test_once_the_replacement_exists_the_import_is_fixable(cli, tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(TREE, root)
    (root / "acme/logging/config_ssot.py").write_text("SETTINGS = {}\n")
    found = tg202(cli, root)
    assert found["acme.logging.old_config"]["fixable"] is True
