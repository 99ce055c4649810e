"""Activation functions with Keras 3's names, arguments and formulas."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _remember_logits(output: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    # Crossentropy losses read this to work from logits (stable and faster),
    # exactly as Keras marks softmax/sigmoid outputs with `_keras_logits`.
    output._keras_logits = logits
    return output


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)`, with optional slope, cap and threshold."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope)
        negative_part = torch.relu(-x + threshold) if threshold != 0 else torch.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * (x > threshold).to(x.dtype)
    elif max_value == 6:
        x = F.relu6(x)
        clip_max = False
    else:
        x = torch.relu(x)
    if clip_max:
        x = torch.clamp(x, 0.0, float(max_value))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    """`x` for `x >= 0`, `negative_slope * x` otherwise."""
    return F.leaky_relu(x, negative_slope)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return F.relu6(x)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return F.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit (self-normalizing)."""
    return F.selu(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit; `approximate=True` uses the tanh formula."""
    return F.gelu(x, approximate="tanh" if approximate else "none")


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return _remember_logits(torch.sigmoid(x), x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: `relu6(x + 3) / 6`."""
    return F.relu6(x + 3.0) / 6.0


def hard_silu(x):
    """`x * hard_sigmoid(x)`."""
    return x * hard_sigmoid(x)


def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    return F.silu(x)


def softmax(x, axis=-1):
    """Softmax over `axis` (default the last)."""
    return _remember_logits(torch.softmax(x, dim=axis), x)


def log_softmax(x, axis=-1):
    """Logarithm of the softmax over `axis`."""
    return torch.log_softmax(x, dim=axis)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return F.softplus(x)


def softsign(x):
    """`x / (|x| + 1)`."""
    return F.softsign(x)


def tanh(x):
    """Hyperbolic tangent."""
    return torch.tanh(x)


def exponential(x):
    """`exp(x)`."""
    return torch.exp(x)


def mish(x):
    """`x * tanh(softplus(x))`."""
    return F.mish(x)


def linear(x):
    """The identity: `x`."""
    return x


def celu(x, alpha=1.0):
    """Continuously differentiable ELU."""
    return F.celu(x, alpha)


def glu(x, axis=-1):
    """Gated linear unit: first half times sigmoid of the second half along `axis`."""
    return F.glu(x, dim=axis)


def tanh_shrink(x):
    """`x - tanh(x)`."""
    return x - torch.tanh(x)


def soft_shrink(x, threshold=0.5):
    """Soft shrinkage."""
    return F.softshrink(x, threshold)


def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return F.hardtanh(x)


def sparse_plus(x):
    """0 below -1, `(x + 1)**2 / 4` in [-1, 1], `x` above."""
    return torch.where(x <= -1, torch.zeros_like(x),
                       torch.where(x >= 1, x, 0.25 * torch.square(x + 1)))


def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`."""
    return (x + torch.sqrt(torch.square(x) + b)) / 2


def log_sigmoid(x):
    """`log(sigmoid(x))`."""
    return F.logsigmoid(x)


swish = silu
hard_swish = hard_silu
_ = math
