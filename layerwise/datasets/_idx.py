"""Reader for the IDX format of the MNIST and Fashion-MNIST files.

An IDX file is: two zero bytes, a type code, the number of dimensions `n`,
`n` big-endian uint32 sizes, then the data in C order.
"""

from __future__ import annotations

import gzip
import os
import struct
from typing import BinaryIO

import numpy as np

_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_into(f: BinaryIO, buffer: np.ndarray) -> int:
    """Fills `buffer` from `f`; returns the number of bytes read (short at EOF)."""
    view, done = memoryview(buffer), 0
    while done < len(view):
        n = f.readinto(view[done:])
        if not n:
            break
        done += n
    return done


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an IDX file (optionally gzip-compressed) into a writable array.

    Args:
        path: Path to a `.gz` or uncompressed IDX file.

    Returns:
        The array with the shape stored in the header (`uint8` for MNIST).

    Raises:
        ValueError: The file is not IDX, or its size disagrees with its header.
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) != 4 or head[:2] != b"\0\0" or head[2] not in _TYPES:
                raise ValueError(f"{path} is not an IDX file (bad magic number {head.hex()!r}).")
            ndim = head[3]
            dims = struct.unpack(f">{ndim}I", f.read(4 * ndim))
            array = np.empty(dims, dtype=np.dtype(_TYPES[head[2]]))
            if _read_into(f, array.reshape(-1).view(np.uint8)) != array.nbytes or f.read(1):
                raise ValueError(
                    f"{path} is truncated or has trailing data: its header declares shape {dims}."
                )
    except (OSError, EOFError, struct.error) as e:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"Could not read the IDX file {path}: {e}") from e
    return array.astype(array.dtype.newbyteorder("="), copy=False)
