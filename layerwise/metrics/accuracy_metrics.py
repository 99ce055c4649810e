"""Accuracy metrics: functions returning one value per sample, and their classes."""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics.metric import MeanMetricWrapper


def _float(x):
    return x.to(to_torch_dtype(floatx()))


def accuracy(y_true, y_pred):
    """1 where `y_pred == y_true` exactly, else 0."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _float(torch.eq(y_true, y_pred.to(y_true.dtype)))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of `(y_pred > threshold) == y_true`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).to(y_true.dtype)
    return torch.mean(_float(torch.eq(y_true, predicted)), dim=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where the argmax of `y_pred` equals the argmax of the one-hot `y_true`."""
    if y_true.ndim == y_pred.ndim - 1 or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
                                          and y_pred.shape[-1] > 1):
        return sparse_categorical_accuracy(y_true, y_pred)
    return _float(torch.eq(torch.argmax(y_true, dim=-1), torch.argmax(y_pred, dim=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the argmax of `y_pred` equals the integer label `y_true`."""
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
        reshape = True
    predicted = torch.argmax(y_pred, dim=-1)
    if predicted.dtype != y_true.dtype:
        predicted = predicted.to(y_true.dtype)
    matches = _float(torch.eq(y_true, predicted))
    return matches.reshape(original_shape) if reshape else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches binary labels.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)
