"""Accuracy metrics: per-sample functions and the `MeanMetricWrapper` classes averaging them.

The functions follow Keras 3 exactly, shapes included: `binary_accuracy`
returns one value per element (the wrapper averages the extra axes), the
categorical ones one value per sample.
"""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics.metric import FunctionMetric, as_tensor


def _float(x: torch.Tensor) -> torch.Tensor:
    return x.to(to_torch_dtype(floatx()))


def _argmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argmax(x, dim=dim).to(torch.int32)


def _argmax_matches(y_true, y_pred, squeeze: bool) -> torch.Tensor:
    """1 where the argmax of `y_pred` equals the labels `y_true`; with `squeeze`, their last
    axis is dropped for the comparison and the matches take their shape."""
    y_true_org_shape = y_true.shape
    if squeeze:
        y_true = y_true.squeeze(-1)
    predicted = _argmax(y_pred, -1)
    if predicted.dtype != y_true.dtype:
        predicted = predicted.to(y_true.dtype)
    matches = _float(torch.eq(y_true, predicted))
    return matches.reshape(y_true_org_shape) if squeeze else matches


def accuracy(y_true, y_pred) -> torch.Tensor:
    """1 where `y_pred == y_true` exactly, else 0 (per element).

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.accuracy([1, 2, 3], [1, 2, 4]).tolist()
    [1.0, 1.0, 0.0]
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _float(torch.eq(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """1 where `(y_pred > threshold) == y_true`, else 0 (per element).

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.binary_accuracy([[1], [0]], [[0.7], [0.6]]).tolist()
    [[1.0], [0.0]]
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = torch.gt(y_pred, threshold).to(y_true.dtype)
    return _float(torch.eq(y_true, predicted))


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1 where the argmax of `y_pred` equals the argmax of the one-hot `y_true`.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]],
    ...                                    [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = as_tensor(y_pred)
    y_true = _argmax(as_tensor(y_true, device=y_pred.device), -1)
    y_true = y_true.to(y_pred.dtype)
    return _argmax_matches(y_true, y_pred, squeeze=y_true.ndim == y_pred.ndim)


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1 where the argmax of `y_pred` equals the integer label `y_true`.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.sparse_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8],
    ...                                                    [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, device=y_pred.device)
    if y_true.is_floating_point() or y_true.dtype == torch.bool:
        # Keras compares in the prediction dtype; integer labels compare exactly as ints.
        y_true = y_true.to(y_pred.dtype)
    matches = _argmax_matches(
        y_true, y_pred, squeeze=y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(targets, predictions, k: int) -> torch.Tensor:
    targets = targets.to(torch.int64)[:, None]
    topk_values = torch.topk(predictions, k).values
    target_values = torch.take_along_dim(predictions, targets, dim=-1)
    return torch.any(target_values >= topk_values, dim=-1)


def _top_k_matches(y_true, y_pred, k: int, from_sorted_ids: bool = False) -> torch.Tensor:
    """1 where the label is among the top `k` scores (or, `from_sorted_ids`, the first `k`
    ids) of its row, computed on the flattened batch and given the labels' shape."""
    y_true_org_shape = y_true.shape
    reshape_matches = y_true.ndim > 1
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if reshape_matches:
        y_true = y_true.reshape(-1)
    if from_sorted_ids:
        matches = torch.any(torch.eq(y_true.unsqueeze(1), y_pred[:, :k]), dim=1)
    else:
        matches = _in_top_k(y_true, y_pred, k)
    matches = _float(matches)
    return matches.reshape(y_true_org_shape) if reshape_matches else matches


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1 where the class of the one-hot `y_true` is among the top `k` predictions.

    Ties with the `k`-th largest prediction count as in the top `k`.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]],
    ...     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).tolist()
    [0.0, 1.0]
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return _top_k_matches(_argmax(y_true, -1), y_pred, k)  # `_argmax` gives int32 labels


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5,
                                      from_sorted_ids: bool = False) -> torch.Tensor:
    """1 where the integer label `y_true` is among the top `k` predictions.

    Args:
        y_true: Integer labels.
        y_pred: Scores per class, or (with `from_sorted_ids=True`) class ids
            sorted by decreasing score.
        k: Number of top predictions considered.
        from_sorted_ids: Whether `y_pred` already holds sorted class ids.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.sparse_top_k_categorical_accuracy([2, 1],
    ...     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).tolist()
    [0.0, 1.0]
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, dtype=y_pred.dtype if from_sorted_ids else torch.int32,
                       device=y_pred.device)
    return _top_k_matches(y_true, y_pred, k, from_sorted_ids)


class Accuracy(FunctionMetric):
    """How often predictions equal labels exactly.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> float(m.result())
    0.75
    """

    function, default_name, direction = staticmethod(accuracy), "accuracy", "up"


class BinaryAccuracy(FunctionMetric):
    """How often `y_pred > threshold` matches binary labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        threshold: Predictions above it count as 1.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
    """

    function, direction = staticmethod(binary_accuracy), "up"

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        self._init_function(name, dtype, threshold=threshold)


class CategoricalAccuracy(FunctionMetric):
    """How often the argmax of the predictions matches the argmax of one-hot labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.CategoricalAccuracy()
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    function, default_name, direction = staticmethod(categorical_accuracy), "categorical_accuracy", "up"


class SparseCategoricalAccuracy(FunctionMetric):
    """How often the argmax of the predictions matches integer labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    function, default_name, direction = staticmethod(sparse_categorical_accuracy), "sparse_categorical_accuracy", "up"


class TopKCategoricalAccuracy(FunctionMetric):
    """How often the one-hot label is among the top `k` predictions.

    Args:
        k: Number of top predictions considered (default 5).
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.TopKCategoricalAccuracy(k=1)
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    function, direction = staticmethod(top_k_categorical_accuracy), "up"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        self._init_function(name, dtype, k=k)


class SparseTopKCategoricalAccuracy(FunctionMetric):
    """How often the integer label is among the top `k` predictions.

    Args:
        k: Number of top predictions considered (default 5).
        name: Name of the metric.
        dtype: Dtype of the result.
        from_sorted_ids: Whether `y_pred` holds class ids sorted by score.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    function, direction = staticmethod(sparse_top_k_categorical_accuracy), "up"

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids: bool = False):
        self._init_function(name, dtype, k=k, from_sorted_ids=from_sorted_ids)

    def get_config(self) -> dict:
        config = super().get_config()
        if config.pop("from_sorted_ids"):  # Keras lists it only when set
            config["from_sorted_ids"] = True
        return config
