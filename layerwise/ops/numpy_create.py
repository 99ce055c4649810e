"""Tensor creation, windows and a few signal/statistics ops of `keras.ops.numpy`."""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op


def _dtype(dtype) -> torch.dtype:
    return to_torch_dtype(dtype or floatx())


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _type_of(value):
    return getattr(value, "dtype", type(value))


@keras_op("numpy")
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)` (dtype from the arguments, as Keras)."""
    if dtype is None:
        dtype = result_type(*[_type_of(v) for v in (start, stop, step) if v is not None])
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, 1 if step is None else step, dtype=to_torch_dtype(dtype))


@keras_op("numpy")
def array(x, dtype=None):
    """A tensor from `x`."""
    return _t(x, dtype)


@keras_op("numpy")
def zeros(shape, dtype=None):
    """A tensor of zeros."""
    return torch.zeros(_shape(shape), dtype=_dtype(dtype))


@keras_op("numpy")
def ones(shape, dtype=None):
    """A tensor of ones."""
    return torch.ones(_shape(shape), dtype=_dtype(dtype))


@keras_op("numpy")
def empty(shape, dtype=None):
    """An uninitialized tensor (zeros here, so results are reproducible)."""
    return torch.zeros(_shape(shape), dtype=_dtype(dtype))


@keras_op("numpy")
def full(shape, fill_value, dtype=None):
    """A tensor filled with `fill_value` (broadcast to `shape`)."""
    fill = _t(fill_value, _dtype(dtype))
    return torch.broadcast_to(fill, _shape(shape)).clone()


def _like_dtype(x, dtype):
    return x.dtype if dtype is None else to_torch_dtype(dtype)


@keras_op("numpy")
def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype) of `x`."""
    x = _t(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


@keras_op("numpy")
def ones_like(x, dtype=None):
    """Ones with the shape (and dtype) of `x`."""
    x = _t(x)
    return torch.ones_like(x, dtype=_like_dtype(x, dtype))


@keras_op("numpy")
def empty_like(x, dtype=None):
    """An uninitialized tensor like `x` (zeros here)."""
    x = _t(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


@keras_op("numpy")
def full_like(x, fill_value, dtype=None):
    """A tensor like `x` filled with `fill_value`."""
    x = _t(x)
    return full(x.shape, fill_value, dtype=_like_dtype(x, dtype) if dtype is None else dtype)


@keras_op("numpy")
def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - NumPy's names
    """A 2-D tensor with ones on diagonal `k`."""
    M = N if M is None else M
    ones_ = torch.ones((N, M), dtype=torch.float32)
    return torch.triu(torch.tril(ones_, diagonal=k or 0), diagonal=k or 0).to(_dtype(dtype))


@keras_op("numpy")
def identity(n, dtype=None):
    """The `n x n` identity matrix."""
    return torch.eye(n, dtype=torch.float32).to(_dtype(dtype))


@keras_op("numpy")
def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - NumPy's names
    """Ones at and below diagonal `k`."""
    M = N if M is None else M
    return torch.tril(torch.ones((N, M), dtype=torch.float32), diagonal=k).to(_dtype(dtype))


def _space_dtype(start, stop, dtype):
    if dtype is None:
        dtype = result_type(_type_of(start), _type_of(stop), float)
    return to_torch_dtype(dtype)


def _space(start, stop, num, dtype):
    start64, stop64 = _t(start).double(), _t(stop).double()
    steps = torch.arange(num, dtype=torch.float64) / max(num - 1, 1)
    steps = steps.reshape(-1, *([1] * start64.ndim))
    return start64[None] + steps * (stop64 - start64)[None]


@keras_op("numpy")
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`."""
    out_dtype = _space_dtype(start, stop, dtype)
    start_, stop_ = _t(start).double(), _t(stop).double()
    div = (num - 1) if endpoint else num
    step = (stop_ - start_) / div if div > 0 else torch.tensor(float("nan"), dtype=torch.float64)
    values = start_[None] + torch.arange(num, dtype=torch.float64).reshape(
        -1, *([1] * start_.ndim)) * step[None]
    if endpoint and num > 1:
        values[-1] = stop_
    values = torch.moveaxis(values, 0, axis).to(out_dtype)
    return (values, float(step)) if retstep else values


@keras_op("numpy")
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`base ** linspace(start, stop)`."""
    out_dtype = _space_dtype(start, stop, dtype)
    exponents = linspace(start, stop, num, endpoint=endpoint, dtype="float64", axis=axis)
    return torch.pow(torch.tensor(float(base), dtype=torch.float64), exponents).to(out_dtype)


@keras_op("numpy")
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Numbers spaced evenly on a log scale between `start` and `stop`."""
    out_dtype = _space_dtype(start, stop, dtype)
    start_, stop_ = _t(start).double(), _t(stop).double()
    logs = linspace(torch.log10(start_.abs()), torch.log10(stop_.abs()), num,
                    endpoint=endpoint, dtype="float64", axis=axis)
    values = torch.pow(torch.tensor(10.0, dtype=torch.float64), logs) * torch.sign(start_)
    return values.to(out_dtype)


def _window(name, fn):
    def op(x):
        return fn(int(_t(x)), dtype=to_torch_dtype(floatx()))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The {name} window of `x` points (floatx)."
    return keras_op("numpy")(op)


bartlett = _window("bartlett", torch.signal.windows.bartlett)
blackman = _window("blackman", torch.signal.windows.blackman)
hamming = _window("hamming", torch.signal.windows.hamming)
hanning = _window("hanning", torch.signal.windows.hann)


@keras_op("numpy")
def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta`."""
    return torch.signal.windows.kaiser(int(_t(x)), beta=float(beta),
                                       dtype=to_torch_dtype(floatx()))


@keras_op("numpy")
def vander(x, N=None, increasing=False):  # noqa: N803 - NumPy's name
    """Vandermonde matrix."""
    x = _t(x)
    return torch.vander(x, N=N, increasing=increasing).to(to_torch_dtype(result_type(x.dtype)))


@keras_op("numpy")
def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x`."""
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(_dtype(None))
    elif x.dtype == torch.int64:
        x = x.double()
    elif not x.is_floating_point():
        x = x.float()
    return torch.corrcoef(x)


@keras_op("numpy")
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences (`"valid"`, `"same"` or `"full"`)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(x1.dtype, x2.dtype)
    dtype = "float64" if dtype == "int64" else (
        dtype if dtype in ("bfloat16", "float16", "float64") else "float32")
    a, v = x1.to(to_torch_dtype(dtype)), x2.to(to_torch_dtype(dtype))
    full_ = torch.nn.functional.conv1d(a[None, None], v[None, None], padding=v.shape[0] - 1)[0, 0]
    if mode == "full":
        return full_
    long, short = max(a.shape[0], v.shape[0]), min(a.shape[0], v.shape[0])
    size = long - short + 1 if mode == "valid" else a.shape[0]
    if mode not in ("valid", "same"):
        raise ValueError(f"`mode` must be 'valid', 'same' or 'full'. Received: mode={mode!r}")
    start = (full_.shape[0] - size) // 2
    return full_[start:start + size]


@keras_op("numpy")
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` by the trapezoidal rule."""
    y = _t(y)
    if y.dtype == torch.bool or not y.is_floating_point():
        y = y.to(_dtype(None))
    if x is not None:
        return torch.trapezoid(y, x=_t(x), dim=axis)
    return torch.trapezoid(y, dx=dx, dim=axis)


@keras_op("numpy")
def slogdet(x):
    """Sign and log of the absolute determinant."""
    return tuple(torch.linalg.slogdet(_t(x)))


def _core_dims(signature: str | None, count: int) -> list[int]:
    """Number of core dimensions of each input in a NumPy signature like `"(n),(n)->()"`."""
    if signature is None:
        return [0] * count
    inputs = signature.split("->")[0]
    groups = [g for g in inputs.replace(" ", "").split("),") if g]
    return [0 if g.strip("()") == "" else len(g.strip("()").split(",")) for g in groups]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """Vectorizes `pyfunc` over the broadcast leading axes of its inputs (`torch.vmap`).

    Args:
        pyfunc: Function of tensors.
        excluded: Positions (ints) or names of arguments passed through unvectorized.
        signature: NumPy generalized-ufunc signature (`"(n),(n)->()"`): the trailing core
            dimensions of each input are passed whole to `pyfunc`.
    """
    excluded = set(excluded or ())

    def wrapped(*args, **kwargs):
        fixed = {k: v for k, v in kwargs.items() if k in excluded}
        mapped_kwargs = {k: _t(v) for k, v in kwargs.items() if k not in excluded}
        positions = [i for i in range(len(args)) if i not in excluded]
        tensors = [_t(args[i]) for i in positions]
        cores = _core_dims(signature, len(tensors))
        batch = torch.broadcast_shapes(*[t.shape[:t.ndim - c] for t, c in zip(tensors, cores)])
        tensors = [t.expand(*batch, *t.shape[t.ndim - c:]) for t, c in zip(tensors, cores)]

        def call(*values):
            full = list(args)
            for i, v in zip(positions, values):
                full[i] = v
            return pyfunc(*full, **fixed, **dict(zip(mapped_kwargs, values[len(positions):])))

        fn = call
        for _ in range(len(batch)):
            fn = torch.vmap(fn)
        return fn(*tensors, *mapped_kwargs.values())

    return wrapped
