"""A plain (non-editable) install carries the catalogue: `pip install .` just works."""

from __future__ import annotations

import json
import subprocess
import sys
import venv

from testgrade.catalogue import load_catalogue

from conftest import DEMO, REPO


def run(*args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


def test_wheel_in_a_fresh_virtualenv_lists_rules_and_checks_the_demo(tmp_path):
    wheels = tmp_path / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, REPO)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("testgrade-*.whl")

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "-q", wheel)
    assert installed.returncode == 0, installed.stderr

    testgrade = env_dir / "bin" / "testgrade"
    listed = run(testgrade, "rules", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(load_catalogue())

    checked = run(testgrade, "check", DEMO, "--format", "json", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    expected = json.loads((DEMO / "expected_findings.json").read_text())
    found = [
        {"rule": f["rule"], "path": f["path"], "line": f["line"]}
        for f in json.loads(checked.stdout)["findings"]
    ]
    assert found == expected
