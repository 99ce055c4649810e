"""Activation functions with Keras 3's names, arguments and formulas.

Each function computes exactly what Keras 3 computes on its torch backend
(same torch kernels), so values are bit-identical. `softmax` and `sigmoid`
outputs remember their logits (see `layerwise.activations.logits`).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from layerwise.activations.logits import remember_logits
from layerwise.backend.config import floatx, to_torch_dtype


def _tensor(x) -> torch.Tensor:
    """`x` as a tensor, as Keras converts it: arrays keep their dtype, Python
    numbers and lists become `floatx()`."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray | np.generic):
        return torch.as_tensor(x)
    x = torch.as_tensor(x)
    if x.is_floating_point():
        x = x.to(to_torch_dtype(floatx()))
    return x


def relu(x, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> torch.Tensor:
    """Rectified linear unit, with optional slope below the threshold and a cap.

    With default values it returns `max(x, 0)`. Otherwise it returns
    `max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`,
    and `negative_slope * (x - threshold)` below the threshold.

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold (default 0).
        max_value: Optional upper bound of the output.
        threshold: Values below it are damped or set to zero.

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:

    >>> import torch
    >>> from layerwise.activations import relu
    >>> relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]))
    tensor([ 0.,  0.,  0.,  5., 10.])
    >>> relu(torch.tensor([-10.0, 5.0, 10.0]), negative_slope=0.5, max_value=6.0)
    tensor([-5.,  5.,  6.])
    """
    x = _tensor(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope=negative_slope)
        if threshold != 0:
            negative_part = torch.relu(-x + threshold)
        else:
            negative_part = torch.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = torch.where(x > torch.as_tensor(threshold, dtype=x.dtype), x, 0)
    elif max_value == 6:
        x = F.relu6(x)
        clip_max = False
    else:
        x = torch.relu(x)
    if clip_max:
        x = torch.clip(x, torch.tensor(0.0, dtype=x.dtype),
                       torch.tensor(max_value, dtype=x.dtype))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope: float = 0.2) -> torch.Tensor:
    """`x` for `x >= 0`, `negative_slope * x` otherwise.

    Example:

    >>> import torch
    >>> from layerwise.activations import leaky_relu
    >>> leaky_relu(torch.tensor([-1.0, 2.0]))
    tensor([-0.2000,  2.0000])
    """
    return F.leaky_relu(_tensor(x), negative_slope=negative_slope)


def relu6(x) -> torch.Tensor:
    """`min(max(x, 0), 6)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import relu6
    >>> relu6(torch.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return F.relu6(_tensor(x))


def softmax(x, axis: int | None = -1) -> torch.Tensor:
    """Softmax over `axis`: `exp(x) / sum(exp(x), axis)` (all axes when `None`).

    The output remembers `x`, so crossentropy losses compute from the logits.

    Args:
        x: Input tensor.
        axis: The axis the probabilities sum to 1 over (default the last).

    Returns:
        Probabilities of the shape of `x`.

    Example:

    >>> import torch
    >>> from layerwise.activations import softmax
    >>> softmax(torch.tensor([[0.0, 0.0]]))
    tensor([[0.5000, 0.5000]])
    """
    x = _tensor(x)
    if axis is None:
        output = torch.softmax(x.reshape(-1), dim=-1).reshape(x.shape)
    else:
        output = torch.softmax(x, dim=axis)
    return remember_logits(output, x, "softmax", axis)


def log_softmax(x, axis: int | None = -1) -> torch.Tensor:
    """Logarithm of the softmax over `axis` (all axes when `None`).

    Example:

    >>> import torch
    >>> from layerwise.activations import log_softmax
    >>> log_softmax(torch.tensor([0.0, 0.0]))
    tensor([-0.6931, -0.6931])
    """
    x = _tensor(x)
    if axis is None:
        return torch.log_softmax(x.reshape(-1), dim=-1).reshape(x.shape)
    return torch.log_softmax(x, dim=axis)


def elu(x, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: `x` if `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Example:

    >>> import torch
    >>> from layerwise.activations import elu
    >>> elu(torch.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    return F.elu(_tensor(x), alpha)


def selu(x) -> torch.Tensor:
    """Scaled exponential linear unit: `scale * elu(x, alpha)` with the SELU constants.

    Example:

    >>> import torch
    >>> from layerwise.activations import selu
    >>> selu(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 1.0507])
    """
    return F.selu(_tensor(x))


def softplus(x) -> torch.Tensor:
    """`log(exp(x) + 1)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import softplus
    >>> softplus(torch.tensor([0.0]))
    tensor([0.6931])
    """
    return F.softplus(_tensor(x))


def softsign(x) -> torch.Tensor:
    """`x / (|x| + 1)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import softsign
    >>> softsign(torch.tensor([-1.0, 1.0]))
    tensor([-0.5000,  0.5000])
    """
    return F.softsign(_tensor(x))


def soft_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.

    Example:

    >>> import torch
    >>> from layerwise.activations import soft_shrink
    >>> soft_shrink(torch.tensor([-1.0, 0.2, 1.0]))
    tensor([-0.5000,  0.0000,  0.5000])
    """
    return F.softshrink(_tensor(x), lambd=threshold)


def sparse_plus(x) -> torch.Tensor:
    """0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, `x` for `x >= 1`.

    Example:

    >>> import torch
    >>> from layerwise.activations import sparse_plus
    >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
    tensor([0.0000, 0.2500, 2.0000])
    """
    x = _tensor(x)
    return torch.where(x <= -1, torch.zeros_like(x),
                       torch.where(x < 1, 1 / 4 * (x + 1) ** 2, x))


def silu(x) -> torch.Tensor:
    """Sigmoid linear unit (swish): `x * sigmoid(x)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import silu
    >>> silu(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return F.silu(_tensor(x))


def squareplus(x, b: float = 4) -> torch.Tensor:
    """`(x + sqrt(x**2 + b)) / 2`.

    Example:

    >>> import torch
    >>> from layerwise.activations import squareplus
    >>> squareplus(torch.tensor([0.0]))
    tensor([1.])
    """
    x = _tensor(x)
    return (x + torch.sqrt(x**2 + torch.as_tensor(b))) / 2


def gelu(x, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: `x * P(X <= x)` for a standard normal `X`.

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation.

    Example:

    >>> import torch
    >>> from layerwise.activations import gelu
    >>> gelu(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8413])
    """
    x = _tensor(x)
    if approximate:
        return F.gelu(x, approximate="tanh")
    return F.gelu(x)


def celu(x, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: `max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import celu
    >>> celu(torch.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    return F.celu(_tensor(x), alpha=alpha)


def glu(x, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: `a * sigmoid(b)` where `x` splits into `a, b` along `axis`.

    Example:

    >>> import torch
    >>> from layerwise.activations import glu
    >>> glu(torch.tensor([[1.0, 0.0]]))
    tensor([[0.5000]])
    """
    return F.glu(_tensor(x), dim=axis)


def tanh(x) -> torch.Tensor:
    """Hyperbolic tangent.

    Example:

    >>> import torch
    >>> from layerwise.activations import tanh
    >>> tanh(torch.tensor([0.0]))
    tensor([0.])
    """
    return torch.tanh(_tensor(x))


def tanh_shrink(x) -> torch.Tensor:
    """`x - tanh(x)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import tanh_shrink
    >>> tanh_shrink(torch.tensor([0.0]))
    tensor([0.])
    """
    return F.tanhshrink(_tensor(x))


def hard_tanh(x) -> torch.Tensor:
    """`clip(x, -1, 1)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import hard_tanh
    >>> hard_tanh(torch.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    return F.hardtanh(_tensor(x), min_val=-1.0, max_val=1.0)


def hard_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x` where `|x| > threshold`, else 0.

    Example:

    >>> import torch
    >>> from layerwise.activations import hard_shrink
    >>> hard_shrink(torch.tensor([-1.0, 0.2, 1.0]))
    tensor([-1.,  0.,  1.])
    """
    return F.hardshrink(_tensor(x), lambd=threshold)


def threshold(x, threshold: float, default_value: float) -> torch.Tensor:
    """`x` where `x > threshold`, else `default_value`.

    Example:

    >>> import torch
    >>> from layerwise.activations import threshold
    >>> threshold(torch.tensor([-1.0, 2.0]), 0.0, 9.0)
    tensor([9., 2.])
    """
    return F.threshold(_tensor(x), threshold, default_value)


def sigmoid(x) -> torch.Tensor:
    """`1 / (1 + exp(-x))`.

    The output remembers `x`, so binary crossentropies compute from the logits.

    Example:

    >>> import torch
    >>> from layerwise.activations import sigmoid
    >>> sigmoid(torch.tensor([0.0]))
    tensor([0.5000])
    """
    x = _tensor(x)
    return remember_logits(torch.sigmoid(x), x, "sigmoid")


def sparse_sigmoid(x) -> torch.Tensor:
    """0 for `x <= -1`, `(x + 1) / 2` for `-1 < x < 1`, 1 for `x >= 1`.

    Example:

    >>> import torch
    >>> from layerwise.activations import sparse_sigmoid
    >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    x = _tensor(x)
    return torch.where(x <= -1, torch.tensor(0.0, dtype=x.dtype, device=x.device),
                       torch.where(x >= 1, torch.tensor(1.0, dtype=x.dtype, device=x.device),
                                   0.5 * (x + 1)))


def exponential(x) -> torch.Tensor:
    """`exp(x)`.

    Example:

    >>> import torch
    >>> from layerwise.activations import exponential
    >>> exponential(torch.tensor([0.0]))
    tensor([1.])
    """
    return torch.exp(_tensor(x))


def hard_sigmoid(x) -> torch.Tensor:
    """Piecewise-linear sigmoid: `relu6(x + 3) / 6`.

    Example:

    >>> import torch
    >>> from layerwise.activations import hard_sigmoid
    >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return F.hardsigmoid(_tensor(x))


def log_sigmoid(x) -> torch.Tensor:
    """`log(sigmoid(x))`, computed stably.

    Example:

    >>> import torch
    >>> from layerwise.activations import log_sigmoid
    >>> log_sigmoid(torch.tensor([0.0]))
    tensor([-0.6931])
    """
    return F.logsigmoid(_tensor(x))


def hard_silu(x) -> torch.Tensor:
    """Hard swish: `x * relu6(x + 3) / 6`.

    Example:

    >>> import torch
    >>> from layerwise.activations import hard_silu
    >>> hard_silu(torch.tensor([-1.0, 0.0, 4.0]))
    tensor([-0.3333,  0.0000,  4.0000])
    """
    return F.hardswish(_tensor(x))


def linear(x):
    """The identity: returns `x` unchanged.

    Example:

    >>> from layerwise.activations import linear
    >>> linear(3.0)
    3.0
    """
    return x


def mish(x) -> torch.Tensor:
    """`x * tanh(softplus(x))`.

    Example:

    >>> import torch
    >>> from layerwise.activations import mish
    >>> mish(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """
    x = _tensor(x)
    return x * torch.tanh(F.softplus(x))


def sparsemax(x, axis: int = -1) -> torch.Tensor:
    """Euclidean projection of `x` onto the probability simplex along `axis`.

    Example:

    >>> import torch
    >>> from layerwise.activations import sparsemax
    >>> sparsemax(torch.tensor([0.0, 3.0]))
    tensor([0., 1.])
    """
    x = _tensor(x)
    logits_sorted, _ = torch.sort(x, dim=axis, descending=True)
    logits_cumsum = torch.cumsum(logits_sorted, dim=axis)
    r = torch.arange(1, x.size(axis) + 1, device=x.device, dtype=x.dtype)
    r_shape = [1] * x.dim()
    r_shape[axis] = -1
    r = r.view(r_shape)
    support = logits_sorted - (logits_cumsum - 1) / r > 0
    k = torch.sum(support, dim=axis, keepdim=True)
    logits_cumsum_safe = torch.where(support, logits_cumsum, torch.tensor(0.0, dtype=x.dtype))
    tau = (torch.sum(logits_cumsum_safe, dim=axis, keepdim=True) - 1) / k
    return torch.clamp(x - tau, min=0.0)


swish = silu
hard_swish = hard_silu
