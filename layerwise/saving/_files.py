"""File helpers for the savers: atomic replacement and the lazy `h5py` import."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

TEMP_PREFIX = ".tmp-"


def h5py_module():
    """Imports `h5py` (an optional dependency) or raises a clear `ImportError`."""
    try:
        import h5py
    except ImportError:  # pragma: no cover - exercised only without h5py
        raise ImportError(
            "Reading and writing `.keras`, `.weights.h5` and `.h5` files requires the `h5py` "
            "package. Install it with `pip install h5py`."
        ) from None
    return h5py


def _fsync_dir(folder: str) -> None:
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


@contextlib.contextmanager
def atomic_target(path: str) -> Iterator[str]:
    """Yields a temporary path beside `path`; it replaces `path` when the block succeeds.

    The file is written under a hidden name in the same folder, `fsync`-ed, then
    moved onto `path` with `os.replace` (atomic), so a process killed while
    saving leaves the previous file intact and never a partial `path`.
    """
    path = os.fspath(path)
    folder, base = os.path.split(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(6)}.{base}")
    try:
        yield temp
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    _fsync_dir(folder)


def check_overwrite(path: str, overwrite: bool) -> bool:
    """Whether to write `path`: always when `overwrite`, else ask as Keras does."""
    if overwrite or not os.path.exists(path):
        return True
    answer = input(f"[WARNING] {path} already exists - overwrite? [y/n] ").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel). ').strip().lower()
    return answer == "y"
