"""Hinge losses (maximum-margin classification): hinge, squared hinge, categorical hinge."""

from __future__ import annotations

import torch

from layerwise.losses._utils import pair, scalar
from layerwise.losses.loss import FunctionLoss


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """Maps labels in `{0, 1}` to `{-1, 1}`; other labels are returned unchanged.

    Example:

    >>> import torch
    >>> from layerwise.losses.hinge import convert_binary_labels_to_hinge
    >>> convert_binary_labels_to_hinge(torch.tensor([0.0, 1.0]))
    tensor([-1.,  1.])
    """
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0)`.

    Args:
        y_true: Labels in `{-1, 1}` (labels in `{0, 1}` are converted).
        y_pred: Predictions (scores), same shape.

    Returns:
        Values of shape `y_true.shape[:-1]`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[-0.5, 0.5]]))
    tensor([0.5000])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp_min(1.0 - y_true * y_pred, 0.0), dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0) ** 2`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.squared_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[-0.5, 0.5]]))
    tensor([0.2500])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp_min(1.0 - y_true * y_pred, 0.0)), dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """`max(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`, `neg = max((1 - y_true) * y_pred)`.

    Args:
        y_true: One-hot targets (`{0, 1}` or `{-1, 1}`), shape `(batch, classes)`.
        y_pred: Scores, same shape.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.categorical_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.2, 0.7]]))
    tensor([0.5000])
    """
    y_true, y_pred = pair(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.maximum(neg - pos + 1.0, scalar(0.0, y_pred))


class Hinge(FunctionLoss):
    """`mean(max(1 - y_true * y_pred, 0))`, with labels in `{-1, 1}` (or `{0, 1}`).

    Args:
        reduction, name, dtype: See `Loss`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.Hinge()(torch.ones(2, 1), torch.zeros(2, 1)))
    1.0
    """

    function, default_name = staticmethod(hinge), "hinge"


class SquaredHinge(FunctionLoss):
    """`mean(max(1 - y_true * y_pred, 0) ** 2)`, with labels in `{-1, 1}` (or `{0, 1}`).

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.SquaredHinge()(torch.ones(2, 1), torch.full((2, 1), -1.0)))
    4.0
    """

    function, default_name = staticmethod(squared_hinge), "squared_hinge"


class CategoricalHinge(FunctionLoss):
    """`max(neg - pos + 1, 0)` for one-hot targets (see `categorical_hinge`).

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.CategoricalHinge()(torch.tensor([[0.0, 1.0]]),
    ...                                       torch.tensor([[0.0, 1.0]])))
    0.0
    """

    function, default_name = staticmethod(categorical_hinge), "categorical_hinge"
