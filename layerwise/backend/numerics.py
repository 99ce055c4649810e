"""Numerical helpers with Keras' exact formulas, shared by several families."""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon


def l2_normalize(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """L2 normalization as Keras computes it: `x * min(rsqrt(sum(x**2)), 1 / epsilon)`.

    Example:

    >>> import torch
    >>> from layerwise.backend.numerics import l2_normalize
    >>> l2_normalize(torch.tensor([3.0, 4.0]))
    tensor([0.6000, 0.8000])
    """
    if x.ndim == 0:
        x = x.unsqueeze(0)
    square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
    inv_norm = torch.rsqrt(square_sum)
    limit = torch.as_tensor(1.0 / epsilon(), dtype=inv_norm.dtype, device=inv_norm.device)
    return x * torch.minimum(inv_norm, limit)
