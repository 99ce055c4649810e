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
import secrets
from collections.abc import Iterator
from typing import IO

TEMP_PREFIX = ".tmp-"


def _temp_path(path: str) -> str:
    """A fresh temporary path in the folder of `path`, ending like `path`.

    The name keeps the full base name at the end (`.tmp-1a2b3c.model.weights.h5`),
    so code that checks extensions (`.keras`, `.weights.h5`) accepts it, and starts
    with a dot, so it is hidden and does not match checkpoint name patterns.
    """
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(6)}.{base}")


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
    `.tmp-*` file, never as `path`).

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
        with handle:
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
    temp = _temp_path(path)
    try:
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
