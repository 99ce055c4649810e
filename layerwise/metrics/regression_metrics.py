"""Regression metrics: squared/absolute/percentage/log errors, cosine similarity, R^2."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from layerwise.backend.config import epsilon
from layerwise.losses import mean_absolute_error as _mae
from layerwise.losses import mean_squared_error as _mse
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics.metric import (
    FunctionMetric,
    Mean,
    MeanMetricWrapper,
    Metric,
    _detach,
    as_tensor,
    check_2d_inputs,
    float_pair,
)


def _pair(y_true, y_pred):
    return squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))


def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `(y_true - y_pred) ** 2`.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).tolist()
    [0.5]
    """
    return _mse(*_pair(y_true, y_pred))



def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `|y_true - y_pred|`.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]]).tolist()
    [0.5]
    """
    return _mae(*_pair(y_true, y_pred))


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """`100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|)` over the last axis.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]]).tolist()
    [25.0]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2`.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.mean_squared_logarithmic_error([[0.0, 1.0]], [[1.0, 1.0]]).item(), 4)
    0.2402
    """
    y_true, y_pred = _pair(y_true, y_pred)
    first_log = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return torch.mean(torch.square(first_log - second_log), dim=-1)


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `log(cosh(y_pred - y_true))`, computed stably.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.log_cosh([[0.0, 1.0]], [[1.0, 1.0]]).item(), 4)
    0.2169
    """
    y_true, y_pred = _pair(y_true, y_pred)
    log2 = math.log(2.0)
    x = y_pred - y_true
    return torch.mean(x + F.softplus(x * -2.0) - log2, dim=-1)


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
    inv_norm = torch.rsqrt(square_sum)
    inv_norm = torch.clamp(inv_norm, max=1.0 / epsilon())
    return x * inv_norm


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Cosine similarity along `axis` (positive; the loss is its negative).

    Example:

    >>> from layerwise.metrics.regression_metrics import cosine_similarity
    >>> cosine_similarity([[0.0, 1.0]], [[1.0, 1.0]]).tolist()  # doctest: +ELLIPSIS
    [0.7071...]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.ndim == 0:
        y_pred = y_pred.unsqueeze(0)
    if y_true.ndim == 0:
        y_true = y_true.unsqueeze(0)
    y_pred = _l2_normalize(y_pred, axis)
    y_true = _l2_normalize(y_true, axis)
    return torch.sum(y_true * y_pred, dim=axis)


class _NameDtypeConfig:
    def get_config(self) -> dict:
        return Metric.get_config(self)


class MeanSquaredError(FunctionMetric):
    """Mean of `(y_true - y_pred) ** 2`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.25
    """

    function, default_name, direction = staticmethod(mean_squared_error), "mean_squared_error", "down"


class MeanAbsoluteError(FunctionMetric):
    """Mean of `|y_true - y_pred|`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanAbsoluteError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.25
    """

    function, default_name, direction = staticmethod(mean_absolute_error), "mean_absolute_error", "down"


class MeanAbsolutePercentageError(FunctionMetric):
    """Mean absolute percentage error, `100 * |y_true - y_pred| / |y_true|`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanAbsolutePercentageError()
    >>> m.update_state([[1.0, 2.0]], [[1.5, 2.0]])
    >>> float(m.result())
    25.0
    """

    function, default_name, direction = staticmethod(mean_absolute_percentage_error), "mean_absolute_percentage_error", "down"


class MeanSquaredLogarithmicError(FunctionMetric):
    """Mean of `(log(y_true + 1) - log(y_pred + 1)) ** 2`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanSquaredLogarithmicError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> round(float(m.result()), 4)
    0.1201
    """

    function, default_name, direction = staticmethod(mean_squared_logarithmic_error), "mean_squared_logarithmic_error", "down"


class RootMeanSquaredError(_NameDtypeConfig, Mean):
    """Square root of the (weighted) mean of `(y_pred - y_true) ** 2`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.RootMeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the squared errors.

        Args:
            y_true: Targets.
            y_pred: Predictions.
            sample_weight: Optional weights (rank 0 or the rank of `y_true`).
        """
        device = self._input_device(y_pred, y_true)
        y_true = as_tensor(_detach(y_true), dtype=self.dtype, device=device)
        y_pred = as_tensor(_detach(y_pred), dtype=self.dtype, device=device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


class CosineSimilarity(_NameDtypeConfig, MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        axis: The axis along which the similarity is computed.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.CosineSimilarity(axis=1)
    >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
    >>> round(float(m.result()), 4)
    0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self._direction = "up"


class LogCoshError(FunctionMetric):
    """Mean of `log(cosh(y_pred - y_true))`.

    Args:
        name: Name of the metric (default `"logcosh"`, as in Keras).
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.LogCoshError()
    >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    >>> round(float(m.result()), 4)
    0.1084
    """

    function, default_name, direction = staticmethod(log_cosh), "logcosh", "down"


class R2Score(Metric):
    """Coefficient of determination, `1 - SS_res / SS_tot`, per output then aggregated.

    Args:
        class_aggregation: `"uniform_average"` (default), `"variance_weighted_average"`
            or `None` (one score per output).
        num_regressors: Number of independent regressors, for the adjusted R^2
            (0 gives the plain R^2).
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.R2Score()
    >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    >>> round(float(m.result()), 4)
    0.5714
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{valid}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = 0  # Known on the host: the number of target values seen.
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        check_2d_inputs("R2Score", y_true_shape, y_pred_shape)
        num_classes = y_pred_shape[-1]
        self.add_variable(shape=(num_classes,), name="squared_sum")
        self.add_variable(shape=(num_classes,), name="sum")
        self.add_variable(shape=(num_classes,), name="total_mse")
        self.add_variable(shape=(num_classes,), name="count")
        self._built = True

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the sums needed for R^2.

        Args:
            y_true: Targets, shape `(batch, outputs)`.
            y_pred: Predictions, same shape.
            sample_weight: Optional weights, `(batch,)` or broadcastable to `y_true`.
        """
        device = self._input_device(y_pred, y_true)
        self._follow(device)
        y_true = as_tensor(_detach(y_true), dtype=self.dtype, device=device)
        y_pred = as_tensor(_detach(y_pred), dtype=self.dtype, device=device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if sample_weight is None:
            sample_weight = 1
        sample_weight = as_tensor(_detach(sample_weight), dtype=self.dtype, device=device)
        if sample_weight.ndim == 1:
            sample_weight = sample_weight.unsqueeze(1)
        sample_weight = torch.broadcast_to(sample_weight, y_true.shape)
        weighted_y_true = y_true * sample_weight
        self.sum.add_(torch.sum(weighted_y_true, dim=0))
        self.squared_sum.add_(torch.sum(y_true * weighted_y_true, dim=0))
        self.total_mse.add_(torch.sum((y_true - y_pred) ** 2 * sample_weight, dim=0))
        self.count.add_(torch.sum(sample_weight, dim=0))
        self.num_samples += y_true.numel()

    def result(self) -> torch.Tensor:
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1 - self.total_mse / total
        raw_scores = torch.where(torch.isinf(raw_scores), torch.zeros_like(raw_scores),
                                 raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = torch.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = torch.sum(total * raw_scores) / torch.sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            if self.num_regressors > self.num_samples - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif self.num_regressors == self.num_samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                n = float(self.num_samples)
                p = float(self.num_regressors)
                num = (1.0 - r2_score) * (n - 1.0)
                den = n - p - 1.0
                r2_score = 1.0 - num / den
        return r2_score.detach()

    def reset_state(self) -> None:
        super().reset_state()
        self.num_samples = 0

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
