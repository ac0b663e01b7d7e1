"""The command line: check, audit, merge, rules and rule."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from testgrade import __version__
from testgrade.cache import Cache
from testgrade.catalogue import (
    CatalogueError,
    RuleSpec,
    catalogue_markdown,
    describe,
    load_catalogue,
    selected_rules,
)
from testgrade.config import DEFAULT_BASELINE, Config, ConfigError, load_config
from testgrade.discovery import DiscoveryError, discover
from testgrade.ftypes import FileResult, Severity
from testgrade.output import (
    AS_RECORDED,
    DisplayPaths,
    plural,
    printable,
    render_json,
    render_text,
)
from testgrade.runner import capped_jobs, lint_files

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
CHECK_FORMATS = ["text", "json", "sarif", "junit", "github"]


def fail(message: str) -> None:
    """A one-line error on stderr and exit code 2: never a traceback for bad input."""
    click.echo(f"testgrade: error: {printable(message)}", err=True)
    sys.exit(EXIT_USAGE)


def _prefixes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    prefixes = tuple(p.strip().upper() for p in value.split(",") if p.strip())
    known = load_catalogue()
    for prefix in prefixes:
        if not any(rule_id.startswith(prefix) for rule_id in known):
            fail(f"no rule matches {prefix!r} (see `testgrade rules`)")
    return prefixes


def prepare(
    paths: Sequence[Path], config_file: Path | None, select: str | None, ignore: str | None
) -> tuple[Config, list[Path]]:
    """Configuration and the paths to walk, or a clean exit 2 explaining why not."""
    targets = list(paths) or [Path.cwd()]
    try:
        config = load_config(targets[0], config_file)
    except ConfigError as exc:
        fail(str(exc))
    if not paths and config.source is not None:
        targets = [config.root]
    config = config.with_overrides(_prefixes(select), _prefixes(ignore) or ())
    return config, targets


def collect(
    config: Config,
    targets: list[Path],
    jobs: int | None,
    *,
    use_cache: bool = True,
    shard: tuple[int, int] | None = None,
    quiet: bool = False,
    checked: dict[str, str] | None = None,
) -> list[FileResult]:
    try:
        candidates = discover(targets, config)
    except DiscoveryError as exc:
        fail(str(exc))
    if shard is not None:
        from testgrade.shard import select_shard

        candidates = select_shard(candidates, shard)
    cache = Cache(config) if use_cache else None
    jobs, note = capped_jobs(jobs)
    if note is not None and not quiet:
        click.echo(f"testgrade: note: {note}", err=True)
    results = list(lint_files(candidates, config, jobs, cache=cache, checked=checked))
    if cache is not None:
        cache.prune()  # at most once a day: packs no run wrote for a week
    return results


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from testgrade.shard import ShardError, parse_shard

    try:
        return parse_shard(value)
    except ShardError as exc:
        fail(str(exc))
        return None


def render_check(
    results: Sequence[FileResult],
    output_format: str,
    root: Path | None = None,
    *,
    color: bool | None = None,
    quiet: bool = False,
    extra: dict[str, Any] | None = None,
) -> str:
    """Findings of `check` (or merged shards) in one of CHECK_FORMATS. With the project
    root known, JSON names it and the other formats show paths from the current
    directory; `extra` adds top-level JSON keys (a shard's `shard` record)."""
    paths = DisplayPaths.from_cwd(root) if root is not None else AS_RECORDED
    if color is None:
        color = use_color("auto", sys.stdout.isatty())
    if output_format == "json":
        return render_json(results, root, extra)
    if output_format in ("sarif", "junit", "github"):
        from testgrade import ci_formats

        return getattr(ci_formats, f"render_{output_format}")(results, paths)
    return render_text(results, color=color, paths=paths, summary=not quiet)


def exit_code(results: Sequence[FileResult]) -> int:
    has_errors = any(f.severity is Severity.ERROR for r in results for f in r.findings)
    return EXIT_FINDINGS if has_errors else EXIT_CLEAN


paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, exists=False)
)
config_option = click.option(
    "--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
    help="Read settings from this pyproject.toml or testgrade.toml instead of searching.",
)
select_option = click.option(
    "--select", metavar="IDS", help="Only these rule ids or prefixes, comma-separated (TG1,TG301)."
)
ignore_option = click.option(
    "--ignore", metavar="IDS", help="Skip these rule ids or prefixes, on top of the config."
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Worker processes (default: one per core; at most 4 per core).",
)
no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Check every file afresh; do not read or write .testgrade_cache/.",
)
shard_option = click.option(
    "--shard", metavar="K/N",
    help="Check only shard K of N (stable by path); combine the JSON with `testgrade merge`.",
)


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every command that runs the engine shares, in --help order."""
    for option in reversed(
        (select_option, ignore_option, config_option, jobs_option, no_cache_option, shard_option)
    ):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="testgrade")
def main() -> None:
    """testgrade: a compliance linter and auditor for Python test trees.

    It reads (never imports or runs) your tests and reports mocks in
    integration tests, relative and deprecated imports, missing Business Value
    Justifications and oversized files.

    \b
    Exit codes: 0 clean, 1 findings of error severity, 2 usage or config error.
    """


def gate_options(command: Callable[..., None]) -> Callable[..., None]:
    """check's options for CI gates and hooks, grouped so --help shows them together."""
    for option in reversed((
        click.option(
            "--baseline", type=click.Path(path_type=Path, dir_okay=False),
            help="Report only findings not recorded in this file by `testgrade baseline` "
            "(default: the `baseline` config key).",
        ),
        click.option(
            "--since", metavar="REF",
            help="Check only Python files changed since the branch left REF: committed, "
            "staged, unstaged and untracked (for pull requests).",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even if there are findings."),
        click.option(
            "-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
            help="Write the output to this file (atomically) instead of standard output.",
        ),
        click.option(
            "--color", type=click.Choice(["auto", "always", "never"]), default="auto",
            show_default=True,
            help="Colour the text output; `auto` honours NO_COLOR and FORCE_COLOR, "
            "then whether the output is a terminal.",
        ),
        click.option(
            "--statistics", is_flag=True,
            help="Print how many findings each rule has instead of the findings.",
        ),
        click.option(
            "-q", "--quiet", is_flag=True,
            help="Print the findings only: no summary, no notes on standard error.",
        ),
        click.option(
            "--show-settings", is_flag=True,
            help="Print the effective configuration and the file it came from, then exit.",
        ),
    )):
        command = option(command)
    return command


@main.command()
@paths_argument
@click.option(
    "--format", "output_format", type=click.Choice(CHECK_FORMATS), default="text",
    show_default=True, help="Output format.",
)
@run_options
@click.option(
    "--fix", is_flag=True,
    help="Rewrite fixable findings in place (TG201, TG202, TG001), then report what remains.",
)
@click.option(
    "--diff", "show_diff", is_flag=True,
    help="Print the fixes as a unified diff and change nothing; exit 1 if there are any.",
)
@gate_options
def check(
    paths: tuple[Path, ...],
    output_format: str,
    select: str | None,
    ignore: str | None,
    config_file: Path | None,
    jobs: int | None,
    no_cache: bool,
    shard: str | None,
    fix: bool,
    show_diff: bool,
    baseline: Path | None,
    since: str | None,
    exit_zero: bool,
    output_file: Path | None,
    color: str,
    statistics: bool,
    quiet: bool,
    show_settings: bool,
) -> None:
    """Report every violation under PATHS (default: the project root).

    One line per finding, `path:line:col: ID [severity] message`, then a
    summary. Exits 1 if any finding has error severity. Files named in PATHS
    (as pre-commit passes them) are checked only if `include` and `exclude`
    let them be.
    """
    if fix and show_diff:
        fail("--fix and --diff cannot be combined: --diff only shows what --fix would do")
    config, targets = prepare(paths, config_file, select, ignore)
    if show_settings:
        from testgrade.settings import render_settings

        emit(render_settings(config), output_file)
        return
    if since is not None:
        targets = changed_targets(config, paths, since)
    # The digest of each file's checked bytes, which a fix must still find; only
    # --fix and --diff need it, so a plain check hashes nothing beyond the cache key.
    checked: dict[str, str] | None = {} if fix or show_diff else None
    part = _shard(shard)
    results = collect(
        config, targets, jobs, use_cache=not no_cache, shard=part, quiet=quiet,
        checked=checked,
    )
    if show_diff:
        from testgrade.fix import plan_fixes

        assert checked is not None
        fixes, problems = plan_fixes(config, results, checked, jobs=capped_jobs(jobs)[0])
        for problem in problems:
            click.echo(f"testgrade: {printable(problem)}", err=True)
        diff = b"".join(f.diff() for f in fixes)
        if output_file is None:
            write_diff(diff)
        else:
            emit_bytes(diff, output_file)
        sys.exit(EXIT_FINDINGS if fixes else EXIT_CLEAN)
    if fix:
        assert checked is not None
        results = fix_and_recheck(config, results, checked, capped_jobs(jobs)[0], quiet=quiet)
    baseline = baseline or (config.root / config.baseline if config.baseline else None)
    if baseline is not None:
        results = filter_baseline(config, results, baseline, quiet=quiet)
    colored = use_color(color, output_file is None and sys.stdout.isatty())
    if statistics:
        from testgrade.output import render_statistics

        text = render_statistics(results, as_json=output_format == "json")
    else:
        # A shard's JSON says which shard of how many, under which settings, for `merge`.
        extra = None
        if part is not None:
            from testgrade.shard import shard_record

            extra = {"shard": shard_record(part, config)}
        text = render_check(
            results, output_format, config.root, color=colored, quiet=quiet, extra=extra
        )
    emit(text, output_file, color=colored and output_format == "text")
    sys.exit(EXIT_CLEAN if exit_zero else exit_code(results))


def use_color(choice: str, terminal: bool) -> bool:
    """--color, then NO_COLOR (https://no-color.org), then FORCE_COLOR, then a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return terminal


def emit(text: str, output_file: Path | None, *, color: bool = False) -> None:
    """Standard output, or the whole text written at once to -o FILE."""
    if output_file is None:
        click.echo(text, nl=False, color=True if color else None)  # None: click strips ANSI
        return
    emit_bytes(text.encode("utf-8", "surrogateescape"), output_file)


def emit_bytes(data: bytes, output_file: Path) -> None:
    from testgrade.fileio import atomic_write

    try:
        atomic_write(output_file, data)
    except OSError as exc:
        fail(f"cannot write {output_file}: {exc.strerror or type(exc).__name__}")


def changed_targets(config: Config, paths: Sequence[Path], since: str) -> list[Path]:
    """--since: the changed Python files, within PATHS when some are given."""
    from testgrade.since import SinceError, changed_python_files

    try:
        changed = changed_python_files(config.root, since)
    except SinceError as exc:
        fail(str(exc))
    within = [p.resolve() for p in paths]
    return [
        path for path in changed
        if not within or any(path == w or w in path.parents for w in within)
    ]


def filter_baseline(
    config: Config, results: list[FileResult], path: Path, *, quiet: bool = False
) -> list[FileResult]:
    """Drop the findings the baseline accounts for; say on stderr how many, and how
    many baselined ones no longer occur."""
    from testgrade.baseline import BaselineError, apply_baseline, load_baseline

    try:
        outcome = apply_baseline(
            results, load_baseline(path), root=config.root,
            rules=selected_rules(config.select, config.ignore),
        )
    except BaselineError as exc:
        fail(str(exc))
    if outcome.known and not quiet:
        click.echo(f"{plural(outcome.known, 'known finding')} in the baseline not reported.",
                   err=True)
    if outcome.stale and not quiet:
        click.echo(
            f"{plural(outcome.stale, 'baselined finding')} no longer "
            f"occur{'s' if outcome.stale == 1 else ''}; run `testgrade baseline --prune`.",
            err=True,
        )
    return outcome.results


def write_diff(diff: bytes) -> None:
    """The diff as raw bytes, so that `git apply` takes it (CRLF, a declared
    encoding, any file name); on a terminal, control characters are shown escaped
    instead, so a hostile file cannot drive the terminal."""
    if not sys.stdout.isatty():
        click.echo(diff, nl=False)
        return
    text = diff.decode("utf-8", "backslashreplace")
    click.echo("\n".join(printable(line) for line in text.split("\n")), nl=False)


def fix_and_recheck(
    config: Config,
    results: Sequence[FileResult],
    checked: dict[str, str],
    jobs: int,
    *,
    quiet: bool = False,
) -> list[FileResult]:
    """--fix: apply every safe fix, say what happened on stderr, return fresh results."""
    from testgrade.fix import apply_fixes  # libcst only when fixing: keeps check's start-up lean

    results, count, files, problems = apply_fixes(config, results, checked, jobs=jobs)
    for problem in problems:
        click.echo(f"testgrade: {printable(problem)}", err=True)
    if files and not quiet:
        click.echo(f"Fixed {count:,} finding{'s' if count != 1 else ''} "
                   f"in {files:,} file{'s' if files != 1 else ''}.", err=True)
    return results


@main.command("baseline")
@paths_argument
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
    help=f"The baseline file (default: the `baseline` config key, else {DEFAULT_BASELINE} "
    "in the project root).",
)
@click.option(
    "--prune", "prune_only", is_flag=True,
    help="Only remove recorded findings that no longer occur; never add new ones.",
)
@select_option
@ignore_option
@config_option
@jobs_option
@no_cache_option
def baseline_command(
    paths: tuple[Path, ...],
    output: Path | None,
    prune_only: bool,
    select: str | None,
    ignore: str | None,
    config_file: Path | None,
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Record today's findings under PATHS so `check` fails only on new ones.

    Each finding is kept as a fingerprint that does not depend on line numbers,
    so editing around legacy violations does not resurface them. Commit the
    file; `testgrade check` reads it through --baseline or the `baseline` key.
    """

    from testgrade.baseline import (
        BaselineError,
        check_replaceable,
        load_baseline,
        prune,
        record,
        render_baseline,
    )

    config, targets = prepare(paths, config_file, select, ignore)
    target = output or config.root / (config.baseline or DEFAULT_BASELINE)
    try:  # before the run: a bad file should cost a second, not a whole check
        existing = load_baseline(target) if prune_only else None
        check_replaceable(target)
    except BaselineError as exc:
        fail(str(exc))
    results = collect(config, targets, jobs, use_cache=not no_cache)
    if existing is not None:
        updated, removed = prune(
            existing, results, root=config.root,
            rules=selected_rules(config.select, config.ignore),
        )
        done = f"removed {plural(removed, 'stale finding')}, {updated.total:,} remain"
    else:
        updated = record(results)
        files = len(updated.entries)
        done = f"recorded {plural(updated.total, 'finding')} in {plural(files, 'file')}"
    emit_bytes(render_baseline(updated).encode("utf-8", "surrogateescape"), target)
    click.echo(f"testgrade: {printable(str(target))}: {done}.", err=True)


@main.command()
@click.option(
    "--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
    default="text", show_default=True,
    help="A line per rule, the full documentation (docs/rules.md), or JSON for scripts.",
)
def rules(output_format: str) -> None:
    """List every rule in the catalogue."""
    if output_format == "markdown":
        click.echo(catalogue_markdown(), nl=False)
        return
    if output_format == "json":
        import json

        click.echo(json.dumps([rule_to_dict(s) for s in load_catalogue().values()], indent=2))
        return
    for spec in load_catalogue().values():
        fix = " (fixable)" if spec.fixable else ""
        click.echo(
            f"{spec.id}  {spec.name:<26} {spec.category:<14} {spec.severity.value:<8} "
            f"{spec.summary}{fix}"
        )


def rule_to_dict(spec: RuleSpec) -> dict[str, object]:
    """A catalogue entry as `rules --format json` gives it (examples left to the docs)."""
    return {
        "id": spec.id,
        "name": spec.name,
        "category": spec.category,
        "severity": spec.severity.value,
        "fixable": spec.fixable,
        "summary": spec.summary,
        "rationale": " ".join(spec.rationale.split()),
        "use_instead": spec.use_instead,
        "options": spec.options,
    }


@main.command()
@click.argument("rule_id", metavar="RULE")
def rule(rule_id: str) -> None:
    """Explain one rule, by id (TG101) or name (mock-in-integration-test): what it
    flags, why, an example, what to do instead, options."""
    catalogue = load_catalogue()
    wanted = rule_id.strip()
    spec = catalogue.get(wanted.upper()) or next(
        (s for s in catalogue.values() if s.name == wanted.lower()), None
    )
    if spec is None:
        fail(f"unknown rule {rule_id!r} (see `testgrade rules`)")
    assert spec is not None
    click.echo(describe(spec), nl=False)


@main.command()
@paths_argument
@click.option(
    "--format", "output_format", type=click.Choice(["text", "markdown", "json", "html"]),
    default="text", show_default=True, help="Report format.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file (atomically) instead of standard output.",
)
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), default=None, metavar="SCORE",
    help="Exit 1 if the overall score is below SCORE (0-100).",
)
@click.option(
    "--compare", "previous", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
    help="Show score and findings changes against an earlier `audit --format json` report; "
    "repeat it to also chart them all (changes are against the last one).",
)
@click.option(
    "--summary", is_flag=True,
    help="With --format markdown: the short version for a pull-request comment (< 65,000 "
    "characters).",
)
@click.option(
    "--history", "history_dir", type=click.Path(path_type=Path, file_okay=False),
    help="Chart the score per category over time from the audit JSON reports in DIR.",
    metavar="DIR",
)
@run_options
def audit(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    fail_under: float | None,
    previous: tuple[Path, ...],
    summary: bool,
    history_dir: Path | None,
    select: str | None,
    ignore: str | None,
    config_file: Path | None,
    jobs: int | None,
    no_cache: bool,
    shard: str | None,
) -> None:
    """Grade the test tree under PATHS: scores per category, overall grade, report.

    The findings are exactly those of `testgrade check`; docs/scoring.md
    explains how they become scores. Exits 1 only if the score is under
    --fail-under, 2 on a usage or configuration error.
    """
    from testgrade.audit import build_report, render
    from testgrade.audit.compare import CompareError, load_history, load_previous

    if summary and output_format != "markdown":
        fail("--summary needs --format markdown")
    earlier: list[tuple[str, dict]] = []
    try:
        for path in previous:
            earlier.append((path.name, load_previous(path)))
    except CompareError as exc:
        fail(f"--compare: {exc}")
    history = list(earlier) if len(earlier) > 1 else []
    if history_dir is not None:
        try:
            history = load_history(history_dir) + history
        except CompareError as exc:
            fail(f"--history: {exc}")
    config, targets = prepare(paths, config_file, select, ignore)
    results = collect(config, targets, jobs, use_cache=not no_cache, shard=_shard(shard))
    report = build_report(
        results, config, list(paths), fail_under=fail_under,
        previous=earlier[-1][1] if earlier else None,
        previous_source=earlier[-1][0] if earlier else "",
        history=history,
    )
    tty = output is None and sys.stdout.isatty()
    text = render(report, output_format, color=use_color("auto", tty), width=_width(tty),
                  summary=summary)
    # Undecodable file names arrive as lone surrogates; show them, never crash on them.
    data = text.encode("utf-8", "backslashreplace")
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        emit_bytes(data, output)
        click.echo(f"testgrade: wrote {printable(str(output))}: {report.verdict}", err=True)
    score = report.audit.score
    if fail_under is not None and (score is None or score < fail_under):
        shown = "n/a" if score is None else f"{score:.1f}"
        click.echo(f"testgrade: score {shown} does not meet --fail-under {fail_under:g}", err=True)
        sys.exit(EXIT_FINDINGS)


def _width(tty: bool) -> int:
    """The report's width: COLUMNS if set (also when piped), else the terminal's, else 100."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(40, int(columns))
    if tty:
        import shutil

        return shutil.get_terminal_size().columns
    return 100


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format",
    type=click.Choice([*CHECK_FORMATS, "markdown", "html"]),
    default="text", show_default=True,
    help="Output format, as for `check` (with --audit, as for `audit`: text, json, markdown, html).",
)
@click.option(
    "--audit", "as_audit", is_flag=True,
    help="Build the `testgrade audit` report (scored with the config found here or --config).",
)
@config_option
def merge(
    shards: tuple[Path, ...], output_format: str, as_audit: bool, config_file: Path | None
) -> None:
    """Combine `check --shard K/N --format json` outputs into one check result.

    The result (findings, summary, exit code) is the one an unsharded run
    would have given; with --audit, the report `testgrade audit` would have given.
    """
    from testgrade.shard import ShardError, merge_shards

    try:
        results, root = merge_shards(list(shards))
    except ShardError as exc:
        fail(str(exc))
    if as_audit:
        from testgrade.audit import build_report, render

        if output_format not in ("text", "json", "markdown", "html"):
            fail(f"--format {output_format} is not an audit format (text, json, markdown, html)")

        config, _ = prepare((), config_file, None, None)
        report = build_report(results, config, [])
        tty = sys.stdout.isatty()
        text = render(report, output_format, color=use_color("auto", tty), width=_width(tty))
        click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False)
        return
    if output_format not in CHECK_FORMATS:
        fail(f"--format {output_format} needs --audit")
    click.echo(render_check(results, output_format, root), nl=False)
    sys.exit(exit_code(results))


def run() -> None:  # pragma: no cover - console entry point wrapper
    try:
        _run()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            _leave(done.code or 0)
        raise


def _leave(code: int) -> None:
    """Exit without tearing the interpreter down: freeing click, pathspec and the
    rest module by module took 10-60 ms (`python -c "import testgrade.cli"` with and
    without `os._exit(0)`, five runs each, docs/benchmarks.md) (mypy leaves the
    same way). By now every output is written and every worker stopped; only
    flushing is left, and if that fails the ordinary exit reports it. Under a
    profiler or a tracer (cProfile, coverage) the ordinary exit lets them save."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _run() -> None:
    try:
        main()
    except CatalogueError as exc:
        fail(str(exc))
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            raise
        # Standard output failed mid-write (a full disk, a closed pipe): no traceback,
        # and nothing left in Python's buffer to fail again at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        if exc.errno == errno.EPIPE:
            sys.exit(EXIT_FINDINGS)  # the reader stopped reading, like `| head`: not an error to print
        fail(f"cannot write the output: {exc.strerror or type(exc).__name__}")


_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE})


if __name__ == "__main__":  # pragma: no cover
    run()
