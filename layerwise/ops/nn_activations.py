"""Activation functions of `keras.ops.nn` (`relu`, `gelu`, `softmax`, ...)."""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.ops._factories import unary_op
from layerwise.ops._symbolic import keras_op

_simple = functools.partial(unary_op, "nn")


relu = _simple("relu", F.relu, "Rectified linear unit, `max(x, 0)`.")
relu6 = _simple("relu6", F.relu6, "`min(max(x, 0), 6)`.")
sigmoid = _simple("sigmoid", torch.sigmoid, "`1 / (1 + exp(-x))`.")
tanh_shrink = _simple("tanh_shrink", F.tanhshrink, "`x - tanh(x)`.")
softplus = _simple("softplus", F.softplus, "`log(exp(x) + 1)`.")
softsign = _simple("softsign", F.softsign, "`x / (abs(x) + 1)`.")
silu = _simple("silu", F.silu, "`x * sigmoid(x)` (swish).")
log_sigmoid = _simple("log_sigmoid", F.logsigmoid, "`log(sigmoid(x))`.")
hard_sigmoid = _simple("hard_sigmoid", F.hardsigmoid, "`relu6(x + 3) / 6`.")
hard_silu = _simple("hard_silu", F.hardswish, "`x * relu6(x + 3) / 6`.")
selu = _simple("selu", F.selu, "Scaled exponential linear unit.")
hard_tanh = _simple("hard_tanh", F.hardtanh, "`clip(x, -1, 1)`.")


@keras_op("nn", class_name="Silu")
def swish(x):
    """`x * sigmoid(x)` (alias of `silu`)."""
    return F.silu(_t(x))


@keras_op("nn", class_name="HardSilu")
def hard_swish(x):
    """Alias of `hard_silu`."""
    return F.hardswish(_t(x))


@keras_op("nn")
def sparse_sigmoid(x):
    """0 below -1, 1 above 1, linear in between."""
    x = _t(x)
    zero, one = torch.tensor(0.0, dtype=x.dtype), torch.tensor(1.0, dtype=x.dtype)
    return torch.where(x <= -1, zero, torch.where(x >= 1, one, 0.5 * (x + 1)))


@keras_op("nn")
def sparse_plus(x):
    """0 below -1, `x` above 1, `(x + 1)**2 / 4` in between."""
    x = _t(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, 0.25 * (x + 1) ** 2, x))


@keras_op("nn")
def soft_shrink(x, threshold=0.5):
    """Shrinks values toward 0 by `threshold`."""
    return F.softshrink(_t(x), lambd=threshold)


@keras_op("nn")
def hard_shrink(x, threshold=0.5):
    """Zeroes values with `abs(x) <= threshold`."""
    return F.hardshrink(_t(x), lambd=threshold)


@keras_op("nn")
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return F.threshold(_t(x), threshold=threshold, value=default_value)


@keras_op("nn")
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`."""
    x = _t(x)
    return (x + torch.sqrt(x**2 + _t(b))) / 2


@keras_op("nn")
def leaky_relu(x, negative_slope=0.2):
    """`x` if positive, else `negative_slope * x`."""
    return F.leaky_relu(_t(x), negative_slope=negative_slope)


@keras_op("nn")
def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return F.elu(_t(x), alpha)


@keras_op("nn")
def celu(x, alpha=1.0):
    """Continuously differentiable ELU."""
    return F.celu(_t(x), alpha=alpha)


@keras_op("nn")
def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation by default, as Keras)."""
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


@keras_op("nn")
def glu(x, axis=-1):
    """Gated linear unit: first half times sigmoid of the second half along `axis`."""
    return F.glu(_t(x), dim=axis)


def _softmax_like(x, axis, fn):
    x = _t(x)
    dtype = x.dtype
    if dtype == torch.float16:
        x = x.float()
    if axis is None:
        out = fn(x.reshape(-1), dim=-1).reshape(x.shape)
    elif isinstance(axis, (list, tuple)):
        moved = torch.movedim(x, tuple(axis), tuple(range(-len(axis), 0)))
        flat = moved.reshape(*moved.shape[:-len(axis)], -1)
        out = fn(flat, dim=-1).reshape(moved.shape)
        out = torch.movedim(out, tuple(range(-len(axis), 0)), tuple(axis))
    else:
        out = fn(x, dim=axis)
    return out.to(dtype)


@keras_op("nn")
def softmax(x, axis=-1):
    """Softmax along `axis` (all axes when `None`, or a tuple of axes)."""
    return _softmax_like(x, axis, F.softmax)


@keras_op("nn")
def log_softmax(x, axis=-1):
    """Log of the softmax along `axis`."""
    return _softmax_like(x, axis, F.log_softmax)


@keras_op("nn")
def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex."""
    logits = _t(x)
    ordered = torch.sort(logits, dim=axis, descending=True).values
    cumulative = torch.cumsum(ordered, dim=axis)
    shape = [1] * logits.ndim
    shape[axis] = -1
    ranks = torch.arange(1, logits.shape[axis] + 1, dtype=logits.dtype).view(shape)
    support = ordered - (cumulative - 1) / ranks > 0
    k = torch.sum(support, dim=axis, keepdim=True)
    tau = (torch.sum(torch.where(support, cumulative, torch.zeros((), dtype=logits.dtype)),
                     dim=axis, keepdim=True) - 1) / k
    return torch.clamp(logits - tau, min=0.0)
