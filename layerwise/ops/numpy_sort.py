"""Sorting, searching and counting ops of `keras.ops.numpy`."""

from __future__ import annotations

import torch

from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op


def _cast(x: torch.Tensor, dtype) -> torch.Tensor:
    dtype = to_torch_dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


# ---------------------------------------------------------- sorting, searching
def _arg(x, axis, keepdims, fn):
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    out = fn(x, dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        out = out.reshape((1,) * x.ndim)
    return out.int()


@keras_op("numpy")
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32)."""
    return _arg(x, axis, keepdims, torch.argmax)


@keras_op("numpy")
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32)."""
    return _arg(x, axis, keepdims, torch.argmin)


def _nan_arg(x, axis, keepdims, fill, fn):
    x = _t(x)
    if not x.is_floating_point():
        return _arg(x, axis, keepdims, fn)
    clean = torch.where(torch.isnan(x), fill, x)
    all_nan = torch.isnan(x).all(dim=axis, keepdim=keepdims) if axis is not None else \
        torch.isnan(x).all()
    return torch.where(all_nan, torch.tensor(-1, dtype=torch.int32),
                       _arg(clean, axis, keepdims, fn))


@keras_op("numpy")
def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum ignoring NaNs (-1 where all are NaN)."""
    return _nan_arg(x, axis, keepdims, float("-inf"), torch.argmax)


@keras_op("numpy")
def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum ignoring NaNs (-1 where all are NaN)."""
    return _nan_arg(x, axis, keepdims, float("inf"), torch.argmin)


@keras_op("numpy")
def argsort(x, axis=-1):
    """Indices that sort `x` (stable, int32)."""
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.argsort(x, dim=axis, stable=True).int()


@keras_op("numpy")
def sort(x, axis=-1):
    """Sorted copy of `x` along `axis`."""
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis).values


@keras_op("numpy")
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` element (int32)."""
    x = _t(x, "int32")
    if axis is None:
        x, axis = x.flatten(), 0
    moved = x.transpose(axis, -1)
    bottom = torch.topk(-moved, kth + 1)[1]
    proxy = torch.ones_like(moved, dtype=torch.int32).scatter(-1, bottom, 0)
    top = torch.topk(proxy, moved.shape[-1] - kth - 1)[1]
    return torch.cat([bottom, top], dim=-1).transpose(-1, axis).int()


@keras_op("numpy")
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices of `values` into the 1-D `sorted_sequence` (int32)."""
    sorted_sequence, values = _t(sorted_sequence), _t(values)
    if sorted_sequence.ndim != 1:
        raise ValueError("`searchsorted` needs a 1-D `sorted_sequence`. Received shape "
                         f"{tuple(sorted_sequence.shape)}; use `ops.vectorized_map` for N-D.")
    return torch.searchsorted(sorted_sequence, values, side=side, out_int32=True)


@keras_op("numpy")
def digitize(x, bins):
    """Index of the bin each value falls into (int32)."""
    x, bins = _t(x), _t(bins)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.bucketize(x, bins, right=True).int()


@keras_op("numpy")
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each non-negative integer (per row for 2-D input)."""
    if sparse:
        raise ValueError("`sparse=True` is not supported on torch.")
    x = _t(x)
    dtype = "int32" if weights is None else result_type(x.dtype, _t(weights).dtype)
    weights = None if weights is None else _t(weights)
    if x.ndim == 2:
        rows = [torch.bincount(r, None if weights is None else w, minlength)
                for r, w in zip(x, weights if weights is not None else [None] * len(x))]
        return _cast(torch.stack(rows), dtype)
    return _cast(torch.bincount(x, weights, minlength), dtype)


@keras_op("numpy")
def histogram(x, bins=10, range=None):  # noqa: A002 - Keras' name
    """Histogram counts and bin edges of a 1-D tensor."""
    x = _t(x)
    if x.ndim != 1:
        raise ValueError(f"`histogram` expects a 1-D tensor. Received shape {tuple(x.shape)}.")
    result = torch.histogram(x, bins=bins, range=range)
    return result.hist, result.bin_edges


@keras_op("numpy")
def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """Unique elements, optionally with first indices, inverse indices and counts."""
    x = _t(x)
    flat = x if axis is not None else x.reshape(-1)
    values, inverse, counts = torch.unique(flat, sorted=True, return_inverse=True,
                                           return_counts=True, dim=axis)
    inverse, counts = inverse.long(), counts.long()
    if size is not None:
        fill = values[:1].expand(size) if fill_value is None else torch.full(
            (size,), fill_value, dtype=values.dtype)
        values = torch.cat([values[:size], fill[values.shape[0]:]])
        counts = torch.cat([counts[:size], counts.new_zeros(max(0, size - counts.shape[0]))])
    out = [values]
    if return_index:
        positions = torch.arange(inverse.shape[0])
        first = torch.full((int(inverse.max()) + 1 if inverse.numel() else 0,),
                           inverse.shape[0], dtype=torch.long)
        out.append(first.scatter_reduce(0, inverse, positions, "amin"))
    if return_inverse:
        out.append(inverse.reshape(x.shape if axis is None else inverse.shape))
    if return_counts:
        out.append(counts)
    return out[0] if len(out) == 1 else tuple(out)
