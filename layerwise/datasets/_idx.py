"""Reader for the IDX format of the MNIST and Fashion-MNIST files.

An IDX file is: two zero bytes, a type code, the number of dimensions `n`,
`n` big-endian uint32 sizes, then the data in C order.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# An uncompressed IDX file holds its data: a header declaring more than this
# many bytes per byte of the file (a gzip stream compresses at most ~1032:1)
# is refused before anything is allocated.
MAX_EXPANSION = 1100


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
        ValueError: The file is not IDX, is damaged (gzip stream included), or its
            size disagrees with its header (a header declaring more data than the
            file can hold is refused before any allocation).
    """
    path = os.fspath(path)
    compressed = path.endswith(".gz")
    opener = gzip.open if compressed else open
    try:
        stored = os.path.getsize(path)
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) != 4 or head[:2] != b"\0\0" or head[2] not in _TYPES:
                raise ValueError(f"{path} is not an IDX file (bad magic number {head.hex()!r}).")
            ndim = head[3]
            dims = struct.unpack(f">{ndim}I", f.read(4 * ndim))
            dtype = np.dtype(_TYPES[head[2]])
            nbytes = int(np.prod(dims, dtype=object)) * dtype.itemsize
            limit = stored * (MAX_EXPANSION if compressed else 1)
            if nbytes > limit:
                raise ValueError(
                    f"{path} is truncated or corrupted: its header declares shape {dims} "
                    f"({nbytes} bytes of {dtype}), more than a {stored}-byte file can hold."
                )
            array = np.empty(dims, dtype=dtype)
            if _read_into(f, array.reshape(-1).view(np.uint8)) != array.nbytes or f.read(1):
                raise ValueError(
                    f"{path} is truncated or has trailing data: its header declares shape {dims}."
                )
    # gzip.BadGzipFile is an OSError; a damaged deflate stream raises zlib.error.
    except (OSError, EOFError, struct.error, zlib.error, MemoryError) as e:
        raise ValueError(f"Could not read the IDX file {path}: {type(e).__name__}: {e}") \
            from e
    return array.astype(array.dtype.newbyteorder("="), copy=False)
