"""Configuration: find it, parse it, validate every key, or say exactly what is wrong.

The keys are a contract (see DESIGN.md); anything else is an error that names
the key and the file. Configuration is data: it is parsed as TOML and never
evaluated.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Base classes that make a test class integration (e2e when the name says E2E),
# matched on the name as imported.
DEFAULT_INTEGRATION_BASES = ("BaseIntegrationTest", "IntegrationTestCase", "E2ETestCase", "BaseE2ETest")
DEFAULT_BVJ_FIELDS = ("Segment", "Business Goal", "Value Impact", "Strategic Impact")
DEFAULT_BASELINE = "testgrade-baseline.json"  # the baseline file when `baseline` is unset
DEFAULT_SEGMENTS = ("Free", "Early", "Mid", "Enterprise", "Platform/Internal", "All")
# Other names teams write for the default segments (used only where the target is configured).
DEFAULT_SEGMENT_ALIASES = (
    ("Internal", "Platform/Internal"),
    ("Platform", "Platform/Internal"),
    ("Internal/Platform", "Platform/Internal"),
    ("All tiers", "All"),
    ("All segments", "All"),
    ("All customers", "All"),
)
DEFAULT_WEIGHTS = {
    "integrity": 1.0,
    "real-services": 3.0,
    "imports": 2.0,
    "documentation": 2.0,
    "size": 1.0,
}
DEFAULT_BANDS = {
    "A+": 97.0,
    "A": 93.0,
    "A-": 90.0,
    "B+": 87.0,
    "B": 83.0,
    "B-": 80.0,
    "C+": 77.0,
    "C": 73.0,
    "C-": 70.0,
    "D": 60.0,
}


# Upper bounds of the limits: beyond them a value is a typo, and would overflow
# (a timeout past what `select` accepts) or exhaust memory (a read buffer of 1e11 bytes).
MAX_FILE_BYTES_LIMIT = 1_000_000_000
MAX_TIMEOUT = 86_400.0
MAX_MEMORY_MB = 1_048_576


class ConfigError(Exception):
    """A configuration problem the user must fix; the message is one line."""


@dataclass(frozen=True)
class SizeLimits:
    warn: int = 750
    max: int = 1500
    exceptions: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BvjPolicy:
    fields: tuple[str, ...] = DEFAULT_BVJ_FIELDS
    segments: tuple[str, ...] = DEFAULT_SEGMENTS
    segment_aliases: tuple[tuple[str, str], ...] = DEFAULT_SEGMENT_ALIASES  # (alias, segment)
    field_aliases: tuple[tuple[str, str], ...] = ()  # (alias, field)


@dataclass(frozen=True)
class Scoring:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bands: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_BANDS))


@dataclass(frozen=True)
class Limits:
    """Protections against pathological files."""

    max_file_bytes: int = 5_000_000
    timeout: float = 10.0  # seconds one file may take
    memory_mb: int = 1024  # address space one worker may add while checking a file


@dataclass(frozen=True)
class AuditSettings:
    """`[tool.testgrade.audit]`: how the report slices the tree (never what is found)."""

    # Area name -> gitignore-style patterns, in config order (the first match wins);
    # empty: one area per top-level directory.
    areas: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class EnvironPolicy:
    """TG505: where tests may read the environment directly (path patterns)."""

    allowed_modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None  # the file the settings came from, if any
    include: tuple[str, ...] = (".",)
    exclude: tuple[str, ...] = ()
    integration_paths: tuple[str, ...] = ("**/integration/**", "**/e2e/**")
    integration_bases: tuple[str, ...] = DEFAULT_INTEGRATION_BASES
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    size: SizeLimits = field(default_factory=SizeLimits)
    bvj: BvjPolicy = field(default_factory=BvjPolicy)
    deprecated_imports: Mapping[str, str] = field(default_factory=dict)
    scoring: Scoring = field(default_factory=Scoring)
    limits: Limits = field(default_factory=Limits)
    audit: AuditSettings = field(default_factory=AuditSettings)
    # Static module resolution (TG203): None means "found from the layout".
    first_party: tuple[str, ...] | None = None
    source_roots: tuple[str, ...] | None = None
    assertion_helpers: tuple[str, ...] = ()  # TG501: calls that count as assertions
    require_markers: tuple[str, ...] = ()  # TG504 (on when set): markers integration tests need
    environ: EnvironPolicy | None = None  # TG505 (on when set)

    def opted_in(self) -> tuple[str, ...]:
        """Rules that are off by default and switched on by their settings."""
        return (("TG504",) if self.require_markers else ()) + (
            ("TG505",) if self.environ is not None else ()
        )
    baseline: str | None = None  # the baseline file `check` applies, relative to root

    def with_overrides(
        self, select: tuple[str, ...] | None = None, ignore: tuple[str, ...] = ()
    ) -> Config:
        """Command-line --select replaces the configured one; --ignore adds to it."""
        return replace(
            self,
            select=self.select if select is None else select,
            ignore=self.ignore + ignore,
        )

    def fingerprint(self) -> str:
        """A stable text form of every setting that can change findings."""
        return repr(
            (
                self.integration_paths,
                self.integration_bases,
                sorted(self.per_file_ignores.items()),
                self.size.warn,
                self.size.max,
                sorted(self.size.exceptions.items()),
                self.bvj,
                sorted(self.deprecated_imports.items()),
                self.limits,
                self.first_party,
                self.source_roots,
                self.assertion_helpers,
                self.require_markers,
                self.environ,
            )
        )


# --- validation -----------------------------------------------------------------

Validator = Callable[[str, Any], Any]


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _string_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be an array of strings, got {_type_name(value)}")
    return tuple(value)


def _identifier_list(key: str, value: Any, *, what: str = "a class name") -> tuple[str, ...]:
    names = _string_list(key, value)
    for name in names:
        if not name.isidentifier():
            raise ConfigError(f"`{key}` has {name!r}, which is not {what}")
    return names


def _glob_list(key: str, value: Any) -> tuple[str, ...]:
    patterns = _string_list(key, value)
    for pattern in patterns:
        _check_glob(key, pattern)
    return patterns


def _check_glob(key: str, pattern: str) -> None:
    if not pattern.strip():
        raise ConfigError(f"`{key}` contains an empty pattern")
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception as exc:  # pathspec raises several types for bad patterns
        raise ConfigError(f"`{key}` has an invalid pattern {pattern!r}: {exc}") from None


def _rule_prefixes(key: str, value: Any) -> tuple[str, ...]:
    from testgrade.catalogue import load_catalogue

    prefixes = tuple(p.strip().upper() for p in _string_list(key, value))
    known = load_catalogue()
    for prefix in prefixes:
        if not prefix or not any(rule_id.startswith(prefix) for rule_id in known):
            raise ConfigError(f"`{key}` names no known rule: {prefix!r}")
    return prefixes


def _shown(value: Any) -> str:
    """A config value for an error message; huge integers cannot even be printed."""
    if isinstance(value, int) and abs(value) > _LARGEST_SHOWN:
        return "a number too large to use"
    return repr(value)


_LARGEST_SHOWN = 10**15


def _path_string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"`{key}` must be a file path, got {_type_name(value)}")
    return value


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"`{key}` must be an integer, got {_type_name(value)}")
    if value <= 0 or value > _LARGEST_SHOWN:
        raise ConfigError(f"`{key}` must be a positive integer, got {_shown(value)}")
    return value


def _bounded_int(key: str, value: Any, maximum: int) -> int:
    """A positive integer no larger than `maximum` (a bigger one would overflow or
    exhaust memory where it is used, so it is refused here)."""
    number = _positive_int(key, value)
    if number > maximum:
        raise ConfigError(f"`{key}` must be at most {maximum:,}, got {number:,}")
    return number


def _finite_number(key: str, value: Any, low: float, high: float) -> float:
    """A number in [low, high]: NaN and infinities are refused (NaN compares false
    with everything, so it would slip through every later check)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"`{key}` must be a number, got {_type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number) or not low <= number <= high:
        raise ConfigError(
            f"`{key}` must be a number from {low:g} to {high:g}, got {_shown(value)}"
        )
    return number


def _positive_number(key: str, value: Any, maximum: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
        raise ConfigError(f"`{key}` must be positive, got {_shown(value)}")
    return _finite_number(key, value, 0.0, maximum)


def _table(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table, got {_type_name(value)}")
    return value


def _check_keys(prefix: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise ConfigError(f"unknown key `{prefix}{key}` (expected one of: {hint})")


def _parse_size(key: str, value: Any) -> SizeLimits:
    table = _table(key, value)
    _check_keys(f"{key}.", table, {"warn", "max", "exceptions"})
    defaults = SizeLimits()
    warn = _positive_int(f"{key}.warn", table.get("warn", defaults.warn))
    max_ = _positive_int(f"{key}.max", table.get("max", defaults.max))
    if warn > max_:
        raise ConfigError(f"`{key}.warn` ({warn}) is larger than `{key}.max` ({max_})")
    exceptions = {}
    for pattern, limit in _table(f"{key}.exceptions", table.get("exceptions", {})).items():
        _check_glob(f"{key}.exceptions", pattern)
        exceptions[pattern] = _positive_int(f"{key}.exceptions.{pattern!r}", limit)
    return SizeLimits(warn=warn, max=max_, exceptions=exceptions)


def _aliases(key: str, value: Any, targets: tuple[str, ...], what: str) -> dict[str, str]:
    """An alias table whose every value is one of `targets` (a configured field or segment)."""
    result = {}
    for alias, target in _table(key, value).items():
        if not isinstance(target, str):
            raise ConfigError(f"`{key}.{alias!r}` must be a string, got {_type_name(target)}")
        if target not in targets:
            raise ConfigError(
                f"`{key}.{alias!r}` maps to {target!r}, which is not a configured {what} "
                f"(one of: {', '.join(targets)})"
            )
        result[alias] = target
    return result


def _parse_bvj(key: str, value: Any) -> BvjPolicy:
    table = _table(key, value)
    _check_keys(f"{key}.", table, {"fields", "segments", "segment-aliases", "field-aliases"})
    defaults = BvjPolicy()
    fields = _string_list(f"{key}.fields", table.get("fields", list(defaults.fields)))
    segments = _string_list(f"{key}.segments", table.get("segments", list(defaults.segments)))
    if not fields:
        raise ConfigError(f"`{key}.fields` must name at least one field")
    # The defaults stay unless overridden; those pointing at a segment not configured drop out.
    segment_aliases = {a: t for a, t in defaults.segment_aliases if t in segments}
    segment_aliases.update(
        _aliases(f"{key}.segment-aliases", table.get("segment-aliases", {}), segments, "segment")
    )
    field_aliases = _aliases(f"{key}.field-aliases", table.get("field-aliases", {}), fields, "field")
    return BvjPolicy(
        fields=fields,
        segments=segments,
        segment_aliases=tuple(segment_aliases.items()),
        field_aliases=tuple(field_aliases.items()),
    )


def _parse_deprecated(key: str, value: Any) -> dict[str, str]:
    table = _table(key, value)
    result = {}
    for old, new in table.items():
        if not isinstance(new, str):
            raise ConfigError(f"`{key}.{old!r}` must be a string, got {_type_name(new)}")
        for dotted in (old, new):
            if not all(part.isidentifier() for part in dotted.split(".")):
                raise ConfigError(f"`{key}` has an invalid dotted path {dotted!r}")
        result[old] = new
    return result


def _parse_per_file_ignores(key: str, value: Any) -> dict[str, tuple[str, ...]]:
    table = _table(key, value)
    result = {}
    for pattern, rules in table.items():
        _check_glob(key, pattern)
        result[pattern] = _rule_prefixes(f"{key}.{pattern!r}", rules)
    return result


def _parse_scoring(key: str, value: Any) -> Scoring:
    from testgrade.catalogue import CATEGORIES

    table = _table(key, value)
    _check_keys(f"{key}.", table, {"weights", "bands"})
    weights = dict(DEFAULT_WEIGHTS)
    for category, weight in _table(f"{key}.weights", table.get("weights", {})).items():
        if category not in CATEGORIES:
            raise ConfigError(
                f"unknown category `{key}.weights.{category}` "
                f"(expected one of: {', '.join(CATEGORIES)})"
            )
        weights[category] = _finite_number(f"{key}.weights.{category}", weight, 0.0, 1e6)
    if not any(weights.values()):
        raise ConfigError(f"`{key}.weights` must give at least one category a weight > 0")
    bands = dict(DEFAULT_BANDS)
    for grade, floor in _table(f"{key}.bands", table.get("bands", {})).items():
        if grade not in DEFAULT_BANDS:
            raise ConfigError(
                f"unknown grade `{key}.bands.{grade}` "
                f"(expected one of: {', '.join(DEFAULT_BANDS)})"
            )
        bands[grade] = _finite_number(f"{key}.bands.{grade}", floor, 0.0, 100.0)
    floors = list(bands.values())
    if floors != sorted(floors, reverse=True):
        raise ConfigError(f"`{key}.bands` must decrease from A+ to D")
    return Scoring(weights=weights, bands=bands)


def _parse_limits(key: str, value: Any) -> Limits:
    table = _table(key, value)
    _check_keys(f"{key}.", table, {"max-file-bytes", "timeout", "memory-mb"})
    defaults = Limits()
    return Limits(
        max_file_bytes=_bounded_int(
            f"{key}.max-file-bytes", table.get("max-file-bytes", defaults.max_file_bytes),
            MAX_FILE_BYTES_LIMIT,
        ),
        timeout=_positive_number(
            f"{key}.timeout", table.get("timeout", defaults.timeout), MAX_TIMEOUT
        ),
        memory_mb=_bounded_int(
            f"{key}.memory-mb", table.get("memory-mb", defaults.memory_mb), MAX_MEMORY_MB
        ),
    )


def _parse_audit(key: str, value: Any) -> AuditSettings:
    table = _table(key, value)
    _check_keys(f"{key}.", table, {"areas"})
    areas: dict[str, tuple[str, ...]] = {}
    for name, patterns in _table(f"{key}.areas", table.get("areas", {})).items():
        where = f"{key}.areas.{name!r}"
        if not name.strip():
            raise ConfigError(f"`{key}.areas` has an area with an empty name")
        if isinstance(patterns, str):
            patterns = [patterns]
        areas[name] = _glob_list(where, patterns)
        if not areas[name]:
            raise ConfigError(f"`{where}` must give at least one pattern")
    return AuditSettings(areas=areas)


def _dotted_list(key: str, value: Any) -> tuple[str, ...]:
    names = _string_list(key, value)
    for dotted in names:
        if not all(part.isidentifier() for part in dotted.split(".")):
            raise ConfigError(f"`{key}` has an invalid dotted name {dotted!r}")
    return names


def _relative_dirs(key: str, value: Any) -> tuple[str, ...]:
    directories = _string_list(key, value)
    for directory in directories:
        parts = Path(directory).parts
        if not directory.strip() or Path(directory).is_absolute() or ".." in parts:
            raise ConfigError(
                f"`{key}` entries must be directories inside the project, got {directory!r}"
            )
    return directories


def _marker_names(key: str, value: Any) -> tuple[str, ...]:
    return _identifier_list(key, value, what="a marker name")


def _parse_environ(key: str, value: Any) -> EnvironPolicy:
    table = _table(key, value)
    _check_keys(f"{key}.", table, {"allowed-modules"})
    return EnvironPolicy(
        allowed_modules=_glob_list(f"{key}.allowed-modules", table.get("allowed-modules", []))
    )


_SCHEMA: dict[str, tuple[str, Validator]] = {
    "include": ("include", _glob_list),
    "exclude": ("exclude", _glob_list),
    "integration-paths": ("integration_paths", _glob_list),
    "integration-bases": ("integration_bases", _identifier_list),
    "select": ("select", _rule_prefixes),
    "ignore": ("ignore", _rule_prefixes),
    "per-file-ignores": ("per_file_ignores", _parse_per_file_ignores),
    "size": ("size", _parse_size),
    "bvj": ("bvj", _parse_bvj),
    "deprecated-imports": ("deprecated_imports", _parse_deprecated),
    "scoring": ("scoring", _parse_scoring),
    "limits": ("limits", _parse_limits),
    "audit": ("audit", _parse_audit),
    "first-party": ("first_party", _dotted_list),
    "source-roots": ("source_roots", _relative_dirs),
    "assertion-helpers": ("assertion_helpers", _string_list),
    "require-markers": ("require_markers", _marker_names),
    "environ": ("environ", _parse_environ),
    "baseline": ("baseline", _path_string),
}


def parse_settings(table: Mapping[str, Any], *, root: Path, source: Path | None) -> Config:
    """Validate a `[tool.testgrade]` table; raise ConfigError naming the first bad key."""
    prefix = "tool.testgrade." if source is not None and source.name == "pyproject.toml" else ""
    values: dict[str, Any] = {}
    _check_keys(prefix, table, set(_SCHEMA))
    for key, raw in table.items():
        attribute, validate = _SCHEMA[key]
        values[attribute] = validate(f"{prefix}{key}", raw)
    return Config(root=root, source=source, **values)


# --- discovery of the configuration file ------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of thousands of digits
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _settings_in(path: Path) -> dict[str, Any] | None:
    """The testgrade table in a config file, or None if the file has none."""
    document = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        if not isinstance(tool, dict) or "testgrade" not in tool:
            return None
        settings = tool["testgrade"]
        if not isinstance(settings, dict):
            raise ConfigError(f"{path}: `tool.testgrade` must be a table")
        return settings
    return document


def _is_file(path: Path) -> bool:
    """`path.is_file()`, except that a path the system refuses to look at (inside an
    unreadable directory, longer than the OS allows) raises ConfigError, not OSError."""
    try:
        return path.is_file()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None


def _is_repository_root(directory: Path) -> bool:
    try:
        return (directory / ".git").exists()
    except OSError:
        return False


def find_config_file(start: Path) -> Path | None:
    """Walk up from `start` to the first testgrade.toml or pyproject.toml with our table.

    The walk stops at the repository root (the directory holding `.git`): a
    settings file above the repository belongs to something else.
    """
    directory = start if _is_dir(start) else start.parent
    for candidate_dir in (directory, *directory.parents):
        for name in ("testgrade.toml", "pyproject.toml"):
            candidate = candidate_dir / name
            if _is_file(candidate) and _settings_in(candidate) is not None:
                return candidate
        if _is_repository_root(candidate_dir):
            return None
    return None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _project_root(start: Path) -> Path:
    """Without a config file: the nearest ancestor that looks like a project, else `start`."""
    directory = start if _is_dir(start) else start.parent
    for candidate in (directory, *directory.parents):
        if _is_repository_root(candidate) or _is_file(candidate / "pyproject.toml"):
            return candidate
    return directory


def _resolved(path: Path) -> Path:
    """The real path of `path`'s directory, with its own name kept: the settings of a
    file named through a symbolic link are those of where the link is, not its target."""
    try:
        if path.is_symlink() and not path.is_dir():
            return path.absolute().parent.resolve() / path.name
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # too long a name, a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "cannot resolve"
        raise ConfigError(f"{path}: {reason}") from None


def load_config(first_path: Path, explicit: Path | None = None) -> Config:
    """The configuration that governs `first_path` (or the explicit `--config` file)."""
    first_path = _resolved(first_path)
    if explicit is not None:
        explicit = _resolved(explicit)
        if not _is_file(explicit):
            raise ConfigError(f"{explicit}: config file not found")
        settings = _settings_in(explicit)
        if settings is None:
            raise ConfigError(f"{explicit}: has no [tool.testgrade] table")
        source: Path | None = explicit
    else:
        source = find_config_file(first_path)
        settings = _settings_in(source) if source is not None else None
    if source is None or settings is None:
        return Config(root=_project_root(first_path))
    try:
        return parse_settings(settings, root=source.parent, source=source)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
