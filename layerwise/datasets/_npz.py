"""A safe `.npz` reader that never calls `np.load(..., allow_pickle=True)`.

Numeric members are read with pickling disabled. Members whose `.npy` header
declares an object dtype are refused unless `allow_object_arrays=True`; then,
and only then, their pickle payload is read with `RestrictedUnpickler`, which
can rebuild lists, ints and numpy arrays but resolves no other global.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import numpy as np

from layerwise.datasets._safe_pickle import PICKLE_ERRORS, RestrictedUnpickler

# A deflated member expands at most ~1032:1: more than this per stored byte is refused.
MAX_EXPANSION = 1100


def _read_header(fp: io.BytesIO, where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(fp)
        if version in ((2, 0), (3, 0)):
            return np.lib.format.read_array_header_2_0(fp)
    except ValueError as e:
        raise ValueError(f"{where} is not a valid .npy array: {e}") from e
    raise ValueError(f"{where} uses the unsupported .npy format version {version}.")


def _read_object_array(fp: io.BytesIO, shape: tuple[int, ...], where: str) -> np.ndarray:
    try:
        array = RestrictedUnpickler(fp, source=where).load()
    except PICKLE_ERRORS as e:
        raise ValueError(f"Could not read the object array {where}: {type(e).__name__}: {e}") \
            from e
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(
            f"{where} does not hold the object array its header declares (shape {shape})."
        )
    return array


def read_npy(data: bytes, where: str = "<npy>", allow_object_arrays: bool = False) -> np.ndarray:
    """Reads one `.npy` payload.

    Args:
        data: The `.npy` bytes.
        where: Name used in error messages (e.g. `"imdb.npz:x_train.npy"`).
        allow_object_arrays: Whether object arrays may be read (with the
            restricted unpickler). If `False`, they raise `ValueError`.

    Returns:
        The array.
    """
    fp = io.BytesIO(data)
    shape, _, dtype = _read_header(fp, where)
    if dtype.hasobject:
        if not allow_object_arrays:
            raise ValueError(
                f"{where} is an object array (a pickle); refusing to read it. Only numeric "
                "arrays are accepted in this file."
            )
        return _read_object_array(fp, shape, where)
    count = 1
    for d in shape:
        count *= d
    if count * dtype.itemsize != len(data) - fp.tell():
        raise ValueError(
            f"{where} is truncated or corrupted: its header declares shape {shape} of {dtype} "
            f"({count * dtype.itemsize} bytes), the file holds {len(data) - fp.tell()}."
        )
    fp.seek(0)
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except (ValueError, TypeError, OSError, MemoryError) as e:
        raise ValueError(f"Could not read the array {where}: {type(e).__name__}: {e}") from e


def load_npz(path: str | os.PathLike, allow_object_arrays: bool = False) -> dict[str, np.ndarray]:
    """Loads every array of an `.npz` archive without unrestricted unpickling.

    Args:
        path: Path to the `.npz` file.
        allow_object_arrays: Whether object-dtype members (ragged sequences
            such as Keras' `imdb.npz`) may be read. They are decoded with
            `RestrictedUnpickler`, which only rebuilds lists, ints and numpy
            arrays. Defaults to `False` (such members raise `ValueError`).

    Returns:
        A dict mapping member names (without `.npy`) to arrays.

    Example:

    >>> arrays = load_npz("boston_housing.npz")  # doctest: +SKIP
    >>> arrays["x"].shape  # doctest: +SKIP
    (506, 13)
    """
    path = os.fspath(path)
    arrays: dict[str, np.ndarray] = {}
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError,
            RuntimeError, struct.error) as e:
        raise ValueError(f"{path} is not a valid .npz (zip) file: {type(e).__name__}: {e}") \
            from e
    stored = os.path.getsize(path)
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(".npy"):
                continue
            limit = MAX_EXPANSION * stored
            if info.file_size > limit:
                raise ValueError(
                    f"{path}:{name} declares {info.file_size} bytes, more than a {stored}-byte "
                    "archive can hold (a decompression bomb or a corrupted file)."
                )
            try:
                with archive.open(info) as member:
                    data = member.read(limit + 1)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                    NotImplementedError, RuntimeError, zlib.error) as e:
                raise ValueError(f"Could not read {path}:{name}: {type(e).__name__}: {e}") from e
            if len(data) > limit:
                raise ValueError(f"{path}:{name} expands beyond {limit} bytes; refusing it.")
            arrays[name[: -len(".npy")]] = read_npy(
                data, f"{path}:{name}", allow_object_arrays=allow_object_arrays
            )
    return arrays


def require_keys(arrays: dict[str, np.ndarray], keys: tuple[str, ...], path: str) -> None:
    """Raises a clear error if the `.npz` lacks one of `keys`."""
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(
            f"{path} lacks the arrays {missing} (found {sorted(arrays)}); it is not the "
            "expected dataset file. Delete it so that it is downloaded again."
        )
