"""A restricted unpickler for the few dataset files that are Python pickles.

The official CIFAR batches are pickled dicts, and Keras' `imdb.npz` /
`reuters.npz` store ragged sequences as numpy object arrays, whose `.npy`
payload is a pickle. `pickle.load` on such files could run arbitrary code;
`RestrictedUnpickler` never resolves a global except numpy's own array
reconstruction helpers, and refuses everything else (`os.system`,
`builtins.eval`, ...). Lists, dicts, tuples, ints, floats, strings and bytes
are built by pickle opcodes directly and need no global.
"""

from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

import numpy as np

# numpy's `_reconstruct` lives in `numpy.core.multiarray` (numpy 1) or
# `numpy._core.multiarray` (numpy 2); take it from an array's own reduce
# tuple so that neither module name has to be imported (the old one warns).
_RECONSTRUCT = np.zeros(1).__reduce__()[0]

_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
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
