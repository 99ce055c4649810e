"""Regression losses: MSE, MAE, MAPE, MSLE, cosine similarity, Huber, log-cosh.

Each function returns one value per sample (the mean over the last axis) and
computes exactly Keras 3's formula.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.numerics import l2_normalize as normalize
from layerwise.losses._utils import epsilon_like, pair, scalar
from layerwise.losses.loss import FunctionLoss, LossFunctionWrapper, squeeze_or_expand_to_same_rank


def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `(y_true - y_pred) ** 2`.

    Args:
        y_true: Targets, shape `(batch, d0, ..., dN)`.
        y_pred: Predictions, same shape.

    Returns:
        Values of shape `(batch, d0, ..., dN-1)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.mean_squared_error(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.5000])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `|y_true - y_pred|`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.mean_absolute_error(torch.tensor([[0.0, 1.0]]), torch.tensor([[2.0, 1.0]]))
    tensor([1.])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """`100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|)` over the last axis.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.mean_absolute_percentage_error(torch.tensor([[2.0, 4.0]]),
    ...                                             torch.tensor([[1.0, 4.0]]))
    tensor([25.])
    """
    y_true, y_pred = pair(y_true, y_pred)
    epsilon = epsilon_like(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.maximum(torch.abs(y_true), epsilon))
    return 100.0 * torch.mean(diff, dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `(log(y_pred + 1) - log(y_true + 1)) ** 2`.

    Values below `epsilon` are replaced by `epsilon` before the logarithm.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.mean_squared_logarithmic_error(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
    tensor([0.])
    """
    y_true, y_pred = pair(y_true, y_pred)
    epsilon = epsilon_like(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    first_log = torch.log(torch.maximum(y_pred, epsilon) + 1.0)
    second_log = torch.log(torch.maximum(y_true, epsilon) + 1.0)
    return torch.mean(torch.square(first_log - second_log), dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Negative cosine similarity along `axis`: `-sum(l2_norm(y_true) * l2_norm(y_pred))`.

    The value is between -1 (same direction) and 1 (opposite); zero vectors give 0.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.cosine_similarity(torch.tensor([[0.0, 1.0], [1.0, 1.0]]),
    ...                                torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
    tensor([-0.0000, -1.0000])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = normalize(y_pred, axis=axis)
    y_true = normalize(y_true, axis=axis)
    return -torch.sum(y_true * y_pred, dim=axis)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Mean over the last axis of the Huber loss of the error `x = y_pred - y_true`.

    `0.5 * x**2` where `|x| <= delta`, `delta * |x| - 0.5 * delta**2` elsewhere.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.huber(torch.tensor([[0.0, 1.0], [0.0, 0.0]]),
    ...                    torch.tensor([[0.6, 0.4], [0.4, 0.6]]))
    tensor([0.1800, 0.1300])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    delta = scalar(delta, y_pred)
    error = torch.subtract(y_pred, y_true)
    abs_error = torch.abs(error)
    half = scalar(0.5, abs_error)
    return torch.mean(
        torch.where(abs_error <= delta, half * torch.square(error),
                    delta * abs_error - half * torch.square(delta)),
        dim=-1,
    )


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `log(cosh(y_pred - y_true))`, computed stably.

    About `x**2 / 2` for small errors and `|x| - log(2)` for large ones.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.log_cosh(torch.tensor([[0.0, 1.0], [0.0, 0.0]]),
    ...                       torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
    tensor([0.2169, 0.0000])
    """
    y_true, y_pred = pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    log2 = torch.log(torch.tensor(2.0)).to(dtype=y_pred.dtype, device=y_pred.device)
    x = y_pred - y_true
    return torch.mean(x + F.softplus(x * -2.0) - log2, dim=-1)



class MeanSquaredError(FunctionLoss):
    """Mean of squared errors: `mean((y_true - y_pred) ** 2)`.

    Args:
        reduction, name, dtype: See `Loss`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1)))
    1.0
    """

    function, default_name = staticmethod(mean_squared_error), "mean_squared_error"


class MeanAbsoluteError(FunctionLoss):
    """Mean of absolute errors: `mean(|y_true - y_pred|)`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.MeanAbsoluteError()(torch.zeros(2, 1), torch.ones(2, 1)))
    1.0
    """

    function, default_name = staticmethod(mean_absolute_error), "mean_absolute_error"


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """`100 * mean(|(y_true - y_pred) / y_true|)`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.MeanAbsolutePercentageError()(torch.full((2, 1), 2.0),
    ...                                                  torch.ones(2, 1)))
    50.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """`mean((log(y_true + 1) - log(y_pred + 1)) ** 2)`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.MeanSquaredLogarithmicError()(torch.zeros(2, 1), torch.zeros(2, 1)))
    0.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along `axis` (-1 is best, 1 worst).

    Args:
        axis: The axis along which the similarity is computed (default -1).
        reduction, name, dtype: See `MeanSquaredError`.

    Example:

    >>> import torch, layerwise as keras
    >>> round(float(keras.losses.CosineSimilarity()(torch.ones(2, 2), torch.ones(2, 2))), 6)
    -1.0
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: The error where the loss turns from quadratic to linear.
        reduction, name, dtype: See `MeanSquaredError`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.Huber()(torch.zeros(2, 1), torch.full((2, 1), 3.0)))
    2.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(FunctionLoss):
    """`mean(log(cosh(y_pred - y_true)))`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.LogCosh()(torch.zeros(2, 1), torch.zeros(2, 1)))
    0.0
    """

    function, default_name = staticmethod(log_cosh), "log_cosh"
