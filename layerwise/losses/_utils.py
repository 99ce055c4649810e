"""Small tensor helpers shared by the loss functions."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import epsilon, floatx, to_torch_dtype


def as_pred(y_pred) -> torch.Tensor:
    """`y_pred` as a floating tensor, as Keras converts it.

    Tensors and arrays keep a floating dtype (integers become `floatx()`);
    Python numbers and lists become `floatx()`. Remembered logits are kept.
    """
    if isinstance(y_pred, torch.Tensor):
        if y_pred.is_floating_point():
            return y_pred
        return y_pred.to(to_torch_dtype(floatx()))
    from_array = isinstance(y_pred, np.ndarray | np.generic)
    y_pred = torch.as_tensor(y_pred)
    if not y_pred.is_floating_point() or not from_array:
        y_pred = y_pred.to(to_torch_dtype(floatx()))
    return y_pred

def cast_like(y_true, y_pred: torch.Tensor) -> torch.Tensor:
    """`y_true` as a tensor of `y_pred`'s dtype and device."""
    if not isinstance(y_true, torch.Tensor):
        y_true = torch.as_tensor(y_true)
    if y_true.dtype != y_pred.dtype or y_true.device != y_pred.device:
        y_true = y_true.to(dtype=y_pred.dtype, device=y_pred.device)
    return y_true

def pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """`(y_true, y_pred)` as tensors of `y_pred`'s floating dtype."""
    y_pred = as_pred(y_pred)
    return cast_like(y_true, y_pred), y_pred

def scalar(value, like: torch.Tensor) -> torch.Tensor:
    """`value` as a 0-d tensor of `like`'s dtype and device."""
    return torch.as_tensor(value, dtype=like.dtype, device=like.device)

def epsilon_like(like: torch.Tensor) -> torch.Tensor:
    """`backend.epsilon()` as a 0-d tensor of `like`'s dtype."""
    return scalar(epsilon(), like)
