"""Atomic file writes: write a temporary file beside the target, then rename it.

A reader (or a process restarted after a crash) sees either the previous file
or the complete new one, never a partial write: the data goes to a temporary
file in the same folder, is flushed and `fsync`-ed, and `os.replace` swaps it
in (an atomic rename on POSIX and Windows). The folder is `fsync`-ed too where
the platform allows it, so the rename itself survives a power loss.

Example:

>>> import os, tempfile
>>> from layerwise.utils.atomic import atomic_write
>>> path = os.path.join(tempfile.mkdtemp(), "state.json")
>>> with atomic_write(path, "w") as f:
...     _ = f.write('{"epoch": 3}')
>>> open(path).read()
'{"epoch": 3}'
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from typing import IO

TEMP_PREFIX = ".tmp-"
# Temp files of the previous naming (no process id) older than this are debris.
LEGACY_TEMP_MAX_AGE_S = 3600
# The temporary paths this process is writing now (a nested atomic write reuses them).
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


def _temp_path(path: str) -> str:
    """A fresh temporary path in the folder of `path`, ending like `path`.

    The name keeps the full base name at the end (`.tmp-4242-1a2b3c.model.weights.h5`),
    so code that checks extensions (`.keras`, `.weights.h5`) accepts it, and starts
    with a dot, so it is hidden and does not match checkpoint name patterns. The
    writer's process id is part of the name: the next save to the same place
    removes the temp files whose process is gone (`remove_stale_temps`).
    """
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}.{base}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - no cheap liveness probe: keep the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_temps(path: str | os.PathLike) -> list[str]:
    """Removes the temp files that interrupted saves of `path` left beside it.

    A temp file is stale when the process that wrote it no longer runs, or (the
    previous naming, without a process id) when it is older than
    `LEGACY_TEMP_MAX_AGE_S`. Temp files of live processes, this one's included,
    are kept. Called at the start of every atomic write.

    Returns:
        The removed paths.
    """
    folder, base = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(re.escape(TEMP_PREFIX) + r"(?:(\d{1,10})-)?[0-9a-f]{12}\."
                         + re.escape(base) + r"\Z")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in names:
        match = pattern.match(name) if name.startswith(TEMP_PREFIX) else None
        if match is None:
            continue
        candidate = os.path.join(folder, name)
        if match.group(1) is not None:
            stale = not _pid_alive(int(match.group(1)))
        else:
            try:
                stale = time.time() - os.lstat(candidate).st_mtime > LEGACY_TEMP_MAX_AGE_S
            except OSError:
                stale = False
        with _ACTIVE_LOCK:
            if candidate in _ACTIVE:
                stale = False
        if stale:
            with contextlib.suppress(OSError):
                if not os.path.isdir(candidate) or os.path.islink(candidate):
                    os.remove(candidate)
                    removed.append(candidate)
    return removed


def _is_active_temp(path: str) -> bool:
    with _ACTIVE_LOCK:
        return os.path.abspath(path) in _ACTIVE


@contextlib.contextmanager
def _registered(temp: str) -> Iterator[None]:
    with _ACTIVE_LOCK:
        _ACTIVE.add(temp)
    try:
        yield
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.discard(temp)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    """Makes a rename in `folder` durable (a no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def replace(temp: str, path: str, fsync: bool = True) -> None:
    """Moves the finished file `temp` onto `path` atomically (and durably if `fsync`)."""
    if fsync:
        _fsync_file(temp)
    os.replace(temp, path)
    if fsync:
        _fsync_dir(os.path.dirname(os.path.abspath(path)))


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None,
                 newline: str | None = None, fsync: bool = True) -> Iterator[IO]:
    """Opens a temporary file that replaces `path` when the `with` block succeeds.

    If the block raises (or the process dies), `path` keeps its previous content
    and the temporary file is removed (after a crash it stays behind as a hidden
    `.tmp-<pid>-*` file, never as `path`, until the next write of `path` removes
    it). Inside another atomic write of this process to a temporary path (a
    checkpoint callback wrapping `model.save`), that temporary path is written
    directly: one temporary file per write.

    Args:
        path: The file to write.
        mode: `"w"`/`"wb"` (or `"x"`/`"xb"`: fail if `path` exists). Appending
            modes are refused: read the old content and write it all.
        encoding: Text encoding (text modes; default UTF-8).
        newline: As for `open()` (text modes).
        fsync: Flush the data and the rename to disk before returning.

    Yields:
        The open file object.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> with atomic_write(path, "w") as f:
    ...     _ = f.write("epoch,loss\\n")
    """
    path = os.fspath(path)
    if not mode or mode[0] not in "wx" or "+" in mode:
        raise ValueError(
            f"`atomic_write` writes a whole new file: `mode` must be 'w', 'wb', 'x' or 'xb'. "
            f"Received: mode={mode!r}"
        )
    exclusive = mode[0] == "x"
    if exclusive and os.path.exists(path):
        raise FileExistsError(f"File exists: {path!r}")
    binary = "b" in mode
    if _is_active_temp(path):  # inside another atomic write of this process: no second temp
        with open(path, mode, encoding=None if binary else (encoding or "utf-8"),
                  newline=newline) as handle:
            yield handle
        return
    remove_stale_temps(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = _temp_path(path)
        try:
            # 0o666 minus the umask: the same permissions as `open(path, "w")` gives.
            fd = os.open(temp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        if binary:
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        _remove_quietly(temp)
        raise
    try:
        with _registered(temp), handle:
            yield handle
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        if exclusive and os.path.exists(path):
            raise FileExistsError(f"File exists: {path!r}")
        os.replace(temp, path)
    except BaseException:
        _remove_quietly(temp)
        raise
    if fsync:
        _fsync_dir(os.path.dirname(os.path.abspath(path)))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, fsync: bool = True) -> Iterator[str]:
    """Yields a temporary path to write by name; it replaces `path` when the block succeeds.

    For writers that take a file name (`h5py.File`, `zipfile.ZipFile`,
    `model.save`): the temporary name ends with the base name of `path`, so
    extension checks pass.

    Args:
        path: The file to produce.
        fsync: Flush the data and the rename to disk before returning.

    Yields:
        The temporary path (in the folder of `path`) to write.

    Raises:
        FileNotFoundError: If the block did not create the temporary file.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "data.bin")
    >>> with atomic_path(path) as tmp:
    ...     with open(tmp, "wb") as f:
    ...         _ = f.write(b"abc")
    >>> open(path, "rb").read()
    b'abc'
    """
    path = os.fspath(path)
    if _is_active_temp(path):  # inside another atomic write of this process: no second temp
        yield path
        return
    remove_stale_temps(path)
    temp = _temp_path(path)
    try:
        with _registered(temp):
            yield temp
        if not os.path.isfile(temp):
            raise FileNotFoundError(
                f"Nothing was written to the temporary file {temp!r} for {path!r}."
            )
        replace(temp, path, fsync=fsync)
    except BaseException:
        _remove_quietly(temp)
        raise


def atomic_copy(source: str | os.PathLike, path: str | os.PathLike, fsync: bool = True) -> None:
    """Copies the file `source` to `path` atomically."""
    with open(source, "rb") as src, atomic_write(path, "wb", fsync=fsync) as dst:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            dst.write(chunk)
