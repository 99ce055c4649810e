"""`keras.ops.core`: control flow, casting, scatter/slice updates, custom gradients.

Control flow runs eagerly in Python (`cond` is an `if`, `scan` a loop), as on Keras'
torch backend; gradients flow through every branch that ran.
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from layerwise.backend.dtypes import convert_to_numpy as _convert_to_numpy
from layerwise.backend.dtypes import convert_to_tensor as _convert_to_tensor
from layerwise.backend.dtypes import standardize_dtype, to_torch_dtype
from layerwise.backend.keras_tensor import KerasTensor
from layerwise.backend.structure import leaves, map_leaves
from layerwise.ops._symbolic import keras_op

_t = _convert_to_tensor


def _pack(structure, flat: list):
    """Rebuilds `structure` (nested lists/tuples/dicts) from its flat leaves."""
    values = iter(flat)
    return map_leaves(lambda _: next(values), structure)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Converts `x` to a torch tensor (Python `int` -> int32, `float` -> floatx)."""
    return _convert_to_tensor(x, dtype, sparse, ragged)


def convert_to_numpy(x) -> np.ndarray:
    """Returns `x` as a NumPy array."""
    return _convert_to_numpy(x)


def is_tensor(x) -> bool:
    """Whether `x` is a torch tensor."""
    return isinstance(x, torch.Tensor)


def shape(x) -> tuple:
    """The shape of `x` as a tuple (with `None` for unknown symbolic dimensions)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    return tuple(_t(x).shape)


def dtype(x) -> str:
    """The Keras dtype name of `x` (`"float32"`, ...)."""
    return standardize_dtype(x.dtype if hasattr(x, "dtype") else _t(x).dtype)


@keras_op("core")
def cast(x, dtype):  # noqa: F811 - Keras' name shadows the function above
    """Casts `x` to `dtype`."""
    return _t(x).to(to_torch_dtype(dtype))


@keras_op("core")
def saturate_cast(x, dtype):
    """Casts with clipping to the target dtype's range."""
    x = _t(x)
    target = to_torch_dtype(dtype)
    if not target.is_floating_point and target != torch.bool:
        info = torch.iinfo(target)
        if x.is_floating_point():
            low = max(info.min, torch.finfo(x.dtype).min)
            high = min(info.max, torch.finfo(x.dtype).max)
        else:
            low = max(info.min, torch.iinfo(x.dtype).min)
            high = min(info.max, torch.iinfo(x.dtype).max)
        x = torch.clamp(x, low, high)
    elif target.is_floating_point and x.is_floating_point():
        info = torch.finfo(target)
        x = torch.clamp(x, info.min, info.max)
    return x.to(target)


def cond(pred, true_fn, false_fn):
    """Calls `true_fn()` if `pred` else `false_fn()`."""
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    """Calls `branches[index](*operands)` (index clipped to the valid range)."""
    index = int(torch.clamp(_t(index, "int32"), 0, len(branches) - 1))
    return branches[index](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: A002
    """Runs `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true."""
    is_sequence = isinstance(loop_vars, (tuple, list))
    values = tuple(loop_vars) if is_sequence else (loop_vars,)
    values = tuple(_pack(v, [_t(leaf) for leaf in leaves(v)]) for v in values)
    step = 0
    while (maximum_iterations is None or step < maximum_iterations) and bool(cond(*values)):
        out = body(*values)
        values = tuple(out) if is_sequence else (out,)
        step += 1
    return values if is_sequence else values[0]


def fori_loop(lower, upper, body_fun, init_val):
    """Runs `val = body_fun(i, val)` for `i` in `range(lower, upper)`."""
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`; returns `(carry, stacked ys)`."""
    if not callable(f):
        raise TypeError(f"`f` must be callable. Received: f={f!r}")
    if xs is None and length is None:
        raise ValueError("`scan` needs `xs` or `length`.")
    flat_xs = [] if xs is None else [_t(x) for x in leaves(xs)]
    n = int(length) if length is not None else flat_xs[0].shape[0]
    carry, ys = init, []
    order = reversed(range(n)) if reverse else range(n)
    for i in order:
        x = None if xs is None else _pack(xs, [v[i] for v in flat_xs])
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    stacked = [torch.stack([_t(v) for v in column]) for column in zip(*[leaves(y) for y in ys])]
    return carry, _pack(ys[0], stacked)


def map(f, xs):  # noqa: A001 - Keras' name
    """Applies `f` to each slice of `xs` along the leading axis and stacks the results."""
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of the associative `f` along `axis` (`cumsum` for `add`)."""
    flat = [_t(e) for e in leaves(elems)]
    n = flat[0].shape[axis]
    index = (lambda i: n - 1 - i) if reverse else (lambda i: i)
    current = [e.select(axis, index(0)) for e in flat]
    outputs = [current]
    for i in range(1, n):
        step = [e.select(axis, index(i)) for e in flat]
        combined = f(_pack(elems, current), _pack(elems, step)) if not reverse else \
            f(_pack(elems, step), _pack(elems, current))
        current = [_t(c) for c in leaves(combined)]
        outputs.append(current)
    if reverse:
        outputs.reverse()
    return _pack(elems, [torch.stack(col, dim=axis) for col in zip(*outputs)])


def vectorized_map(function, elements):
    """`torch.vmap(function)(elements)`: `function` over the leading axis."""
    return torch.vmap(function)(_pack(elements, [_t(e) for e in leaves(elements)]))


@keras_op("core")
def scatter(indices, values, shape):  # noqa: F811
    """A zero tensor of `shape` with `values` added at `indices`."""
    indices, values = _t(indices).long(), _t(values)
    depth = indices.shape[-1]
    out = torch.zeros(tuple(shape), dtype=values.dtype)
    flat = indices.reshape(-1, depth)
    out.index_put_(tuple(flat.T), values.reshape(-1, *tuple(shape)[depth:]), accumulate=True)
    return out


@keras_op("core")
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or combined with `reduction`) at `indices`."""
    inputs = _t(inputs)
    indices = _t(indices).long()
    updates = _t(updates).to(inputs.dtype)
    index = tuple(indices.T)
    out = inputs.clone()
    if reduction is None:
        out[index] = updates
    elif reduction == "add":
        out.index_put_(index, updates, accumulate=True)
    elif reduction in ("max", "min", "mul"):
        combine = {"max": torch.maximum, "min": torch.minimum, "mul": torch.mul}[reduction]
        for i in range(indices.shape[0]):
            position = tuple(indices[i])
            out[position] = combine(out[position], updates[i])
    else:
        raise ValueError(f"Unsupported `reduction`: {reduction!r}. Expected None, 'add', 'max', "
                         "'min' or 'mul'.")
    return out


@keras_op("core")
def slice(inputs, start_indices, shape):  # noqa: A001, F811 - Keras' name
    """The block of `shape` starting at `start_indices`."""
    inputs = _t(inputs)
    starts = [int(s) for s in (start_indices.tolist() if isinstance(start_indices, torch.Tensor)
                               else start_indices)]
    sizes = [int(s) for s in (shape.tolist() if isinstance(shape, torch.Tensor) else shape)]
    return inputs[tuple(builtins.slice(a, a + n) for a, n in zip(starts, sizes))]


@keras_op("core")
def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`."""
    inputs, updates = _t(inputs), _t(updates)
    starts = [int(s) for s in (start_indices.tolist() if isinstance(start_indices, torch.Tensor)
                               else start_indices)]
    out = inputs.clone()
    out[tuple(builtins.slice(a, a + n) for a, n in zip(starts, updates.shape))] = updates
    return out


@keras_op("core")
def unstack(x, num=None, axis=0):
    """Splits `x` along `axis` into a list of tensors."""
    return list(torch.unbind(_t(x), dim=axis))


@keras_op("core")
def stop_gradient(variable):
    """`variable` with no gradient flowing back."""
    return _t(variable).detach()


def custom_gradient(f):
    """Decorator: `f(*args)` returns `(output, grad_fn)`; `grad_fn(*upstream)` the input grads.

    Example:

    >>> @custom_gradient
    ... def log1pexp(x):
    ...     e = torch.exp(x)
    ...     def grad(*args, upstream=None):
    ...         upstream = args[0] if upstream is None else upstream
    ...         return upstream * (1 - 1 / (1 + e))
    ...     return torch.log(1 + e), grad
    """

    class _Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            output, grad_fn = f(*args)
            ctx.grad_fn = grad_fn
            return output

        @staticmethod
        def backward(ctx, *grads):
            result = ctx.grad_fn(*grads)
            return tuple(result) if isinstance(result, (list, tuple)) else (result,)

    def wrapper(*args):
        return _Function.apply(*[_t(a) for a in args])

    return wrapper
