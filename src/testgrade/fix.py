"""`testgrade check --fix` and `--diff`: rewrite what can be rewritten safely.

Only findings marked fixable are touched (TG201: the absolute import the message
names; TG202: the configured replacement, binding the same local name; TG001:
the unused suppression comment is deleted). What a fix promises:

- it is planned from the very bytes that were checked (a file whose bytes
  changed since is left alone and reported);
- it changes bytes only inside the import statements it rewrites (and the
  suppression comments it deletes): each one is
  spliced into the original bytes, after checking that the bytes it replaces are
  exactly the statement libcst parsed; the rest of the file is copied, never
  regenerated (libcst does not round-trip every byte: form feeds, a lone CR);
- the result re-parses, and planning one file has the checking time budget
  (`limits.timeout`), in a child process;
- the file keeps its identity when written (see `fileio.rewrite_file`): a
  symbolic link is written through only to a target inside the project root,
  owner, group, mode and hard links are kept, read-only files are not written.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import libcst as cst

from testgrade.checks.imports import absolute_rewrite, deprecated_rewrite
from testgrade.config import Config
from testgrade.discovery import package_name
from testgrade.engine import RuleSelection, lint_source
from testgrade.parsing import parse_module
from testgrade.fileio import WriteRefused, content_digest, read_regular, rewrite_file
from testgrade.ftypes import FileResult, Finding
from testgrade.guards import check_structure
from testgrade.source import DecodeError, decode_source
from testgrade.walk import Statement, iter_statements

_LINE_END = re.compile(r"\r\n|\r|\n")


class FixRefused(Exception):
    """A file testgrade will not rewrite; the message is the one-line reason."""


@dataclass(frozen=True)
class FileFix:
    relpath: str
    original: bytes
    fixed: bytes
    count: int  # findings fixed

    def diff(self) -> bytes:
        """A unified diff of the raw bytes that `git apply` / `patch` accept: line
        ends (CRLF, a lone CR) and the file's own encoding are kept as they are."""
        before, after = _git_lines(self.original), _git_lines(self.fixed)
        name = self.relpath.encode("utf-8", "surrogateescape")
        lines = difflib.diff_bytes(
            difflib.unified_diff, before, after, b"a/" + name, b"b/" + name, lineterm=b""
        )
        out = []
        for line in lines:
            if line.startswith((b"---", b"+++", b"@@")):
                out.append(line.rstrip(b"\n") + b"\n")
            elif line.endswith(b"\n"):
                out.append(line)
            else:
                out.append(line + b"\n\\ No newline at end of file\n")
        return b"".join(out)


def _git_lines(data: bytes) -> list[bytes]:
    """Lines as diff and git count them: only LF ends a line (a CR is content)."""
    return data.splitlines(keepends=True) if b"\r" not in data else re.findall(
        rb"[^\n]*\n|[^\n]+\Z", data
    )


# --- planning: which statements change, and the bytes that result -----------------


def _rewrite_aliases(
    node: cst.Import | cst.ImportFrom,
    positions: Mapping[int, tuple[int, int]],
    wanted: Mapping[tuple[int, int], str],
    table: Mapping[str, str],
) -> tuple[cst.Import | cst.ImportFrom, int]:
    if isinstance(node.names, cst.ImportStar):
        return node, 0
    aliases, count = [], 0
    for alias in node.names:
        rewritten = None
        if wanted.get(positions.get(id(alias), (0, 0))) == "TG202":
            rewritten = deprecated_rewrite(alias, table, parent=node)
        if isinstance(rewritten, cst.ImportAlias):
            aliases.append(rewritten)
            count += 1
        else:
            aliases.append(alias)
    return (node.with_changes(names=aliases), count) if count else (node, 0)


def _rewrite_statement(
    node: cst.Import | cst.ImportFrom,
    positions: Mapping[int, tuple[int, int]],
    wanted: Mapping[tuple[int, int], str],
    package: str | None,
    table: Mapping[str, str],
) -> tuple[cst.Import | cst.ImportFrom, int]:
    updated, count = _rewrite_aliases(node, positions, wanted, table)
    if isinstance(node, cst.ImportFrom) and isinstance(updated, cst.ImportFrom):
        rule = wanted.get(positions.get(id(node), (0, 0)))
        rewritten: cst.CSTNode | None = None
        if rule == "TG201":
            rewritten = absolute_rewrite(updated, package)
        elif rule == "TG202":
            rewritten = deprecated_rewrite(updated, table, parent=updated)
        if isinstance(rewritten, cst.ImportFrom):
            return rewritten, count + 1
    return updated, count


def _offsets(text: str) -> list[int]:
    """The character offset where each line starts (1-based lines: index 0 unused)."""
    return [0, 0, *(m.end() for m in _LINE_END.finditer(text))]


def plan_fix(
    data: bytes,
    relpath: str,
    findings: Sequence[Finding],
    *,
    package: str | None,
    deprecated_imports: Mapping[str, str],
) -> FileFix | None:
    """The fixed bytes of one file, or None when nothing fixable changes it.

    Raises FixRefused (with the reason) for a file that cannot be fixed without
    touching bytes outside the rewritten imports, or whose result would not parse.
    """
    from testgrade.positions import locate

    wanted = {(f.line, f.column): f.rule for f in findings if f.fixable}
    if not wanted:
        return None
    try:
        decoded = decode_source(data)
    except DecodeError as exc:
        raise FixRefused(f"cannot decode: {exc}") from None
    refusal = check_structure(decoded.text)  # what would crash or stall libcst
    if refusal is not None:
        raise FixRefused(refusal.message)
    try:
        module = parse_module(decoded.text)  # as the engine parsed it
    except (cst.ParserSyntaxError, RecursionError, ValueError) as exc:
        raise FixRefused(f"does not parse: {type(exc).__name__}") from None
    statements = list(iter_statements(module))
    owned: list[tuple[cst.Import | cst.ImportFrom, Statement]] = [
        (s.node, s) for s in statements if isinstance(s.node, (cst.Import, cst.ImportFrom))
    ]
    imports = [node for node, _ in owned]
    targets: list[tuple[cst.CSTNode, Statement | None]] = [*owned]
    targets += [
        (alias, s) for node, s in owned
        if not isinstance(node.names, cst.ImportStar) for alias in node.names
    ]
    positions = locate(module, decoded.text, targets, statements)
    edits: list[tuple[tuple[int, int], str, str]] = []  # (position, old code, new code)
    count = 0
    for node in imports:
        updated, fixed_here = _rewrite_statement(
            node, positions, wanted, package, deprecated_imports
        )
        if fixed_here:
            edits.append(
                (positions[id(node)], module.code_for_node(node), module.code_for_node(updated))
            )
            count += fixed_here
    count += _unused_suppression_edits(decoded.text, wanted, edits)
    if not edits:
        return None
    fixed = _splice(data, decoded.text, decoded.encoding, edits)
    if fixed == data:
        return None
    try:  # never write what does not parse (a tree is built; nothing is run)
        text = decode_source(fixed).text
        parse_module(text)
        ast.parse(text)
    except (DecodeError, cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        raise FixRefused("the rewritten file would not parse") from None
    return FileFix(relpath, data, fixed, count)


def _unused_suppression_edits(
    text: str, wanted: Mapping[tuple[int, int], str], edits: list[tuple[tuple[int, int], str, str]]
) -> int:
    """TG001: delete each unused suppression comment (the finding is only fixable when
    the comment holds nothing else), with the blanks before it; a comment on a line
    of its own takes the line. A comment inside an import being rewritten (between
    its parentheses) is left for the next run: the two edits would overlap."""
    starts = _offsets(text)

    def offset(line: int, column: int) -> int:
        return starts[line] + column - 1

    rewritten = [
        (offset(line, column), offset(line, column) + len(old))
        for (line, column), old, _ in edits if line < len(starts)
    ]
    added = 0
    for (line, column), rule in sorted(wanted.items()):
        if rule != "TG001" or line >= len(starts):
            continue
        at = offset(line, column)
        if any(start <= at < end for start, end in rewritten):
            continue
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        whole = text[starts[line]:end]
        body = whole.rstrip("\r\n")
        if not body[column - 1:].startswith("#"):
            continue  # not where the check saw it: _splice would refuse the file
        code = body[:column - 1].rstrip()
        if code.strip():
            edits.append(((line, len(code) + 1), body[len(code):], ""))
        else:
            edits.append(((line, 1), whole, ""))
        added += 1
    return added


def _splice(
    data: bytes, text: str, encoding: str, edits: Sequence[tuple[tuple[int, int], str, str]]
) -> bytes:
    """`data` with each statement's bytes replaced, every other byte copied as is.

    Each edit's old code must be exactly the bytes found at its position: libcst
    positions count lines on its own output, so this is where a file libcst does
    not reproduce byte for byte is caught and refused.
    """
    starts = _offsets(text)
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    result = data
    for (line, column), old, new in sorted(edits, reverse=True):
        where = f"line {line}"
        if line >= len(starts):
            raise FixRefused(f"{where}: the import is not where the parser saw it; fix it by hand")
        offset = starts[line] + column - 1
        if text[offset:offset + len(old)] != old:
            # libcst leaves form feeds out of indentation, so its column can be off;
            # the statement must still start on that line, and only once.
            line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
            offset = text.find(old, starts[line], line_end + len(old))
            if offset < 0 or offset >= line_end or text.find(old, offset + 1, line_end) >= 0:
                raise FixRefused(
                    f"{where}: the import is not where the parser saw it; fix it by hand"
                )
        try:
            start = bom + len(text[:offset].encode(encoding))
            old_bytes, new_bytes = old.encode(encoding), new.encode(encoding)
        except UnicodeEncodeError:
            raise FixRefused(f"{where}: the new import cannot be written in {encoding}") from None
        if result[start:start + len(old_bytes)] != old_bytes:
            raise FixRefused(f"{where}: the encoded import differs from the file's bytes")
        result = result[:start] + new_bytes + result[start + len(old_bytes):]
    return result


# --- planning every file, each within the time budget --------------------------------


@dataclass(frozen=True)
class _Job:
    relpath: str
    data: bytes
    findings: tuple[Finding, ...]
    package: str | None


def _plan_job(job: _Job, table: Mapping[str, str]) -> FileFix | str | None:
    try:
        return plan_fix(
            job.data, job.relpath, job.findings, package=job.package, deprecated_imports=table
        )
    except FixRefused as exc:
        return f"{job.relpath}: not fixed: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bug must cost this file's fix, not the run
        return f"{job.relpath}: not fixed: internal error {type(exc).__name__}"


def _child(conn: Connection, job: _Job, config: Config, parent_pid: int) -> None:
    from testgrade.runner import prepare_worker

    prepare_worker(config, parent_pid)
    conn.send(_plan_job(job, config.deprecated_imports))
    conn.close()


def _plan_in_children(
    jobs: Sequence[_Job], config: Config, workers: int
) -> list[FileFix | str | None]:
    """Plan each file in its own child process, at most `workers` at a time, each
    stopped after `limits.timeout` seconds like a check."""
    from testgrade.runner import process_context

    context = process_context()
    timeout = config.limits.timeout
    results: list[FileFix | str | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))
    running: dict[Any, tuple[int, Any, float]] = {}  # conn -> (index, process, deadline)
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                index, job = pending.pop(0)
                parent, child = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(child, job, config, os.getpid()), daemon=True
                )
                process.start()
                child.close()
                running[parent] = (index, process, time.monotonic() + timeout)
            deadline = min(d for _, _, d in running.values())
            ready = wait(list(running), max(0.0, deadline - time.monotonic()))
            now = time.monotonic()
            for conn in list(running):
                index, process, until = running[conn]
                relpath = jobs[index].relpath
                if conn in ready:
                    try:
                        results[index] = conn.recv()
                    except (EOFError, OSError):
                        results[index] = f"{relpath}: not fixed: the fixing process died"
                elif now >= until:
                    results[index] = (
                        f"{relpath}: not fixed: planning took longer than {timeout:g} s "
                        "(limits.timeout)"
                    )
                else:
                    continue
                del running[conn]
                conn.close()
                if process.is_alive():
                    process.kill()
                process.join()
    finally:
        for conn, (_, process, _) in running.items():
            process.kill()
            process.join()
            conn.close()
    return results


def plan_fixes(
    config: Config,
    results: Sequence[FileResult],
    checked: Mapping[str, str],
    *,
    jobs: int = 1,
) -> tuple[list[FileFix], list[str]]:
    """Every file's planned fix, in the order of `results`, and one message per file
    left alone. `checked` maps each path to the digest of the bytes it was checked as."""
    work: list[_Job] = []
    problems: list[str] = []
    for result in results:
        fixable = tuple(f for f in result.findings if f.fixable)
        if not fixable:
            continue
        try:
            data = read_checked(config.root, result.path)
        except OSError as exc:
            problems.append(f"{result.path}: not fixed: cannot read: {exc.strerror or exc}")
            continue
        if checked.get(result.path) != content_digest(data):
            problems.append(f"{result.path}: not fixed: changed since it was checked")
            continue
        work.append(_Job(result.path, data, fixable, package_name(config.root, result.path)))
    fixes = []
    for outcome in _plan_in_children(work, config, jobs) if work else []:
        if isinstance(outcome, FileFix):
            fixes.append(outcome)
        elif isinstance(outcome, str):
            problems.append(outcome)
    return fixes, problems


def read_checked(root: Path, relpath: str) -> bytes:
    """A file's current bytes, read without blocking on a FIFO."""
    return read_regular(Path(root) / relpath)


def apply_fixes(
    config: Config, results: Sequence[FileResult], checked: Mapping[str, str], *, jobs: int = 1
) -> tuple[list[FileResult], int, int, list[str]]:
    """Apply every planned fix and re-check the files that changed.

    Returns the new results, the findings fixed, the files written, and one
    message per file that was left unchanged, with the reason.
    """
    fixed: dict[str, FileResult] = {}
    count = 0
    planned_fixes, problems = plan_fixes(config, results, checked, jobs=jobs)
    selection = RuleSelection(config)
    for planned in planned_fixes:
        try:
            rewrite_file(config.root, planned.relpath, planned.original, planned.fixed)
        except WriteRefused as exc:
            problems.append(f"{planned.relpath}: not fixed: {exc}; left unchanged")
            continue
        except OSError as exc:
            problems.append(
                f"could not write {planned.relpath}: {exc.strerror or exc}; left unchanged"
            )
            continue
        count += planned.count
        fixed[planned.relpath] = lint_source(
            planned.fixed, planned.relpath, config,
            package=package_name(config.root, planned.relpath), selection=selection,
        )
    return [fixed.get(r.path, r) for r in results], count, len(fixed), problems

