"""Reading HDF5 attributes of untrusted files without hanging.

A corrupted variable-length string attribute (its heap reference, e.g. a
length of 4 GB) makes libhdf5 spin forever while converting it: Keras 3 hangs
on such a `model_config`, and no Python-level timeout can interrupt C code.
So before a value is read, its type, shape and stored size are checked with
h5py's low-level API (which never touches the heap); fixed-length values are
then read directly (their bytes are inline and bounded), and variable-length
ones in a forked worker process that is killed after `READ_TIMEOUT_S`, so a
corrupted file gives a `ValueError` instead of a hang.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time

import numpy as np

from layerwise.saving._files import h5py_module

READ_TIMEOUT_S = 5.0
MAX_ATTRIBUTE_BYTES = 64 << 20
MAX_ATTRIBUTE_ELEMENTS = 1 << 20


def _describe(obj, name: str) -> str:
    where = getattr(obj, "name", None) or "/"
    return f"attribute {name!r} of {where!r}"


def _check_layout(obj, name: str):
    """`(variable_length, npoints)` of a text attribute, checked without reading it."""
    h5py = h5py_module()
    try:
        aid = h5py.h5a.open(obj.id, name.encode("utf-8"))
        space, dtype = aid.get_space(), aid.get_type()
        kind = space.get_simple_extent_type()
        npoints = space.get_simple_extent_npoints()
    except (KeyError, OSError, RuntimeError, ValueError, TypeError) as error:
        raise ValueError(f"Cannot read the HDF5 {_describe(obj, name)}: {error}") from None
    if kind == h5py.h5s.NULL or npoints == 0:
        return False, 0
    try:
        storage = aid.get_storage_size()
    except (OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"Cannot read the HDF5 {_describe(obj, name)}: {error}") from None
    if npoints > MAX_ATTRIBUTE_ELEMENTS or storage > MAX_ATTRIBUTE_BYTES:
        raise ValueError(
            f"The HDF5 {_describe(obj, name)} declares {npoints} elements / {storage} bytes "
            f"(at most {MAX_ATTRIBUTE_ELEMENTS} / {MAX_ATTRIBUTE_BYTES}): corrupted file."
        )
    if isinstance(dtype, h5py.h5t.TypeStringID):
        return dtype.is_variable_str(), npoints
    if isinstance(dtype, h5py.h5t.TypeVlenID):
        return True, npoints
    return False, npoints


def _encode(value):
    """A JSON form of a text attribute's value (str, bytes, or an array of them)."""
    if isinstance(value, np.ndarray):
        return {"array": [_encode(v) for v in value.reshape(-1).tolist()],
                "shape": list(value.shape)}
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return {"value": value}
    return {"value": str(value)}


def _decode(data):
    if "array" in data:
        items = [_decode(v) for v in data["array"]]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape(data["shape"])
    if "bytes" in data:
        return data["bytes"].encode("latin-1")
    return data["value"]


def _read_in_worker(obj, name: str, timeout: float):
    """Reads `obj.attrs[name]` in a forked child; `ValueError` if it does not finish in time."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.close(read_end)
        try:
            payload = json.dumps(["ok", _encode(obj.attrs[name])]).encode()
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            payload = json.dumps(["error", f"{type(error).__name__}: {error}"]).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view):]
        os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([read_end], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise ValueError(
                    f"Reading the HDF5 {_describe(obj, name)} did not finish within {timeout} "
                    "s: the file is corrupted (libhdf5 spins on its damaged string heap)."
                )
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        status, value = json.loads(b"".join(chunks))
    except (ValueError, TypeError) as error:
        raise ValueError(f"Cannot read the HDF5 {_describe(obj, name)}: {error}") from None
    if status != "ok":
        raise ValueError(f"Cannot read the HDF5 {_describe(obj, name)}: {value}")
    return _decode(value)


def read_attribute(obj, name: str, timeout: float = READ_TIMEOUT_S):
    """`obj.attrs[name]`, checked first and bounded in time (see the module doc).

    Raises:
        ValueError: for an oversized, corrupted or hanging attribute.
    """
    variable, _ = _check_layout(obj, name)
    if variable and hasattr(os, "fork"):
        return _read_in_worker(obj, name, timeout)
    try:
        value = obj.attrs[name]
    except (OSError, TypeError, RuntimeError, ValueError, KeyError) as error:
        raise ValueError(f"Cannot read the HDF5 {_describe(obj, name)}: {error}") from None
    if isinstance(value, np.ndarray) and value.nbytes > MAX_ATTRIBUTE_BYTES:
        raise ValueError(f"The HDF5 {_describe(obj, name)} is larger than "
                         f"{MAX_ATTRIBUTE_BYTES} bytes.")
    return value
