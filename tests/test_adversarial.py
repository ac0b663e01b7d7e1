"""Hostile input: every file of fixtures/adversarial gives its expected finding or its
documented skip (expected.json), with the right line, and never a traceback, a hang
or a crash, whatever the number of workers.

What git cannot hold, or should not (huge and pathological files, symlinks that
dangle or loop, a FIFO, an unreadable file, a file that changes while it is read),
is made here in a temporary copy of the tree.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from testgrade import guards, runner
from testgrade.config import load_config
from testgrade.discovery import discover
from testgrade.engine import lint_source
from testgrade.runner import lint_files

ADVERSARIAL = FIXTURES / "adversarial"
EXPECTED = json.loads((ADVERSARIAL / "expected.json").read_text(encoding="utf-8"))


def bvj_docstring(what: str, close: bool = True) -> str:
    """Eight lines: a module docstring with a complete BVJ, so only the hostile part is reported."""
    return (
        f'"""Adversarial input: {what}.\n\n'
        "Business Value Justification (BVJ):\n"
        "- Segment: Platform/Internal\n"
        "- Business Goal: Stability\n"
        "- Value Impact: testgrade survives hostile files\n"
        "- Strategic Impact: CI goes red only for real findings\n"
        + ('"""\n' if close else "")
    )


def hundred_thousand_lines() -> bytes:
    # Lines 1-7 open the docstring, 99,991 filler lines, the docstring closes on
    # line 99,999 and the relative import sits on line 100,000.
    filler = "~\n" * (100_000 - 9)  # 200 kB: under the tree's max-file-bytes
    text = bvj_docstring("a 100,000-line file", close=False) + filler + '"""\n'
    return (text + "from . import helpers\n").encode()


def deep_parentheses() -> bytes:
    return (bvj_docstring("2,000 nested parentheses") + "value = " + "(" * 2000 + "1"
            + ")" * 2000 + "\n").encode()


def long_chain() -> bytes:
    terms = " +\n".join(["    1"] * 10_000)  # one term per line: the line number must be right
    return (bvj_docstring("a 10,000-term 1+1+... chain") + "value = (\n" + terms + "\n)\n").encode()


def huge_list() -> bytes:
    return (bvj_docstring("a 200,000-element list literal") + "value = ["
            + "1, " * 200_000 + "]\n").encode()


def long_elif_chain() -> bytes:
    branches = "".join(f"    elif x == {n}:\n        pass\n" for n in range(1, 10_001))
    return (bvj_docstring("10,000 elif branches") + "def test_branches(x):\n"
            "    if x == 0:\n        pass\n" + branches).encode()


def over_the_size_limit() -> bytes:
    return (bvj_docstring("1.2 MB, above limits.max-file-bytes") + "# padding\n" * 120_000).encode()


def long_blank_runs() -> bytes:
    # 100,000 blanks in a row, where a careless regular expression backtracks
    # quadratically (the BVJ parser once took 25 s on 40,000).
    blanks = " " * 100_000
    return ('"""BVJ:\n'
            f"Segment: {blanks}Enterprise{blanks}- the largest customers\n"
            f"Business Goal{blanks}\n"
            f"{blanks}-{blanks}x\n"
            '"""\n'
            f"# testgrade: ignore{blanks}[TG401]{blanks}\n"
            f"from{blanks}. import helpers\n").encode()


GENERATED = {
    "tests/test_100k_lines.py": hundred_thousand_lines,
    "tests/test_deep_parentheses.py": deep_parentheses,
    "tests/test_long_chain.py": long_chain,
    "tests/test_huge_list.py": huge_list,
    "tests/test_long_elif_chain.py": long_elif_chain,
    "tests/test_over_size_limit.py": over_the_size_limit,
    "tests/test_long_blank_runs.py": long_blank_runs,
}

SYMLINKS = {  # name -> target, relative to tests/
    "test_broken_link.py": "does_not_exist.py",
    "test_loop_a.py": "test_loop_b.py",
    "test_loop_b.py": "test_loop_a.py",
    "loop_dir": ".",  # a directory that contains itself
}


def build_tree(root: Path) -> Path:
    tree = root / "adversarial"
    shutil.copytree(ADVERSARIAL, tree, symlinks=True)
    for relpath, make in GENERATED.items():
        (tree / relpath).write_bytes(make())
    for name, target in SYMLINKS.items():
        os.symlink(target, tree / "tests" / name)
    os.mkfifo(tree / "tests" / "test_fifo.py")  # reading it would block forever
    return tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return build_tree(tmp_path_factory.mktemp("hostile"))


def run_testgrade(*args: object, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real CLI in its own process: a hang is a timeout, a crash an exit code."""
    return subprocess.run(
        [sys.executable, "-m", "testgrade", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )


def expected_findings() -> list[tuple[str, str, int, int]]:
    return sorted((f["path"], f["rule"], f["line"], f["column"]) for f in EXPECTED["findings"])


def assert_matches_expected(findings: list[dict]) -> None:
    got = sorted((f["path"], f["rule"], f["line"], f["column"]) for f in findings)
    assert got == expected_findings()
    reasons = {(f["path"], f["rule"]): f["reason"] for f in EXPECTED["findings"]}
    for finding in findings:
        assert reasons[finding["path"], finding["rule"]] in finding["message"], finding


def assert_clean_exit(result: subprocess.CompletedProcess, allowed: tuple[int, ...]) -> None:
    assert result.returncode in allowed, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Fatal Python error" not in result.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_reports_exactly_the_expected_findings(tree, jobs):
    result = run_testgrade("check", tree, "--format", "json", "--jobs", jobs, "--no-cache", cwd=tree)
    assert_clean_exit(result, (1,))
    document = json.loads(result.stdout)
    assert_matches_expected(document["findings"])
    files = {record["path"]: record for record in document["files"]}
    for path, lines in EXPECTED["lines"].items():
        assert files[path]["lines"] == lines, path
    for skip in EXPECTED["skipped"]:
        assert skip["path"] not in files, skip
    assert set(files) == set(EXPECTED["checked"])


@pytest.mark.parametrize("jobs", [1, 2])
def test_audit_reports_exactly_the_expected_findings(tree, jobs):
    # The second run reads the cache the first one wrote: same findings either way.
    result = run_testgrade("audit", tree, "--format", "json", "--jobs", jobs, cwd=tree)
    assert_clean_exit(result, (0,))
    document = json.loads(result.stdout)
    assert_matches_expected([f for record in document["files"] for f in record["findings"]])
    assert {record["path"] for record in document["files"]} == set(EXPECTED["checked"])


def test_text_output_over_the_tree_is_one_line_per_finding(tree):
    result = run_testgrade("check", tree, "--jobs", "2", "--no-cache", cwd=tree)
    assert_clean_exit(result, (1,))
    lines = [line for line in result.stdout.splitlines() if ": TG" in line]
    assert len(lines) == len(EXPECTED["findings"])
    assert "tests/test_100k_lines.py:100000:1: TG201" in result.stdout


def test_every_file_of_the_tree_is_accounted_for(tree):
    """A new hostile file must come with its expected behaviour."""
    named = set(EXPECTED["checked"]) | {s["path"] for s in EXPECTED["skipped"]}
    on_disk = {
        p.relative_to(tree).as_posix()
        for p in (tree / "tests").rglob("*.py")
        if not p.is_relative_to(tree / "tests" / "loop_dir")
    }
    on_disk |= {f"tests/{name}" for name in SYMLINKS if name.endswith(".py")}
    assert on_disk <= named | {"tests/x.py"}
    for skip in EXPECTED["skipped"]:
        assert skip["why"], skip


# --- what only a test can make ------------------------------------------------------


def test_paths_that_cannot_be_read_named_on_the_command_line_do_not_hang(tree):
    named = ["tests/test_fifo.py", "tests/test_broken_link.py", "tests/test_loop_a.py",
             "tests/loop_dir/loop_dir/test_crlf.py"]
    result = run_testgrade("check", *named, "--no-cache", cwd=tree, timeout=120)
    assert_clean_exit(result, (1,))
    # Only the regular file behind the looping directory link is checked.
    assert "test_crlf.py:9:1: TG201" in result.stdout
    assert "1 of 1 file" in result.stdout


def _drop_file_permission_override() -> None:
    """In the child: give up CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so root obeys mode bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(97)


def test_an_unreadable_file_is_tg000_with_the_reason(tmp_path):
    # chmod 000 does not stop root, which our CI runs as: the child process drops
    # the capability that lets root read anything, then execs testgrade.
    tree = build_tree(tmp_path)
    secret = tree / "tests" / "test_unreadable.py"
    secret.write_text("def test_a():\n    pass\n")
    secret.chmod(0)
    command = [sys.executable, "-m", "testgrade", "check", "tests", "--no-cache", "--jobs", "2",
               "--format", "json"]
    as_root = os.geteuid() == 0
    result = subprocess.run(
        command, cwd=tree, capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=_drop_file_permission_override if as_root else None,
    )
    if result.returncode == 97:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here (no CAP_SETPCAP); see test_faults.py")
    assert_clean_exit(result, (1,))
    findings = json.loads(result.stdout)["findings"]
    (finding,) = [f for f in findings if f["path"] == "tests/test_unreadable.py"]
    assert (finding["rule"], finding["line"], finding["message"]) == (
        "TG000", 1, "Cannot read file: Permission denied"
    )
    assert len(findings) == len(EXPECTED["findings"]) + 1  # the rest of the run is unharmed


def test_a_file_that_changes_while_it_is_read_is_checked_as_read(tmp_path, monkeypatch, cli):
    """The engine sees one read's bytes, and the cache files them under those bytes only."""
    (tmp_path / "pyproject.toml").write_text("[tool.testgrade]\n")
    target = tmp_path / "tests" / "moving.py"  # a helper: no tests expected
    target.parent.mkdir()
    before = bvj_docstring("a file rewritten mid-read") + "\n\ndef test_a():\n    pass\n"
    after = "from . import helpers\n" * 40
    target.write_text(before)
    real_read = runner._read_at_most

    def torn_read(path: Path, limit: int) -> bytes:
        if path.name != "moving.py":
            return real_read(path, limit)
        with open(path, "rb", buffering=0) as handle:  # no read-ahead: a real torn read
            head = handle.read(100)
            path.write_text(after)  # truncated and rewritten under the open handle
            return head + handle.read(limit)

    monkeypatch.setattr(runner, "_read_at_most", torn_read)
    torn = cli.json("check", tmp_path, "--jobs", "1")
    monkeypatch.undo()
    (finding,) = torn["findings"]  # the torn bytes: an unterminated docstring
    assert (finding["rule"], finding["line"]) == ("TG000", 1)
    settled = cli.json("check", tmp_path, "--jobs", "1")  # the cache must not answer for new bytes
    assert [(f["rule"], f["line"]) for f in settled["findings"]] == [
        ("TG201", n) for n in range(1, 41)
    ]


def test_a_real_parser_segfault_costs_one_file_not_the_run(tmp_path, monkeypatch):
    """Were a shape to slip past the guards, libcst's crash would kill one worker only."""
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / "pyproject.toml").write_text("[tool.testgrade]\n")
    (tree / "tests" / "test_deep.py").write_bytes(deep_parentheses())
    (tree / "tests" / "tidy.py").write_text("from . import helpers\n")  # a helper
    for limit in ("MAX_BRACKET_DEPTH", "MAX_EXPRESSION_DEPTH"):  # workers fork: they see it too
        monkeypatch.setattr(guards, limit, 10**9)
    config = load_config(tree)
    results = lint_files(discover([tree], config), config, jobs=1)
    deep, fine = results
    (crash,) = deep.findings
    assert crash.rule == "TG000" and "worker process died" in crash.message
    assert [f.rule for f in fine.findings] == ["TG201"]


# --- the guards themselves ----------------------------------------------------------


SHAPES = {  # each is past libcst's crash or multi-second threshold at n = 10,000
    "parentheses": lambda n: "x = " + "(" * n + "1" + ")" * n + "\n",
    "calls": lambda n: "x = " + "f(" * n + ")" * n + "\n",
    "lists": lambda n: "x = " + "[" * n + "]" * n + "\n",
    "plus chain": lambda n: "x = " + "+".join(["1"] * n) + "\n",
    "and chain": lambda n: "x = " + " and ".join(["a"] * n) + "\n",
    "attributes": lambda n: "x = a" + ".b" * n + "\n",
    "subscripts": lambda n: "x = a" + "[0]" * n + "\n",
    "not": lambda n: "x = " + "not " * n + "1\n",
    "unary minus": lambda n: "x = " + "-" * n + "1\n",
    "lambdas": lambda n: "x = " + "lambda: " * n + "1\n",
    "nested f-strings": lambda n: "x = " + "f'{" * n + "1" + "}'" * n + "\n",
    "elif": lambda n: "if x:\n    pass\n" + "elif x:\n    pass\n" * n,
    "list literal": lambda n: "x = [" + "1, " * (20 * n) + "]\n",
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_guards_refuse_every_shape_that_crashes_or_stalls_libcst(shape):
    refusal = guards.check_structure(SHAPES[shape](10_000))
    assert refusal is not None
    assert refusal.message.startswith(("Too deeply nested", "Expression too long"))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_guards_accept_the_same_shapes_at_a_realistic_size(shape):
    assert guards.check_structure(SHAPES[shape](50)) is None


def test_guards_accept_every_python_file_of_this_repository():
    for path in [*REPO.joinpath("src").rglob("*.py"), *REPO.joinpath("tests").rglob("*.py")]:
        assert guards.check_structure(path.read_text(encoding="utf-8")) is None, path


def test_brackets_in_strings_and_comments_do_not_count():
    text = "x = 1  # " + "(" * 500 + "\ny = '" + "[" * 500 + "'\nz = '''\n" + "{" * 500 + "\n'''\n"
    assert guards.check_structure(text) is None


def test_a_refusal_points_at_the_line_and_column_where_the_limit_is_passed():
    text = "x = 1\r\ny = 2\rz = " + "(" * 300 + ")" * 300 + "\n"
    refusal = guards.check_structure(text)
    assert refusal is not None
    assert (refusal.line, refusal.column) == (3, 5 + guards.MAX_BRACKET_DEPTH)


def test_size_ceiling_is_checked_before_decoding(tmp_path):
    config = load_config(ADVERSARIAL)
    data = b"\xff" * (config.limits.max_file_bytes + 1)  # not UTF-8 either: size wins
    (finding,) = lint_source(data, "tests/test_big.py", config).findings
    assert finding.message == (
        f"Skipped: {len(data):,} bytes, above limits.max-file-bytes "
        f"({config.limits.max_file_bytes:,})"
    )


def test_runner_reads_through_the_engine_guard(monkeypatch):
    """The guard runs where every file goes: lint_source, called by the workers."""
    assert runner.check_bytes.__module__ == "testgrade.runner"
    config = load_config(ADVERSARIAL)
    result = runner.check_bytes(deep_parentheses(), "tests/test_deep.py", None, config, None)
    assert result.findings[0].message.startswith("Too deeply nested for the parser (depth 201")


# --- hostile side inputs: configuration, baselines, shards, earlier reports ------------

DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("args", "fragment"), [
    (("merge", "{deep}"), "not a testgrade JSON result (nested too deeply)"),
    (("check", "{tree}", "--baseline", "{deep}"), "not a testgrade baseline (nested too deeply)"),
    (("audit", "{tree}", "--compare", "{deep}"), "is not an audit JSON report (nested too deeply)"),
])
def test_json_nested_too_deeply_is_a_one_line_error(cli, tmp_path, args, fragment):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP_JSON)
    (tmp_path / "pyproject.toml").write_text("[tool.testgrade]\n")
    result = cli(*(a.format(deep=deep, tree=tmp_path) for a in args), "--no-cache"
                 if args[0] != "merge" else "--format=text")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("testgrade: error: ") and fragment in line


def test_toml_nested_too_deeply_is_a_one_line_error(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.testgrade]\ninclude = " + "[" * 5_000 + "]" * 5_000 + "\n"
    )
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"testgrade: error: {tmp_path / 'pyproject.toml'}: invalid TOML: nested too deeply"
    ]
