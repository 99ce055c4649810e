"""A restricted unpickler for the few dataset files that are Python pickles.

The official CIFAR batches are pickled dicts, and Keras' `imdb.npz` /
`reuters.npz` store ragged sequences as numpy object arrays, whose `.npy`
payload is a pickle. `pickle.load` on such files could run arbitrary code;
`RestrictedUnpickler` never resolves a global except numpy's own array
reconstruction helpers, and refuses everything else (`os.system`,
`builtins.eval`, ...). Lists, dicts, tuples, ints, floats, strings and bytes
are built by pickle opcodes directly and need no global.

Arrays are bounded too: every shape a pickle asks numpy to allocate (through
`ndarray`, `_reconstruct` or the array's state) is checked against the size of
the pickle itself (an array's data has to be in the pickle), so a few bytes
cannot request a 2**40-element array; such a pickle raises `UnpicklingError`.
"""

from __future__ import annotations

import io
import pickle
import threading
from struct import error as struct_error
from typing import Any, BinaryIO

import numpy as np

# numpy's `_reconstruct` lives in `numpy.core.multiarray` (numpy 1) or
# `numpy._core.multiarray` (numpy 2); take it from an array's own reduce
# tuple so that neither module name has to be imported (the old one warns).
_RECONSTRUCT = np.zeros(1).__reduce__()[0]

# Bytes an array may hold per byte of pickle (an object array stores 8-byte
# pointers for elements that take at least one pickle byte each), plus a floor.
_BYTES_PER_PICKLE_BYTE = 8
_FLOOR_BYTES = 1 << 20
_LIMIT = threading.local()


def _check_size(shape, dtype, what: str) -> None:
    """Refuses an array larger than the pickle being read can describe."""
    try:
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        count = 1
        for d in dims:
            if not isinstance(d, int) or d < 0:
                raise pickle.UnpicklingError(f"Invalid array shape {shape!r} in {what}.")
            count *= d
        itemsize = np.dtype(dtype).itemsize if dtype is not None else 8
    except (TypeError, ValueError) as error:
        raise pickle.UnpicklingError(f"Invalid array in {what}: {error}") from None
    limit = getattr(_LIMIT, "bytes", _FLOOR_BYTES)
    if count * max(itemsize, 1) > limit:
        raise pickle.UnpicklingError(
            f"Refusing an array of shape {dims} ({count * itemsize} bytes) in {what}: the "
            f"pickle holds at most {limit} bytes of array data. The file is corrupted or "
            "malicious."
        )


class _BoundedArray(np.ndarray):
    """`numpy.ndarray` as a pickle sees it: allocations checked against the pickle's size."""

    def __new__(cls, shape, dtype=float, *args, **kwargs):
        _check_size(shape, dtype, "a pickled `numpy.ndarray` call")
        return np.ndarray.__new__(np.ndarray, shape, dtype, *args, **kwargs)

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) in (4, 5):
            shape, dtype = state[-4], state[-3]
            _check_size(shape, dtype, "a pickled array's state")
        np.ndarray.__setstate__(self, state)


def _bounded_reconstruct(subtype, shape, dtype):
    _check_size(shape, dtype, "a pickled array")
    return _RECONSTRUCT(_BoundedArray, shape, dtype)


def _plain(obj, depth: int = 0):
    """Turns every `_BoundedArray` in an unpickled structure back into a plain array."""
    if depth > 100:
        return obj
    if isinstance(obj, _BoundedArray):
        obj = obj.view(np.ndarray)
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            for i, item in enumerate(obj.flat):
                obj.flat[i] = _plain(item, depth + 1)
        return obj
    if isinstance(obj, dict):
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_plain(v, depth + 1) for v in obj)
    return obj


_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): _BoundedArray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _bounded_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _bounded_reconstruct,
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that can only rebuild plain containers and numpy arrays.

    Args:
        file: Binary file object holding the pickle.
        allow_numpy: Whether the numpy array globals (`numpy.ndarray`,
            `numpy.dtype`, `numpy.core.multiarray._reconstruct` and its
            `numpy._core` twin) may be resolved. With `False`, no global at all.
        encoding: Passed to `pickle.Unpickler`; `"bytes"` reads Python 2
            strings as `bytes` (needed for the CIFAR batches).
        source: Name of the file being read, used in error messages.
    """

    def __init__(
        self,
        file: BinaryIO,
        *,
        allow_numpy: bool = True,
        encoding: str = "ASCII",
        source: str = "<pickle>",
    ) -> None:
        super().__init__(file, encoding=encoding)
        self._file = file
        self._allow_numpy = allow_numpy
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        if self._allow_numpy and (module, name) in _ALLOWED_GLOBALS:
            return _ALLOWED_GLOBALS[(module, name)]
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` from {self._source}: dataset files may only "
            "contain plain containers and numpy arrays. The file is corrupted or malicious; "
            "delete it and download it again."
        )

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError(
            f"Refusing persistent id {pid!r} in {self._source}: not a dataset file."
        )

    def load(self) -> Any:
        """Unpickles, with arrays bounded by the size of the pickle (see the module doc)."""
        size = _remaining_bytes(self._file)
        previous = getattr(_LIMIT, "bytes", None)
        _LIMIT.bytes = _FLOOR_BYTES + _BYTES_PER_PICKLE_BYTE * size
        try:
            return _plain(super().load())
        except MemoryError:
            raise pickle.UnpicklingError(
                f"{self._source} asks for more memory than available: corrupted file."
            ) from None
        finally:
            if previous is None:
                del _LIMIT.bytes
            else:
                _LIMIT.bytes = previous


# What a damaged pickle can raise while being decoded; loaders turn them into ValueError.
PICKLE_ERRORS = (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError,
                 IndexError, KeyError, OverflowError, RecursionError, MemoryError,
                 UnicodeError, struct_error)


def _remaining_bytes(file: BinaryIO) -> int:
    try:
        position = file.tell()
        end = file.seek(0, io.SEEK_END)
        file.seek(position)
        return max(end - position, 0)
    except (OSError, AttributeError, ValueError):
        return 1 << 30


def restricted_loads(
    data: bytes, *, allow_numpy: bool = True, encoding: str = "ASCII", source: str = "<pickle>"
) -> Any:
    """Loads a pickle from bytes with `RestrictedUnpickler`.

    Args:
        data: The pickle bytes.
        allow_numpy: Whether numpy arrays may be rebuilt.
        encoding: How Python 2 `str` objects are decoded (`"bytes"` keeps them).
        source: Name of the file, for error messages.

    Returns:
        The unpickled object.

    Example:

    >>> restricted_loads(pickle.dumps({"a": [1, 2]}))
    {'a': [1, 2]}
    """
    unpickler = RestrictedUnpickler(
        io.BytesIO(data), allow_numpy=allow_numpy, encoding=encoding, source=source
    )
    return unpickler.load()
