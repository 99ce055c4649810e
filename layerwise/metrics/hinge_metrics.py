"""Hinge metrics: hinge, squared hinge and categorical hinge, averaged over samples."""

from __future__ import annotations

import torch

from layerwise.metrics.metric import FunctionMetric, float_pair


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """Maps labels in `{0, 1}` to `{-1, 1}`; other labels are returned unchanged.

    The choice is made on the device (no host synchronisation).
    """
    is_binary = torch.all(torch.logical_or(y_true == 0, y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0)` (0/1 labels become -1/1).

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.hinge([[0.0, 1.0]], [[0.6, 0.4]]).item(), 4)
    1.1
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0) ** 2`.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.squared_hinge([[0.0, 1.0]], [[0.6, 0.4]]).item(), 4)
    1.46
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.categorical_hinge([[0.0, 1.0]], [[0.6, 0.4]]).item(), 4)
    1.2
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


class Hinge(FunctionMetric):
    """Mean hinge loss (labels in `{-1, 1}`, or `{0, 1}` mapped to them).

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Hinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    1.3
    """

    function, default_name, direction = staticmethod(hinge), "hinge", "down"


class SquaredHinge(FunctionMetric):
    """Mean squared hinge loss.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SquaredHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    1.86
    """

    function, default_name, direction = staticmethod(squared_hinge), "squared_hinge", "down"


class CategoricalHinge(FunctionMetric):
    """Mean categorical hinge loss (one-hot labels).

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.CategoricalHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    1.4
    """

    function, default_name, direction = staticmethod(categorical_hinge), "categorical_hinge", "down"
