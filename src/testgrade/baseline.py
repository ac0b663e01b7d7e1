"""`check --baseline FILE`: report only findings that are new since a recorded run.

A baseline is simply the output of `testgrade check --format json`. Findings
are matched by rule, path and message, not by line, so editing above a legacy
violation does not resurface it; each recorded finding absorbs one current one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from testgrade.ftypes import FileResult, Finding


class BaselineError(Exception):
    pass


def _key(rule: str, path: str, message: str) -> tuple[str, str, str]:
    return rule, path, message


def load_baseline(path: Path) -> Counter[tuple[str, str, str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: baseline not found (create it with `testgrade check --format json > {path}`)"
        ) from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a testgrade JSON result ({exc})") from None
    except RecursionError:  # hostile nesting: json gives up before it ends
        raise BaselineError(f"{path}: not a testgrade JSON result (nested too deeply)") from None
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: not a testgrade JSON result (no `findings` list)")
    keys: Counter[tuple[str, str, str]] = Counter()
    for entry in findings:
        try:
            keys[_key(str(entry["rule"]), str(entry["path"]), str(entry["message"]))] += 1
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: a finding lacks rule, path or message") from None
    return keys


def apply_baseline(
    results: Sequence[FileResult], baseline: Counter[tuple[str, str, str]]
) -> tuple[list[FileResult], int]:
    """Results without the findings the baseline accounts for, and how many those were."""
    remaining = Counter(baseline)
    absorbed = 0
    kept_results = []
    for result in results:
        kept: list[Finding] = []
        for finding in result.findings:
            key = _key(finding.rule, finding.path, finding.message)
            if remaining[key] > 0:
                remaining[key] -= 1
                absorbed += 1
            else:
                kept.append(finding)
        kept_results.append(
            result if len(kept) == len(result.findings) else replace(result, findings=tuple(kept))
        )
    return kept_results, absorbed
