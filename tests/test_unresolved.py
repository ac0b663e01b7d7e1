"""TG203 on a repository whose code moved under its tests (fixtures/resolution).

The fixture marks every line that must raise TG203 with a `# TG203` comment;
everything else in it resolves (re-exports, `__all__`, conditional imports,
namespace packages spanning the root and `src/`, wildcards, `__getattr__`), so
the test is exact both ways.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from testgrade.cache import Cache
from testgrade.config import ConfigError, load_config
from testgrade.discovery import discover
from testgrade.runner import RunStats, lint_files

from conftest import FIXTURES
from test_cli import write

RESOLUTION = FIXTURES / "resolution"
MARKED = re.compile(r"#\s*TG203:")


def tg203(cli, tree: Path, *extra: str) -> list[dict]:
    document = cli.json("check", tree, "--select", "TG203", "--no-cache", *extra)
    return document["findings"]


def marked_lines(tree: Path) -> set[tuple[str, int]]:
    marked = set()
    for path in tree.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if MARKED.search(line):
                marked.add((path.relative_to(tree).as_posix(), number))
    return marked


@pytest.fixture
def project(tmp_path) -> Path:
    copy = tmp_path / "resolution"
    shutil.copytree(RESOLUTION, copy)
    return copy


def test_every_stale_import_is_found_and_nothing_that_resolves(cli):
    findings = tg203(cli, RESOLUTION)
    found = {(f["path"], f["line"]) for f in findings}
    assert found == marked_lines(RESOLUTION)
    assert len(findings) == len(found), "one finding per marked line"


def test_messages_name_the_missing_piece_and_a_close_match(cli):
    by_line = {f["line"]: f["message"] for f in tg203(cli, RESOLUTION)}
    assert by_line[5] == (
        "Unresolved import `shop.legacy_orders`: module `shop.legacy_orders` does not exist; "
        "did you mean `shop.orders`?"
    )
    assert by_line[10] == (
        "`make_order` is not defined in `shop.orders` (src/shop/orders.py); "
        "did you mean `create_order`?"
    )
    assert "Patch target `shop.gone.thing` does not resolve" in by_line[17]


def test_findings_of_one_missing_module_share_a_root_cause(cli):
    causes = {f["line"]: f["cause"] for f in tg203(cli, RESOLUTION)}
    assert causes[5] == causes[9] == "unresolved:shop.legacy_orders"
    assert causes[10] == causes[15] == "unresolved:shop.orders.make_order"
    assert causes[7] == "unresolved:acme.payments"


def test_the_code_under_analysis_is_read_never_imported(cli):
    # src/shop/explosive.py raises when imported; the file importing it is clean.
    findings = tg203(cli, RESOLUTION)
    assert not any("imports_that_resolve" in f["path"] for f in findings)
    assert "shop" not in sys.modules and "acme" not in sys.modules


def test_configured_first_party_limits_what_is_judged(cli, project):
    write(project / "pyproject.toml", '[tool.testgrade]\nfirst-party = ["acme"]\n')
    findings = tg203(cli, project)
    assert {f["line"] for f in findings} == {6, 7}  # only the acme imports


def test_source_roots_decide_where_modules_are_found(cli, project):
    write(project / "pyproject.toml", '[tool.testgrade]\nsource-roots = ["."]\n')
    findings = tg203(cli, project)
    # Without src/ on the path, `shop` is not first-party and `acme.shipping` is gone.
    assert not any("`shop" in f["message"] for f in findings)
    clean = [f for f in findings if "imports_that_resolve" in f["path"]]
    assert [f["cause"] for f in clean] == ["unresolved:acme.shipping"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("first-party = ['a b']", "`tool.testgrade.first-party` has an invalid dotted name 'a b'"),
        ("source-roots = ['../lib']", "`tool.testgrade.source-roots` entries must be directories"),
        ("source-roots = 'src'", "`tool.testgrade.source-roots` must be an array of strings"),
    ],
)
def test_bad_resolution_settings_name_the_key(tmp_path, toml, message):
    config = write(tmp_path / "pyproject.toml", f"[tool.testgrade]\n{toml}\n")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith(f"{config}: ") and message in str(error.value)


def touch_later(path: Path) -> None:
    """Make a change visible to stamps even on file systems with coarse mtimes."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_a_cached_result_follows_the_modules_it_resolved_through(cli, project):
    def lines() -> set[int]:
        document = cli.json("check", project, "--select", "TG203", "--jobs", "1")
        return {f["line"] for f in document["findings"]}

    def cache_stats() -> RunStats:
        config = load_config(project).with_overrides(select=("TG203",))
        stats = RunStats()
        lint_files(discover([project], config), config, 1, cache=Cache(config), stats=stats)
        return stats

    before = lines()
    assert {5, 9, 10, 15} <= before
    warm = cache_stats()
    assert warm.cached == warm.files  # unchanged: every entry is reused
    # The test files do not change; the code they import does.
    orders = project / "src/shop/orders.py"
    orders.write_text(orders.read_text() + "\nmake_order = create_order\n")
    touch_later(orders)
    legacy = project / "src/shop/legacy_orders.py"
    legacy.write_text("from shop.orders import create_order as make_order\n")
    touch_later(legacy.parent)
    # Re-checked: the two changed modules, and the four files that import from
    # shop.orders (two tests, shop/__init__.py, shop/compat.py); nothing else.
    assert cache_stats().checked == 6
    after = lines()
    assert after == before - {5, 9, 10, 15}
    legacy.unlink()
    touch_later(legacy.parent)
    assert lines() == after | {5, 9}


def test_a_fresh_checkout_with_new_mtimes_still_hits_the_cache(cli, project):
    """A second CI job restores .testgrade_cache/ into a fresh checkout: every file has
    a new modification time but the same bytes, so TG203 entries stay valid."""
    config = load_config(project).with_overrides(select=("TG203",))
    lint_files(discover([project], config), config, 1, cache=Cache(config))
    later = os.stat(project).st_mtime + 3_600
    for path in [project, *project.rglob("*")]:
        os.utime(path, (later, later))
    stats = RunStats()
    lint_files(discover([project], config), config, 1, cache=Cache(config), stats=stats)
    assert stats.cached == stats.files > 0 and stats.checked == 0


def test_dot_directories_appearing_in_the_project_do_not_invalidate_entries(cli, project):
    """`.pytest_cache`, `.git` or testgrade's own cache cannot hold a module (a module
    name is an identifier): a directory's stamp ignores them."""
    config = load_config(project).with_overrides(select=("TG203",))
    lint_files(discover([project], config), config, 1, cache=Cache(config))
    for parent in (project, project / "src" / "shop"):
        (parent / ".pytest_cache").mkdir()
        touch_later(parent)
    stats = RunStats()
    lint_files(discover([project], config), config, 1, cache=Cache(config), stats=stats)
    assert stats.cached == stats.files > 0 and stats.checked == 0
    (project / "src" / "shop" / "payments.py").write_text("def pay():\n    pass\n")
    touch_later(project / "src" / "shop")
    stats = RunStats()
    lint_files(discover([project], config), config, 1, cache=Cache(config), stats=stats)
    assert stats.checked > 0  # a new module does change the listing


def test_a_module_too_large_to_read_is_stamped_in_chunks_and_claims_nothing(cli, project, monkeypatch):
    """Above the size where names are read, a module is never read whole (a worker's
    memory budget must not go to it): its stamp is the same content digest, taken in
    chunks, and what it defines is unknowable, so nothing imported from it is flagged."""
    from testgrade import resolution
    from testgrade.fileio import content_digest

    big = project / "src" / "shop" / "generated_tables.py"
    big.write_bytes(b"TABLE = [\n" + b"    0,\n" * (resolution._MAX_MODULE_BYTES // 6) + b"]\n")
    test = project / "tests" / "test_tables.py"
    test.write_text("from shop.generated_tables import TABLE, ANYTHING\n\n"
                    "def test_t():\n    assert TABLE is not ANYTHING\n")
    real_read = resolution.read_regular

    def read_regular(path, limit=None):
        assert Path(path) != big, "the large module was read whole"
        return real_read(path, limit)

    monkeypatch.setattr(resolution, "read_regular", read_regular)
    resolution._SEEN.clear()
    assert resolution.stamp(big) == "f" + content_digest(big.read_bytes())
    assert not [f for f in tg203(cli, project) if f["path"] == "tests/test_tables.py"]
