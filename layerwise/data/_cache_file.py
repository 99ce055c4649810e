"""`Dataset.cache(filename)`: elements kept in one `.npz`-format file, read without pickle.

Numeric leaves are stored as arrays; string leaves (object arrays of `bytes`) as their
concatenated bytes plus lengths. The element structure is a small JSON document.
The file is written once, after a complete pass, to a temporary name then renamed.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping

import numpy as np

from layerwise.data.elements import EagerArray


def _structure(element):
    if isinstance(element, tuple):
        return {"tuple": [_structure(e) for e in element]}
    if isinstance(element, Mapping):
        return {"dict": {k: _structure(v) for k, v in element.items()}}
    if element is None:
        return {"none": True}
    return {"leaf": "bytes" if element.dtype == object else "array"}


def _flatten(element, out: list):
    if isinstance(element, tuple):
        for e in element:
            _flatten(e, out)
    elif isinstance(element, Mapping):
        for e in element.values():
            _flatten(e, out)
    elif element is not None:
        out.append(element)


def _leaf_arrays(leaf: np.ndarray) -> dict:
    if leaf.dtype != object:
        return {"": leaf.view(np.ndarray)}
    items = [bytes(b) for b in leaf.reshape(-1)]
    return {"": np.frombuffer(b"".join(items), dtype=np.uint8),
            "_len": np.asarray([len(b) for b in items], dtype=np.int64),
            "_shape": np.asarray(leaf.shape, dtype=np.int64)}


def write(filename: str, elements: list) -> None:
    """Writes `elements` to `filename` atomically (a temporary file, then a rename)."""
    if not elements:
        return
    arrays = {"structure": np.frombuffer(json.dumps(_structure(elements[0])).encode(),
                                         dtype=np.uint8),
              "count": np.asarray(len(elements), dtype=np.int64)}
    for i, element in enumerate(elements):
        leaves: list = []
        _flatten(element, leaves)
        for j, leaf in enumerate(leaves):
            for suffix, array in _leaf_arrays(leaf).items():
                arrays[f"e{i}_{j}{suffix}"] = array
    directory = os.path.dirname(os.path.abspath(filename))
    os.makedirs(directory, exist_ok=True)
    tmp = f"{filename}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, filename)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _rebuild(structure, leaves: list):
    if "tuple" in structure:
        return tuple(_rebuild(s, leaves) for s in structure["tuple"])
    if "dict" in structure:
        return {k: _rebuild(s, leaves) for k, s in structure["dict"].items()}
    if "none" in structure:
        return None
    return leaves.pop(0)


def _read_leaf(data, key: str, kind: str) -> np.ndarray:
    if kind == "array":
        return data[key].view(EagerArray)
    raw, lengths, shape = data[key].tobytes(), data[key + "_len"], data[key + "_shape"]
    if int(lengths.sum()) != len(raw) or int(np.prod(shape)) != len(lengths):
        raise ValueError(f"Corrupt string leaf {key!r}.")
    out = np.empty(len(lengths), dtype=object)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    for i in range(len(lengths)):
        out[i] = raw[offsets[i]:offsets[i + 1]]
    return out.reshape(tuple(int(s) for s in shape)).view(EagerArray)


def _kinds(structure) -> list:
    if "tuple" in structure:
        return [k for s in structure["tuple"] for k in _kinds(s)]
    if "dict" in structure:
        return [k for s in structure["dict"].values() for k in _kinds(s)]
    return [] if "none" in structure else [structure["leaf"]]


def read(filename: str):
    """The cached elements of `filename`, or `None` when there is no cache file yet."""
    if not os.path.isfile(filename):
        return None
    try:
        with np.load(filename, allow_pickle=False) as data:
            structure = json.loads(data["structure"].tobytes().decode())
            kinds = _kinds(structure)
            elements = []
            for i in range(int(data["count"])):
                leaves = [_read_leaf(data, f"e{i}_{j}", kind) for j, kind in enumerate(kinds)]
                elements.append(_rebuild(structure, leaves))
            return elements
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile,
            json.JSONDecodeError) as error:
        raise ValueError(
            f"The dataset cache file {filename!r} is not a readable layerwise cache ({error}). "
            "Delete it (it is rebuilt on the next complete pass) or pass another `filename` "
            "to `cache()`."
        ) from error
