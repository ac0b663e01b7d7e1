"""Static module resolution: does a first-party module, or a name in it, exist?

Answers come from the files alone, as Python's import system would find them
on the configured source roots (default: the project root, and `src/` when it
exists): a module is a `.py` file, a package a directory with `__init__.py`,
and a directory without one is a namespace package (PEP 420) whose portions may
span several roots. A name exists in a module when its top-level code binds it
(definitions, assignments, imports, `__all__`, also inside `if` / `try` /
`with` / `for` blocks) or when it is a submodule of the package. A wildcard
import, a module-level `__getattr__`, `globals()` or `sys.modules` tricks, or a
file that does not parse make a module's names unknowable: then nothing is
claimed. Nothing is ever imported or executed; other modules are read with
`ast.parse`, which only builds a tree.

What is read is kept per process and re-read only when the file or directory
changes (its stamp), so a worker checking many files reads each module once.
Every lookup records the stamps of the paths it looked at in a `Depends`
mapping: a cached result that relied on them is valid exactly while they are
unchanged (see `cache.py`).
"""

from __future__ import annotations

import ast
import os
import re
import stat as stat_module
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# path (relative to the project root when inside it) -> stamp, as seen by a lookup
Depends = dict[str, str]

ABSENT = "-"
# Modules that exist but whose names cannot be read: compiled extensions.
_COMPILED_SUFFIXES = (".so", ".pyd")
# A module this large is not read: its names are treated as unknowable.
_MAX_MODULE_BYTES = 5_000_000
_OPEN_ENDED = re.compile(rb"\bglobals\(\)|\bsys\.modules\[|\bsetattr\(\s*sys\.modules")
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def stamp(path: Path) -> str:
    """What changes when a file or directory changes: kind, mtime and size; "-" if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return ABSENT
    kind = "d" if stat_module.S_ISDIR(st.st_mode) else "f"
    return f"{kind}{st.st_mtime_ns}:{st.st_size}"


def stamps_hold(
    root: Path, depends: Iterable[tuple[str, str]], seen: dict[str, str] | None = None
) -> bool:
    """Whether every recorded path still has the stamp it had (for cache validation).
    `seen` memoizes stamps over one run, where many entries share the same paths."""
    seen = {} if seen is None else seen
    for path, recorded in depends:
        current = seen.get(path)
        if current is None:
            current = seen[path] = stamp(root / path)
        if current != recorded:
            return False
    return True


@dataclass(frozen=True)
class _Listing:
    files: frozenset[str]
    dirs: frozenset[str]


@dataclass(frozen=True)
class ModuleNames:
    """The names a module's top-level code binds; `known` False: unknowable."""

    names: frozenset[str]
    known: bool


_UNKNOWABLE = ModuleNames(frozenset(), False)


@dataclass(frozen=True)
class Module:
    """A module found on the source roots."""

    dotted: str
    source: Path | None  # the .py (or __init__.py) to read names from; None: no source
    portions: tuple[Path, ...]  # where its submodules live; empty for a plain module
    compiled: bool = False  # an extension module: exists, names unknowable


@dataclass(frozen=True)
class Missing:
    """The first part of a dotted path that does not exist, and where it was looked for."""

    dotted: str  # the missing module, e.g. `pkg.old_module` for `pkg.old_module.sub`
    parent: Module | None  # the package it was looked for in; None: a top-level name
    near: tuple[str, ...]  # similar names that do exist there


# Process-wide memo of what was read, each entry valid while its stamp holds.
_LISTINGS: dict[Path, tuple[str, _Listing]] = {}
_NAMES: dict[Path, tuple[str, ModuleNames]] = {}


def _listing(directory: Path, depends: Depends, root: Path) -> _Listing | None:
    current = stamp(directory)
    depends[_key(directory, root)] = current
    if not current.startswith("d"):
        return None
    cached = _LISTINGS.get(directory)
    if cached is not None and cached[0] == current:
        return cached[1]
    files: set[str] = set()
    dirs: set[str] = set()
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    (dirs if entry.is_dir() else files).add(entry.name)
                except OSError:
                    continue
    except OSError:
        return None
    listing = _Listing(frozenset(files), frozenset(dirs))
    _LISTINGS[directory] = (current, listing)
    return listing


def _key(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def module_names(source: Path, depends: Depends, root: Path) -> ModuleNames:
    """The top-level names `source` binds, read with `ast` (never imported)."""
    current = stamp(source)
    depends[_key(source, root)] = current
    cached = _NAMES.get(source)
    if cached is not None and cached[0] == current:
        return cached[1]
    try:
        with source.open("rb") as handle:
            data = handle.read(_MAX_MODULE_BYTES + 1)
    except OSError:
        return _UNKNOWABLE
    names = _UNKNOWABLE if len(data) > _MAX_MODULE_BYTES else _names_in_source(data)
    _NAMES[source] = (current, names)
    return names


def _names_in_source(data: bytes) -> ModuleNames:
    if _OPEN_ENDED.search(data):
        return _UNKNOWABLE
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _UNKNOWABLE
    names: set[str] = set()
    if b"global " in data:  # `global X` in a function binds X at module level when it runs
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                names.update(node.names)
    known = _bind_top_level(tree.body, names)
    return ModuleNames(frozenset(names), known) if known else _UNKNOWABLE


def _bind_target(target: ast.expr, names: set[str]) -> None:
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_target(element, names)
    elif isinstance(target, ast.Starred):
        _bind_target(target.value, names)


def _strings(node: ast.expr | None) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _bind_top_level(body: Sequence[ast.stmt], names: set[str]) -> bool:
    """Add every name the module's top level binds; False if that is unknowable."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            if node.name == "__getattr__" and not isinstance(node, ast.ClassDef):
                return False  # PEP 562: any name may exist
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return False
                names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                _bind_target(target, names)
                if isinstance(target, ast.Name) and target.id == "__all__":
                    names.update(_strings(node.value))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            _bind_target(node.target, names)
            if isinstance(node.target, ast.Name) and node.target.id == "__all__":
                names.update(_strings(node.value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func  # __all__.extend([...]) / __all__.append("x")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "__all__"
            ):
                for arg in node.value.args:
                    names.update(_strings(arg))
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        names.add(arg.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            _bind_target(node.target, names)
            stack.extend(node.body + node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    _bind_target(item.optional_vars, names)
            stack.extend(node.body)
        elif isinstance(node, (ast.If, ast.While)):
            stack.extend(node.body + node.orelse)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            stack.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                if handler.name:
                    names.add(handler.name)
                stack.extend(handler.body)
        elif isinstance(node, ast.Match):
            return False  # capture patterns bind names; rare enough to not model
        elif type(node).__name__ == "TypeAlias":  # `type X = ...` (Python 3.12+)
            _bind_target(node.name, names)  # type: ignore[attr-defined]
    return True


class ModuleIndex:
    """First-party modules of one project, found on its source roots."""

    def __init__(
        self,
        root: Path,
        source_roots: Sequence[str] | None = None,
        first_party: Sequence[str] | None = None,
    ) -> None:
        self.root = root
        if source_roots is None:
            roots = [root] + ([root / "src"] if (root / "src").is_dir() else [])
        else:
            roots = [root / r for r in source_roots]
        self.roots = tuple(roots)
        self.configured = tuple(first_party) if first_party is not None else None

    @staticmethod
    def could_be_first_party(head: str) -> bool:
        """False for the standard library, which is never first-party."""
        return head not in _STDLIB

    def is_first_party(self, dotted: str, depends: Depends) -> bool:
        """Whether `dotted` is in the first-party namespace: configured, or found
        from the layout (a top-level package, with `__init__.py` or holding one
        directly, on a source root; top-level modules count only under `src/`-style
        roots, never the project root itself, where scripts like setup.py sit)."""
        if self.configured is not None:
            return any(dotted == p or dotted.startswith(p + ".") for p in self.configured)
        head = dotted.split(".", 1)[0]
        if not self.could_be_first_party(head) or not head.isidentifier():
            return False
        for source_root in self.roots:
            candidate = source_root / head
            listing = _listing(candidate, depends, self.root)
            if listing is not None:
                if "__init__.py" in listing.files:
                    return True
                for child in sorted(listing.dirs):
                    inner = _listing(candidate / child, depends, self.root)
                    if inner is not None and "__init__.py" in inner.files:
                        return True
            if source_root != self.root:
                module_file = source_root / f"{head}.py"
                if stamp(module_file).startswith("f"):
                    depends[_key(module_file, self.root)] = stamp(module_file)
                    return True
                depends[_key(module_file, self.root)] = ABSENT
        return False

    def _find_in(self, directories: Sequence[Path], name: str, depends: Depends, dotted: str) -> Module | None:
        """Python's path-based finder over `directories`: the first regular package
        or module wins; directories without `__init__.py` gather into a namespace."""
        portions: list[Path] = []
        for directory in directories:
            listing = _listing(directory, depends, self.root)
            if listing is None:
                continue
            if name in listing.dirs:
                inner = _listing(directory / name, depends, self.root)
                if inner is not None and "__init__.py" in inner.files:
                    return Module(dotted, directory / name / "__init__.py", (directory / name,))
            if f"{name}.py" in listing.files:
                return Module(dotted, directory / f"{name}.py", ())
            if any(f.startswith(name + ".") and f.endswith(_COMPILED_SUFFIXES) for f in listing.files):
                return Module(dotted, None, (), compiled=True)
            if name in listing.dirs:
                portions.append(directory / name)
        if portions:
            return Module(dotted, None, tuple(portions))
        return None

    def find(self, dotted: str, depends: Depends) -> Module | Missing:
        """The module `dotted` names, or the first part of it that is missing."""
        parts = dotted.split(".")
        directories: Sequence[Path] = self.roots
        parent: Module | None = None
        for index, name in enumerate(parts):
            here = ".".join(parts[: index + 1])
            found = self._find_in(directories, name, depends, here) if directories else None
            if found is None:
                return Missing(here, parent, self._near(directories, name, depends))
            if found.compiled and index < len(parts) - 1:
                return found  # submodules of an extension are unknowable: assume present
            parent, directories = found, found.portions
        assert parent is not None
        return parent

    def _near(self, directories: Sequence[Path], name: str, depends: Depends) -> tuple[str, ...]:
        import difflib

        present: set[str] = set()
        for directory in directories:
            listing = _listing(directory, depends, self.root)
            if listing is not None:
                present.update(d for d in listing.dirs if d.isidentifier())
                present.update(f[:-3] for f in listing.files if f.endswith(".py") and f != "__init__.py")
        return tuple(difflib.get_close_matches(name, sorted(present), n=2, cutoff=0.6))

    def has_name(self, module: Module, name: str, depends: Depends) -> tuple[bool, tuple[str, ...]]:
        """Whether `from module import name` finds something (True when unknowable),
        and, when it does not, similar names that do exist."""
        if module.compiled:
            return True, ()
        if module.portions and self._find_in(
            module.portions, name, depends, f"{module.dotted}.{name}"
        ) is not None:
            return True, ()
        names = (
            module_names(module.source, depends, self.root)
            if module.source is not None
            else ModuleNames(frozenset(), True)  # a namespace package: submodules only
        )
        if not names.known or name in names.names:
            return True, ()
        import difflib

        candidates = sorted(n for n in names.names if not n.startswith("__"))
        return False, tuple(difflib.get_close_matches(name, candidates, n=2, cutoff=0.6))


@lru_cache(maxsize=8)
def index_for(root: Path, source_roots: tuple[str, ...] | None, first_party: tuple[str, ...] | None) -> ModuleIndex:
    """One index per project and settings, per process."""
    return ModuleIndex(root, source_roots, first_party)
