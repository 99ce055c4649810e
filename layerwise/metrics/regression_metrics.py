"""Regression metrics: mean squared and absolute error."""

from __future__ import annotations

from layerwise.losses.losses import mean_absolute_error, mean_squared_error
from layerwise.metrics.metric import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """Mean of `(y_true - y_pred) ** 2`."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of `|y_true - y_pred|`."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)
