"""Segmentation losses: Dice and Tversky (overlap between predicted and true masks)."""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.losses._utils import as_pred, cast_like
from layerwise.losses.loss import LossFunctionWrapper


def _sum(x: torch.Tensor, axis) -> torch.Tensor:
    if axis is None:
        return torch.sum(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.sum(x, dim=axis)


def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """Dice loss: `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`.

    Args:
        y_true: True masks (values in `[0, 1]`).
        y_pred: Predicted masks, same shape.
        axis: Axes summed over (default: all, giving one value for the batch).

    Returns:
        The loss values (a scalar when `axis` is `None`).

    Example:

    >>> import torch, layerwise as keras
    >>> y_true = torch.tensor([[[[1.0], [1.0]], [[0.0], [0.0]]],
    ...                        [[[1.0], [1.0]], [[0.0], [0.0]]]])
    >>> y_pred = torch.tensor([[[[0.0], [1.0]], [[0.0], [1.0]]],
    ...                        [[[0.4], [0.0]], [[0.0], [0.9]]]])
    >>> keras.losses.dice(y_true, y_pred, axis=(1, 2, 3))
    tensor([0.5000, 0.7576])
    >>> keras.losses.dice(y_true, y_pred)
    tensor(0.6164)
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    value = torch.divide(2.0 * intersection,
                         _sum(y_true, axis) + _sum(y_pred, axis) + epsilon())
    return 1 - value


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> torch.Tensor:
    """Tversky loss: `1 - TP / (TP + alpha * FP + beta * FN)` (Salehi et al., 2017).

    With `alpha = beta = 0.5` it equals the Dice loss.

    Args:
        y_true: True masks (values in `[0, 1]`).
        y_pred: Predicted masks, same shape.
        alpha: Weight of the false positives.
        beta: Weight of the false negatives.
        axis: Axes summed over (default: all).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.tversky(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]]))
    tensor(1.1921e-07)
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    fp = _sum((1 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1 - y_true), axis)
    value = torch.divide(intersection, intersection + fp * alpha + fn * beta + epsilon())
    return 1 - value


class Dice(LossFunctionWrapper):
    """Dice loss. See `dice`.

    Args:
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"` or `"none"`.
        name: Name of the loss.
        axis: Axes summed over (default: all).
        dtype: Dtype of the computation (default `floatx()`).

    Example:

    >>> import torch, layerwise as keras
    >>> round(float(keras.losses.Dice()(torch.ones(2, 2), torch.ones(2, 2))), 6)
    0.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """Tversky loss. See `tversky`.

    Args:
        alpha: Weight of the false positives (default 0.5).
        beta: Weight of the false negatives (default 0.5).
        reduction, name, axis, dtype: See `Dice`.

    Example:

    >>> import torch, layerwise as keras
    >>> round(float(keras.losses.Tversky()(torch.ones(2, 2), torch.ones(2, 2))), 6)
    0.0
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis
