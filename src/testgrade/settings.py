"""`check --show-settings`: the effective configuration, as TOML, and where it came from.

Every setting is printed, defaults included, under the key spelling the
configuration file uses, so the output can be pasted back into a
`testgrade.toml`. Command-line --select / --ignore are already applied.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from testgrade.config import Config

# Facts about the run rather than settings a file can hold.
_NOT_SETTINGS = {"root", "source"}


def _key(name: str) -> str:
    return name.replace("_", "-")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (tuple, list, frozenset, set)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value))


def render_settings(config: Config) -> str:
    source = str(config.source) if config.source else "none found: every setting is a default"
    lines = [f"# configuration file: {source}", f"# project root: {config.root}", ""]
    tables: list[tuple[str, Any]] = []
    for field in dataclasses.fields(config):
        if field.name in _NOT_SETTINGS:
            continue
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            tables.append((_key(field.name), value))
        elif value is None:
            lines.append(f"# {_key(field.name)}: not set")
        else:
            lines.append(f"{_key(field.name)} = {_value(value)}")
    for name, table in tables:
        lines += ["", f"[{name}]"]
        lines += [
            f"{_key(f.name)} = {_value(getattr(table, f.name))}"
            for f in dataclasses.fields(table)
        ]
    return "\n".join(lines) + "\n"
