"""Keras' dtype rules on torch: names, promotion (`result_type`) and conversion.

Keras promotes dtypes on a lattice (JAX's, with Python numbers as "weak" types), then
narrows 64-bit results to 32 bits on the torch backend. `convert_to_tensor` turns
Python numbers, lists, NumPy arrays and `Variable`s into torch tensors the way
Keras' torch backend does (Python `int` -> int32, `float` -> floatx).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from layerwise.backend.config import floatx

_BOOL = ("bool",)
_INTS = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOATS = ("bfloat16", "float16", "float32", "float64")
_WEAK = ("int", "float")
_LATTICE = {
    "bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"], "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": [],
}
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _upper_bounds() -> dict:
    bounds = {node: {node} for node in _LATTICE}
    for node in _LATTICE:
        while True:
            grown = set().union(*(_LATTICE[b] for b in bounds[node])) | bounds[node]
            if grown == bounds[node]:
                break
            bounds[node] = grown
    return bounds


_UPPER = _upper_bounds()


def standardize_dtype(dtype) -> str:
    """Returns the Keras name of a dtype given as a string, NumPy, torch or Python type."""
    if dtype is None:
        return floatx()
    if dtype is int:
        return "int32"
    if dtype is float:
        return "float32"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if isinstance(dtype, str):
        name = dtype
    else:
        name = getattr(dtype, "name", None)
        if name is None and hasattr(dtype, "dtype"):
            return standardize_dtype(dtype.dtype)
    name = str(name if name is not None else np.dtype(dtype).name).replace("torch.", "")
    if name == "double":
        return "float64"
    if name == "float":
        return "float32"
    if name == "int":
        return "int32"
    if name not in _LATTICE and name != "string":
        raise ValueError(f"Invalid dtype: {dtype!r}. Expected a name like 'float32' or 'int32'.")
    return name


def to_torch_dtype(dtype) -> torch.dtype:
    """Returns the torch dtype for a Keras dtype name (or any accepted dtype spelling)."""
    if isinstance(dtype, torch.dtype):
        return dtype
    return getattr(torch, standardize_dtype(dtype))


@functools.lru_cache(maxsize=1024)
def _least_upper_bound(*nodes: str) -> str:
    common = set.intersection(*(_UPPER[n] for n in nodes))
    best = (common & set(nodes)) or {c for c in common if common.issubset(_UPPER[c])}
    if len(best) != 1:
        raise ValueError(f"Input dtypes {nodes} have no implicit promotion; cast them explicitly.")
    return best.pop()


def _weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    return "float" if "float" in dtype else ("int" if "int" in dtype else "complex64")


def result_type(*dtypes) -> str:
    """Keras' promotion: the least upper bound of `dtypes` (`int`/`float` are weak types).

    Example:

    >>> result_type("int32", "float32"), result_type("bfloat16", int), result_type("int8", float)
    ('float32', 'bfloat16', 'float32')
    """
    if not dtypes:
        return floatx()
    pairs = [(standardize_dtype(floatx() if d is None else d), d is int or d is float)
             for d in dtypes]
    names = [p[0] for p in pairs]
    if len(pairs) == 1:
        out, weak = pairs[0]
    elif len(set(names)) == 1 and not all(w for _, w in pairs):
        out, weak = names[0], False
    elif all(w for _, w in pairs):
        out, weak = _least_upper_bound(*set(names)), True
    else:
        out = _least_upper_bound(*{_weak(d) if w else d for d, w in pairs})
        weak = out in _WEAK
    if out != "bool" and weak:
        precision = floatx()[-2:]
        kind = "f" if out == "bfloat16" else out[:1]
        out = {"i": f"int{precision}", "u": f"uint{precision}"}.get(kind, f"float{precision}")
    return _NARROW.get(out, out)


def dtype_of(x) -> str | type:
    """The Keras dtype name of a tensor, array or Python number (`int`/`float` stay weak:
    their type, `int` or `float`, is returned)."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return type(x)
    return standardize_dtype(x.dtype)


def is_float(dtype) -> bool:
    return "float" in standardize_dtype(dtype)


def is_int(dtype) -> bool:
    return "int" in standardize_dtype(dtype)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> torch.Tensor:
    """Converts `x` (tensor, `Variable`, NumPy array, list, Python number) to a torch tensor.

    Args:
        x: The value.
        dtype: Optional target dtype.
        sparse: Unsupported on torch; `True` raises.
        ragged: Unsupported on torch; `True` raises.

    Returns:
        A `torch.Tensor` (the same object when no conversion is needed).
    """
    if sparse or ragged:
        raise ValueError("`sparse=True` and `ragged=True` are not supported on torch.")
    if isinstance(x, torch.Tensor):
        return x if dtype is None else x.to(to_torch_dtype(dtype))
    if isinstance(x, (bool, int, float, complex)):
        if dtype is not None:
            target = to_torch_dtype(dtype)
        elif isinstance(x, bool):
            target = torch.bool
        elif isinstance(x, int):
            target = torch.int64 if not -(2**31) <= x < 2**31 else torch.int32
        elif isinstance(x, float):
            target = to_torch_dtype(floatx())
        else:
            target = torch.complex64
        return torch.as_tensor(x, dtype=target)
    if isinstance(x, (list, tuple)) and x and any(isinstance(v, torch.Tensor) for v in x):
        return torch.stack([convert_to_tensor(v, dtype) for v in x])
    to_numpy = getattr(x, "numpy", None)  # tf / jax / torch-like tensors
    if to_numpy is not None and not isinstance(x, np.ndarray):
        x = to_numpy()
    if isinstance(x, (list, tuple)):
        flat = np.asarray(x, dtype=object).ravel().tolist() if len(x) else []
        inferred = result_type(*[dtype_of(v) for v in flat]) if flat else floatx()
        array = np.asarray(x, dtype=None if dtype is None else standardize_dtype(dtype))
        target = dtype or inferred
        return torch.as_tensor(array).to(to_torch_dtype(target))
    array = np.asarray(x)
    if array.dtype == np.uint32:
        array = array.astype(np.int64)
    if array.dtype.kind in "USO":
        raise ValueError(f"Cannot convert {type(x).__name__} of dtype {array.dtype} to a tensor.")
    tensor = torch.from_numpy(array if array.flags.c_contiguous and array.flags.writeable
                              else array.copy())
    return tensor if dtype is None else tensor.to(to_torch_dtype(dtype))


def convert_to_numpy(x) -> np.ndarray:
    """Returns `x` as a NumPy array (detached, on the CPU)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(v) for v in x])
    return np.asarray(x)


def to_tensors(*values):
    """`convert_to_tensor` on each value."""
    return [convert_to_tensor(v) for v in values]


def promote(*values, extra=()):
    """Converts `values` to tensors of their Keras result type (plus `extra` dtypes)."""
    dtype = result_type(*[dtype_of(v) for v in values], *extra)
    return [convert_to_tensor(v, dtype) for v in values], dtype
