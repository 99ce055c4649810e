"""Probabilistic metrics: crossentropies, KL divergence and Poisson, averaged over samples."""

from __future__ import annotations

import torch

from layerwise import losses as _losses
from layerwise.backend.config import epsilon
from layerwise.metrics.metric import FunctionMetric, as_tensor, float_pair


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to `[eps, 1]`.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).item(), 4)
    0.1438
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    y_true = torch.clip(y_true, epsilon(), 1)
    y_pred = torch.clip(y_pred, epsilon(), 1)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """Mean over the last axis of `y_pred - y_true * log(y_pred + eps)`.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.poisson([[1.0, 0.0]], [[1.0, 2.0]]).item(), 4)
    1.5
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + epsilon()), dim=-1)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Binary crossentropy, averaged over `axis` (Keras' `keras.metrics.binary_crossentropy`).

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.binary_crossentropy([[0.0, 1.0]], [[0.4, 0.6]]).item(), 4)
    0.5108
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    return _losses.binary_crossentropy(y_true, y_pred, from_logits=from_logits,
                                       label_smoothing=label_smoothing, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy between one-hot targets and predicted distributions.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0]]).item(), 4)
    0.0513
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    return _losses.categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                            label_smoothing=label_smoothing, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> torch.Tensor:
    """Crossentropy between integer labels and predicted distributions.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.sparse_categorical_crossentropy([1], [[0.05, 0.95, 0]]).item(), 4)
    0.0513
    """
    y_pred = as_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    y_true = as_tensor(y_true, device=y_pred.device)
    values = _losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                     ignore_class=ignore_class, axis=axis)
    if ignore_class is not None:
        # As Keras, the ignored samples are marked by a mask on the values: given
        # sample weights are multiplied by it (see `Mean.update_state`).
        labels = y_true
        if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
            labels = labels.squeeze(axis)
        values._keras_mask = (labels != ignore_class).reshape(values.shape)
    return values


class KLDivergence(FunctionMetric):
    """Mean Kullback-Leibler divergence between `y_true` and `y_pred`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.KLDivergence()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    0.4581
    """

    function, default_name = staticmethod(kl_divergence), "kl_divergence"
    direction = "down"


class Poisson(FunctionMetric):
    """Mean Poisson deviance term `y_pred - y_true * log(y_pred)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Poisson()
    >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    >>> round(float(m.result()), 4)
    0.5
    """

    function, default_name = staticmethod(poisson), "poisson"
    direction = "down"


class BinaryCrossentropy(FunctionMetric):
    """Mean binary crossentropy.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Squeezes the targets towards 0.5.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.BinaryCrossentropy()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    0.8149
    """

    function, direction = staticmethod(binary_crossentropy), "down"

    def __init__(self, name: str = "binary_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0):
        self._init_function(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(FunctionMetric):
    """Mean categorical crossentropy (one-hot targets).

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Mixes the targets with the uniform distribution.
        axis: The class axis.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.CategoricalCrossentropy()
    >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> round(float(m.result()), 4)
    1.1769
    """

    function, direction = staticmethod(categorical_crossentropy), "down"

    def __init__(self, name: str = "categorical_crossentropy", dtype=None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1):
        self._init_function(name, dtype, from_logits=from_logits,
                            label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(FunctionMetric):
    """Mean crossentropy between integer labels and predicted distributions.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        from_logits: Whether `y_pred` are logits.
        ignore_class: Optional label whose samples are not counted.
        axis: The class axis.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SparseCategoricalCrossentropy()
    >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> round(float(m.result()), 4)
    1.1769
    """

    function, direction = staticmethod(sparse_categorical_crossentropy), "down"

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype=None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        self._init_function(name, dtype, from_logits=from_logits, ignore_class=ignore_class,
                            axis=axis)
