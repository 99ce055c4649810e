"""Correlation metrics: Pearson and concordance correlation along an axis, averaged."""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics.metric import FunctionMetric, float_pair


def _pair(y_true, y_pred):
    return squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))


def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson correlation coefficient along `axis`.

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.pearson_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]]).item(), 4)
    0.9934
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true_norm = y_true - torch.mean(y_true, dim=axis, keepdim=True)
    y_pred_norm = y_pred - torch.mean(y_pred, dim=axis, keepdim=True)
    y_true_norm = y_true_norm / torch.std(y_true_norm, dim=axis, keepdim=True, unbiased=False)
    y_pred_norm = y_pred_norm / torch.std(y_pred_norm, dim=axis, keepdim=True, unbiased=False)
    return torch.mean(y_true_norm * y_pred_norm, dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation coefficient along `axis` (Keras' formula).

    Example:

    >>> import layerwise as keras
    >>> round(keras.metrics.concordance_correlation([[1.0, 2.0, 3.0]],
    ...                                             [[1.0, 2.0, 3.0]]).item(), 4)
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true_mean = torch.mean(y_true, dim=axis, keepdim=True)
    y_pred_mean = torch.mean(y_pred, dim=axis, keepdim=True)
    y_true_var = torch.var(y_true - y_true_mean, dim=axis, keepdim=True, correction=0)
    y_pred_var = torch.var(y_pred - y_pred_mean, dim=axis, keepdim=True, correction=0)
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + torch.square(y_true_mean - y_pred_mean)
    return torch.mean(2 * covar / (norm + epsilon()), dim=axis)


class _Correlation(FunctionMetric):
    """A correlation along `axis`, averaged over the samples (higher is better); the
    function and the default name are class attributes."""

    direction = "up"

    def __init__(self, name: str | None = None, dtype=None, axis: int = -1):
        self._init_function(name or self.default_name, dtype, axis=axis)


class PearsonCorrelation(_Correlation):
    """Mean Pearson correlation between labels and predictions along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        axis: The axis along which the correlation is computed.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.PearsonCorrelation()
    >>> m.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]])
    >>> round(float(m.result()), 4)
    1.0
    """

    function, default_name = staticmethod(pearson_correlation), "pearson_correlation"


class ConcordanceCorrelation(_Correlation):
    """Mean concordance correlation between labels and predictions along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the result.
        axis: The axis along which the correlation is computed.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.ConcordanceCorrelation()
    >>> m.update_state([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]])
    >>> round(float(m.result()), 4)
    1.0
    """

    function, default_name = staticmethod(concordance_correlation), "concordance_correlation"
