"""The benchmark corpus generator: deterministic, shaped like the seeds, every rule planted."""

from __future__ import annotations

import json

from corpus_tree import generate


def _snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_gives_byte_identical_trees(tmp_path):
    generate("tiny", tmp_path / "a")
    generate("tiny", tmp_path / "b")
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_another_seed_gives_another_tree(tmp_path):
    generate("tiny", tmp_path / "a", seed=1)
    generate("tiny", tmp_path / "b", seed=2)
    assert _snapshot(tmp_path / "a") != _snapshot(tmp_path / "b")


def test_tree_has_services_with_three_tiers_conftests_and_helpers(tmp_path):
    manifest = generate("tiny", tmp_path)
    files = set(_snapshot(tmp_path))
    assert manifest.files == len([f for f in files if f.endswith(".py")]) == 60
    for tier in ("unit", "integration", "e2e"):
        assert any(f"/tests/{tier}/test_" in f for f in files)
    assert any(f.endswith("tests/conftest.py") for f in files)
    assert any(f.endswith("tests/helpers.py") for f in files)
    assert "[tool.testgrade.deprecated-imports]" in (tmp_path / "pyproject.toml").read_text()


def test_every_planted_violation_is_found_and_nothing_fails_to_parse(cli, tmp_path):
    manifest = generate("tiny", tmp_path)
    result = cli("check", tmp_path, "--no-cache", "--format", "json")
    document = json.loads(result.stdout)
    by_rule: dict[str, set[str]] = {}
    for finding in document["findings"]:
        by_rule.setdefault(finding["rule"], set()).add(finding["path"])
    assert "TG000" not in by_rule
    for rule, paths in manifest.planted.items():
        assert paths, f"the tiny corpus plants no {rule}"
        assert set(paths) == by_rule.get(rule, set()), rule


def test_the_session_size_matches_the_seed_report(tmp_path):
    manifest = generate("session", tmp_path)
    assert manifest.files == 115
    assert 140_000 <= manifest.lines <= 146_000  # the seed: ~143,405 lines, 1,247 per file
    sizes = [p.read_text().count("\n") for p in tmp_path.rglob("test_*.py")]
    assert max(sizes) > 1_500 and min(sizes) >= 300


def test_the_real_shaped_corpus_looks_like_a_real_tree(cli, tmp_path):
    """~450-line files, ~40% comments and blanks, mocks in ~60% of files, 13% of files
    integration tests using mocks throughout; every planted finding is found."""
    manifest = generate("real-tiny", tmp_path)
    tests = [p.read_text() for p in tmp_path.rglob("test_*.py")]
    lines = [line.strip() for text in tests for line in text.splitlines()]
    quiet = sum(1 for line in lines if not line or line.startswith("#"))
    assert 300 <= len(lines) / len(tests) <= 650
    assert 0.33 <= quiet / len(lines) <= 0.47
    assert 0.45 <= sum("Mock" in text for text in tests) / len(tests) <= 0.8
    assert any("1. Segment:" in t for t in tests) and any("**Segment:**" in t for t in tests)
    assert any('"""BVJ: ' in t for t in tests) and any("(BaseIntegrationTest):" in t for t in tests)
    document = cli.json("check", tmp_path, "--no-cache")
    by_rule: dict[str, set[str]] = {}
    for finding in document["findings"]:
        by_rule.setdefault(finding["rule"], set()).add(finding["path"])
    assert "TG000" not in by_rule and "TG203" not in by_rule  # imports resolve, as in a real tree
    for rule in ("TG101", "TG201", "TG202", "TG301"):
        assert manifest.planted[rule], rule
        assert set(manifest.planted[rule]) <= by_rule.get(rule, set()), rule
    late = [f for f in document["findings"] if f["rule"] == "TG101" and f["line"] > 200]
    assert late, "findings run through the bodies of integration tests using mocks"
