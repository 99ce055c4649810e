"""Reductions, statistics, sorting and searching of `keras.ops.numpy`."""

from __future__ import annotations

import math

import torch

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, standardize_dtype, to_torch_dtype
from layerwise.ops._factories import define_op
from layerwise.ops._symbolic import keras_op


def _cast(x: torch.Tensor, dtype) -> torch.Tensor:
    dtype = to_torch_dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


def _axes(axis):
    """`None`, or a tuple of axes (Keras accepts an int, list or tuple)."""
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)


def _tensor(x):
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], torch.Tensor):
        return torch.stack(list(x))
    return _t(x)


def _sum_dtype(x: torch.Tensor) -> str:
    dtype = standardize_dtype(x.dtype)
    return "int32" if dtype in ("bool", "uint8", "int8", "int16") else dtype


@keras_op("numpy")
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Sum over `axis` (all axes when `None`); small ints and bools give int32."""
    x = _tensor(x)
    axis = _axes(axis)
    if axis == ():
        return x
    dtype = _sum_dtype(x)
    out = torch.sum(x) if axis is None else torch.sum(x, dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        out = out.reshape((1,) * x.ndim)
    return _cast(out, dtype)


@keras_op("numpy")
def mean(x, axis=None, keepdims=False):
    """Mean over `axis`; integers give float32."""
    x = _tensor(x)
    axis = _axes(axis)
    if axis == ():
        return x
    original = standardize_dtype(x.dtype)
    compute = result_type(original, "float32")
    result = compute if ("int" in original or original == "bool") else original
    x = _cast(x, compute)
    out = torch.mean(x) if axis is None else torch.mean(x, dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        out = out.reshape((1,) * x.ndim)
    return _cast(out, result)


def _extreme(x, axis, keepdims, initial, reduce, combine, name):
    x = _t(x)
    if 0 in x.shape:
        if initial is None:
            raise ValueError(f"Cannot compute the {name} of an empty tensor; pass `initial=`.")
        shape = (1,) * x.ndim if keepdims else ()
        return torch.full(shape, initial)
    axis = _axes(axis)
    if axis == ():
        out = x
    elif axis is None:
        out = reduce(x)
        if keepdims:
            out = out.reshape((1,) * x.ndim)
    else:
        out = reduce(x, dim=axis, keepdim=keepdims)
    if initial is not None:
        out = combine(out, torch.as_tensor(initial, dtype=out.dtype))
    return out


@keras_op("numpy")
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    """Maximum over `axis`."""
    return _extreme(x, axis, keepdims, initial, torch.amax, torch.maximum, "max")


@keras_op("numpy")
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    """Minimum over `axis`."""
    return _extreme(x, axis, keepdims, initial, torch.amin, torch.minimum, "min")


@keras_op("numpy")
def amax(x, axis=None, keepdims=False):
    """Maximum over `axis`."""
    return _extreme(x, axis, keepdims, None, torch.amax, torch.maximum, "max")


@keras_op("numpy")
def amin(x, axis=None, keepdims=False):
    """Minimum over `axis`."""
    return _extreme(x, axis, keepdims, None, torch.amin, torch.minimum, "min")


@keras_op("numpy")
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`."""
    x = _t(x)
    if dtype is None:
        dtype = result_type(x.dtype)
        dtype = "int32" if dtype in ("bool", "uint8", "int8", "int16") else dtype
    compute = to_torch_dtype("float32" if standardize_dtype(dtype) == "float16" else dtype)
    if axis is None:
        out = torch.prod(x, dtype=compute)
        return _cast(out.reshape((1,) * x.ndim) if keepdims else out, dtype)
    for a in sorted((a % x.ndim for a in _axes(axis)), reverse=True):
        x = torch.prod(x, dim=a, keepdim=keepdims, dtype=compute)
    return _cast(x, dtype)


def _truth_op(name: str, fn, doc: str):
    """Defines `name(x, axis=None, keepdims=False)`: the boolean reduction `fn` over `axis`."""

    def op(x, axis=None, keepdims=False):
        x = _t(x)
        axis = _axes(axis)
        if axis == ():
            return x.bool()
        out = fn(x) if axis is None else fn(x, dim=axis, keepdim=keepdims)
        return out.reshape((1,) * x.ndim) if axis is None and keepdims else out.bool()

    return define_op("numpy", name, doc, op)


all = _truth_op("all", torch.all, "Whether all elements are true along `axis`.")  # noqa: A001
any = _truth_op("any", torch.any, "Whether any element is true along `axis`.")  # noqa: A001


@keras_op("numpy")
def var(x, axis=None, keepdims=False):
    """Population variance (`ddof=0`)."""
    x = _t(x)
    result = result_type(x.dtype, float)
    axis = _axes(axis)
    if axis == ():
        return torch.zeros_like(x, dtype=to_torch_dtype(result))
    x = _cast(x, result_type(x.dtype, "float32"))
    return _cast(torch.var(x, dim=axis, keepdim=keepdims, correction=0), result)


@keras_op("numpy")
def std(x, axis=None, keepdims=False):
    """Population standard deviation (`ddof=0`)."""
    x = _t(x)
    if not x.is_floating_point():
        x = x.float()
    return torch.std(x, dim=_axes(axis), keepdim=keepdims, correction=0)


@keras_op("numpy")
def average(x, axis=None, weights=None):
    """Weighted mean along `axis`."""
    x = _t(x)
    dtypes = [x.dtype, float]
    if weights is not None:
        weights = _t(weights)
        dtypes.append(weights.dtype)
    dtype = result_type(*dtypes)
    x = _cast(x, dtype)
    if axis == () or axis == []:
        return x
    if weights is None:
        return torch.mean(x, dim=axis)
    weights = _cast(weights, dtype)
    if axis is not None and weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        weights = weights.reshape(shape)
    return torch.sum(x * weights, dim=axis) / torch.sum(weights * torch.ones_like(x), dim=axis)


@keras_op("numpy")
def ptp(x, axis=None, keepdims=False):
    """Range (max - min) along `axis`."""
    x = _t(x)
    if axis is None:
        out = x.max() - x.min()
        return out.reshape((1,) * x.ndim) if keepdims else out
    if axis == ():
        return torch.zeros_like(x)
    return torch.amax(x, dim=axis, keepdim=keepdims) - torch.amin(x, dim=axis, keepdim=keepdims)


@keras_op("numpy")
def count_nonzero(x, axis=None):
    """Number of non-zero elements along `axis` (int32)."""
    x = _t(x)
    if axis == () or axis == []:
        return torch.ne(x, 0).int()
    return torch.count_nonzero(x, dim=_axes(axis)).int()


def _cumulative_op(name: str, fn, doc: str):
    """Defines `name(x, axis=None, dtype=None)`: the cumulative `fn` (flat when `axis=None`)."""

    def op(x, axis=None, dtype=None):
        x = _t(x)
        if axis is None:
            x, axis = x.flatten(), 0
        dtype = result_type(dtype or x.dtype)
        dtype = "int32" if dtype == "bool" else dtype
        if dtype == "float16":
            return fn(x, dim=axis, dtype=torch.float32).half()
        return fn(x, dim=axis, dtype=to_torch_dtype(dtype))

    return define_op("numpy", name, doc, op)


cumsum = _cumulative_op("cumsum", torch.cumsum, "Cumulative sum (flattened when `axis=None`).")
cumprod = _cumulative_op("cumprod", torch.cumprod,
                         "Cumulative product (flattened when `axis=None`).")


def _quantile(x, q, axis, method, keepdims, fn):
    x, q = _t(x), _t(q)
    compute = result_type(x.dtype, "float32")
    result = result_type(x.dtype, float)
    x = _cast(x, compute)
    q = _cast(q, x.dtype)
    axes = _axes(axis)
    if axes is None:
        y = x.reshape(-1)
    else:
        axes = [a % x.ndim for a in axes]
        others = sorted(set(range(x.ndim)) - set(axes))
        y = x.permute(others + axes).reshape(
            [x.shape[i] for i in others] + [math.prod(x.shape[i] for i in axes)])
    y = fn(y, q, dim=-1, interpolation=method)
    if keepdims:
        positions = range(x.ndim) if axes is None else sorted(axes)
        for i in positions:
            y = y.unsqueeze(-1 if axes is None else (i + 1 if q.ndim > 0 else i))
    return _cast(y, result)


def _quantile_op(name: str, fn, doc: str, percent: bool = False):
    """Defines `name(x, q, ...)`: `_quantile` with `fn`; `q` in percent (0-100) if `percent`."""

    def op(x, q, axis=None, method="linear", keepdims=False):
        if percent:
            q = _t(q, floatx()) / 100.0
        return _quantile(x, q, axis, method, keepdims, fn)

    return define_op("numpy", name, doc, op)


quantile = _quantile_op("quantile", torch.quantile, "`q`-th quantile(s) along `axis`.")
percentile = _quantile_op("percentile", torch.quantile,
                          "`q`-th percentile(s) (0-100) along `axis`.", percent=True)


@keras_op("numpy")
def median(x, axis=None, keepdims=False):
    """Median along `axis`."""
    return _quantile(x, 0.5, axis, "linear", keepdims, torch.quantile)


nanquantile = _quantile_op("nanquantile", torch.nanquantile, "Quantile ignoring NaNs.")
nanpercentile = _quantile_op("nanpercentile", torch.nanquantile, "Percentile ignoring NaNs.",
                             percent=True)


@keras_op("numpy")
def nanmedian(x, axis=None, keepdims=False):
    """Median ignoring NaNs."""
    if axis == () or axis == []:
        return _t(x)
    return _quantile(x, 0.5, axis, "linear", keepdims, torch.nanquantile)


@keras_op("numpy")
def nansum(x, axis=None, keepdims=False):
    """Sum treating NaNs as zero."""
    x = _tensor(x)
    dtype = _sum_dtype(x)
    if axis == () or axis == []:
        return _cast(torch.nan_to_num(x, nan=0), dtype)
    return _cast(torch.nansum(x, dim=_axes(axis), keepdim=keepdims), dtype)


@keras_op("numpy")
def nanprod(x, axis=None, keepdims=False):
    """Product treating NaNs as one."""
    x = _t(x)
    if axis == () or axis == []:
        return torch.nan_to_num(x, nan=1)
    if x.is_floating_point():
        x = torch.where(torch.isnan(x), torch.ones((), dtype=x.dtype), x)
    return prod(x, axis=axis, keepdims=keepdims)


@keras_op("numpy")
def nanmean(x, axis=None, keepdims=False):
    """Mean ignoring NaNs."""
    x = _t(x)
    if axis == () or axis == []:
        return x
    return torch.nanmean(_cast(x, result_type(x.dtype, float)), dim=_axes(axis), keepdim=keepdims)


@keras_op("numpy")
def nanvar(x, axis=None, keepdims=False):
    """Variance ignoring NaNs."""
    x = _t(x)
    x = _cast(x, result_type(x.dtype, float))
    if axis == () or axis == []:
        return torch.where(torch.isnan(x), x, torch.zeros((), dtype=x.dtype))
    axis = _axes(axis)
    valid = ~torch.isnan(x)
    center = torch.nanmean(x, dim=axis, keepdim=True)
    centered = torch.where(valid, x - center, torch.zeros_like(x)).square()
    return centered.sum(dim=axis, keepdim=keepdims) / valid.sum(dim=axis, keepdim=keepdims)


@keras_op("numpy")
def nanstd(x, axis=None, keepdims=False):
    """Standard deviation ignoring NaNs."""
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extreme(x, axis, keepdims, fill, reduce):
    x = _t(x)
    if not x.is_floating_point():
        return reduce(x, dim=_axes(axis) or (), keepdim=keepdims) if axis is not None \
            else reduce(x)
    if axis == () or axis == []:
        return x
    axis = _axes(axis)
    clean = torch.where(torch.isnan(x), fill, x)
    out = reduce(clean) if axis is None else reduce(clean, dim=axis, keepdim=keepdims)
    all_nan = torch.isnan(x).all() if axis is None else torch.isnan(x).all(dim=axis,
                                                                           keepdim=keepdims)
    return torch.where(all_nan, torch.tensor(float("nan"), dtype=x.dtype), out)


@keras_op("numpy")
def nanmax(x, axis=None, keepdims=False):
    """Maximum ignoring NaNs (NaN where all are NaN)."""
    return _nan_extreme(x, axis, keepdims, float("-inf"), torch.amax)


@keras_op("numpy")
def nanmin(x, axis=None, keepdims=False):
    """Minimum ignoring NaNs (NaN where all are NaN)."""
    return _nan_extreme(x, axis, keepdims, float("inf"), torch.amin)


@keras_op("numpy")
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum treating NaNs as zero."""
    return cumsum(torch.nan_to_num(_t(x)), axis=axis, dtype=dtype)


@keras_op("numpy")
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product treating NaNs as one."""
    return cumprod(torch.nan_to_num(_t(x), nan=1.0), axis=axis, dtype=dtype)
