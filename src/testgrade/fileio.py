"""Writing files so that a failure never leaves a half-written one behind, and a
rewritten file stays the same file (link, owner, group, mode, hard links)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class WriteRefused(Exception):
    """A file testgrade must not write; the message says why, in a few words."""


class _OwnerNotKept(Exception):
    """The temporary copy cannot be given the file's owner and group."""


def atomic_write(path: Path, data: bytes, *, like: os.stat_result | None = None) -> None:
    """Write `data` to `path` all at once: a temporary file beside it, fsync, rename.

    The new file keeps the old one's permissions (and, with `like`, its owner and
    group: if they cannot be kept, _OwnerNotKept is raised before anything changed).
    On any error the temporary file is removed, whatever was at `path` stays as
    it was, and the OSError propagates for the caller to report.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if like is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(like.st_mode))
                mine = os.fstat(handle.fileno())
                if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
                    try:
                        os.fchown(handle.fileno(), like.st_uid, like.st_gid)
                    except PermissionError:
                        raise _OwnerNotKept from None
            os.fsync(handle.fileno())
        if like is None:
            with contextlib.suppress(OSError):
                os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0o666 & ~umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def _open_regular(path: Path | str) -> Iterator[BinaryIO]:
    """A regular file opened without blocking: a path replaced by a FIFO cannot hang
    the caller; it raises OSError instead."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "no longer a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            yield handle
    finally:
        os.close(fd)


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """A regular file's bytes (at most `limit` + 1 of them); see `_open_regular`."""
    with _open_regular(path) as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def content_digest(data: bytes) -> str:
    """The identity of the bytes a file was checked as (compared again before a fix)."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path | str) -> str:
    """`content_digest` of a regular file's bytes, read in chunks: never held whole."""
    digest = hashlib.sha256()
    with _open_regular(path) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def rewrite_file(root: Path, relpath: str, expected: bytes, data: bytes) -> None:
    """Replace the bytes of the file at `relpath` under `root`, which must still be
    `expected`, with `data`, keeping the file's identity.

    - a symbolic link is written through to its target, only if the target lies
      inside `root` (else WriteRefused);
    - a read-only file, or one whose bytes are no longer `expected`, is refused;
    - owner, group and mode are kept; a file with several hard links, or whose
      owner the temporary copy cannot take, is written in place after a complete
      temporary copy succeeded, so every link sees the new bytes.
    """
    path = Path(root) / relpath
    real = Path(os.path.realpath(path))
    if not _inside(real, Path(os.path.realpath(root))):
        raise WriteRefused("it is a symbolic link to a file outside the project root")
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("it is no longer a regular file")
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise WriteRefused("it is read-only")
    if read_regular(real) != expected:
        raise WriteRefused("it changed since it was checked")
    if info.st_nlink == 1:
        try:
            atomic_write(real, data, like=info)
            return
        except _OwnerNotKept:
            pass
    _write_in_place(real, data, expected)


def _write_in_place(path: Path, data: bytes, original: bytes) -> None:
    """Overwrite the file itself (same inode: hard links, owner, ACLs kept). A full
    temporary copy is written first, so a full disk fails before the file is
    touched; if the in-place write fails anyway, the original bytes are put back."""
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        target = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            try:
                _overwrite(target, data)
            except OSError:
                with contextlib.suppress(OSError):
                    _overwrite(target, original)
                raise
        finally:
            os.close(target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _overwrite(fd: int, data: bytes) -> None:
    view = memoryview(data)
    written = 0
    while written < len(data):
        written += os.pwrite(fd, view[written:], written)
    os.ftruncate(fd, len(data))
    os.fsync(fd)
