"""The CI recipes in docs/ci.md and the README parse, and every `testgrade` command
and option they use exists: a recipe that fails when pasted is worse than none."""

from __future__ import annotations

import re
import shlex

import click
import pytest
import yaml

from testgrade.cli import main

from conftest import REPO


def yaml_block(document: str, marker: str) -> str:
    text = (REPO / document).read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert match, f"{document} has no YAML block marked {marker}"
    return match.group(1)


def shell_lines(recipe: object) -> list[str]:
    """Every shell line of a workflow: `run:` steps, `script:` and `before_script:` entries."""
    found: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in ("run", "script", "before_script"):
            found.extend(line.strip() for line in node.splitlines())

    walk(recipe)
    return found


def invocations_of(lines: list[str]) -> list[list[str]]:
    invocations = []
    for line in lines:
        line = line.split("  #")[0]  # a trailing comment
        for command in re.split(r"&&|;|\|\|", line):
            words = shlex.split(command, comments=True)
            if words and words[0] == "testgrade":
                invocations.append(words)
    return invocations


def assert_exists(words: list[str]) -> None:
    command = main.commands.get(words[1])
    assert isinstance(command, click.Command), f"no command `testgrade {words[1]}`"
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    for word in words[2:]:
        if word.startswith("-"):
            assert word.split("=")[0] in known, f"`testgrade {words[1]}` has no option {word}"


RECIPES = [("docs/ci.md", "github-workflow"), ("docs/ci.md", "gitlab-ci")]


@pytest.mark.parametrize(("document", "marker"), RECIPES)
def test_every_testgrade_command_and_option_in_the_recipe_exists(document, marker):
    recipe = yaml.safe_load(yaml_block(document, marker))
    invocations = invocations_of(shell_lines(recipe))
    assert invocations, "the recipe runs no testgrade command"
    for words in invocations:
        assert_exists(words)


def test_the_github_workflow_gates_pull_requests_uploads_sarif_and_caches():
    workflow = yaml.safe_load(yaml_block("docs/ci.md", "github-workflow"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["testgrade"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("--since" in r and "--format github" in r for r in runs)
    sarif = next(r for r in runs if "--format sarif" in r)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] in sarif
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".testgrade_cache"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # --since needs the base branch


def test_the_gitlab_job_publishes_its_junit_report():
    job = yaml.safe_load(yaml_block("docs/ci.md", "gitlab-ci"))["testgrade"]
    report = job["artifacts"]["reports"]["junit"]
    assert all(report in line for line in shell_lines(job) if "--format junit" in line)


def test_the_readme_shows_the_same_github_workflow():
    assert yaml_block("README.md", "github-workflow") == yaml_block("docs/ci.md", "github-workflow")


def test_a_recipe_with_a_misspelt_option_would_be_caught():
    with pytest.raises(AssertionError, match="has no option --sinse"):
        assert_exists(["testgrade", "check", "--sinse", "main"])
    with pytest.raises(AssertionError, match="no command"):
        assert_exists(["testgrade", "chekc"])
