"""File helpers for the savers: atomic replacement and the lazy `h5py` import."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from layerwise.utils.atomic import atomic_path


def h5py_module():
    """Imports `h5py` (an optional dependency) or raises a clear `ImportError`."""
    try:
        import h5py  # optional library, loaded only when an HDF5 file is read or written
    except ImportError:  # pragma: no cover - exercised only without h5py
        raise ImportError(
            "Reading and writing `.keras`, `.weights.h5` and `.h5` files requires the `h5py` "
            "package. Install it with `pip install h5py`."
        ) from None
    return h5py


@contextlib.contextmanager
def atomic_target(path: str) -> Iterator[str]:
    """Yields a temporary path beside `path`; it replaces `path` when the block succeeds.

    `layerwise.utils.atomic.atomic_path` (write under a hidden name in the same
    folder, `fsync`, then `os.replace`), creating the folder first as Keras'
    savers do: a process killed while saving leaves the previous file intact.
    """
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as temp:
        yield temp


def check_overwrite(path: str, overwrite: bool) -> bool:
    """Whether to write `path`: always when `overwrite`, else ask as Keras does."""
    if overwrite or not os.path.exists(path):
        return True
    answer = input(f"[WARNING] {path} already exists - overwrite? [y/n] ").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel). ').strip().lower()
    return answer == "y"
