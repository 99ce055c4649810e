"""`Metric` base class and the `Mean` / `Sum` / `MeanMetricWrapper` reducers.

Metric state lives in tensors on the training device and is only read back
(synchronised) when `result()` is converted to a number. Counts that are known
on the host (batch sizes) stay Python numbers, so an unweighted update is a
single in-place device op.
"""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.backend.naming import to_snake_case
from layerwise.losses.loss import squeeze_or_expand_to_same_rank


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`.

    Args:
        name: Name of the metric (its key in the logs).
        dtype: Dtype of the state (default `floatx()`).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self._dtype_name = dtype
        self._device = torch.device("cpu")

    @property
    def dtype(self) -> str:
        return self._dtype_name or floatx()

    @property
    def torch_dtype(self) -> torch.dtype:
        return to_torch_dtype(self.dtype)

    def to(self, device) -> Metric:
        """Moves the state to `device`."""
        self._device = torch.device(device)
        for key, value in vars(self).items():
            if isinstance(value, torch.Tensor):
                setattr(self, key, value.to(self._device))
        return self

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state and returns the new result (Keras semantics)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, dtype):
    """Keras' reduction of metric values to one value per sample, with weights applied."""
    values = values.to(dtype)
    if sample_weight is not None:
        if not isinstance(sample_weight, torch.Tensor):
            sample_weight = torch.as_tensor(sample_weight)
        sample_weight = sample_weight.to(dtype=dtype, device=values.device)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = torch.mean(values, dim=list(range(weight_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = torch.mean(sample_weight, dim=list(range(1, weight_ndim)))
    if values.ndim > 1:
        values = torch.mean(values, dim=list(range(1, values.ndim)))
    return values, sample_weight


class _Reduce(Metric):
    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = torch.zeros((), dtype=self.torch_dtype, device=self._device)
        self.count = 0.0


class Sum(_Reduce):
    """Weighted sum of the values seen.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(m.result())
    16.0
    """

    def update_state(self, values, sample_weight=None):
        values = torch.as_tensor(values)
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self.torch_dtype)
        self.total = self.total.to(values.device)
        self.total.add_(torch.sum(values))

    def result(self):
        return self.total.clone()


class Mean(_Reduce):
    """Weighted mean of the values seen.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Mean()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(m.result())
    4.0
    """

    def update_state(self, values, sample_weight=None):
        if not isinstance(values, torch.Tensor):
            values = torch.as_tensor(values, dtype=self.torch_dtype)
        if self.total.device != values.device:
            self.total = self.total.to(values.device)
        if sample_weight is None or isinstance(sample_weight, (int, float)):
            # Unweighted, or one weight for every value (the batch size of a loss):
            # the count is known on the host, the sum is one device op.
            weight = 1.0 if sample_weight is None else float(sample_weight)
            if values.ndim > 1:
                values = torch.mean(values.to(self.torch_dtype), dim=list(range(1, values.ndim)))
            n = values.shape[0] if values.ndim >= 1 else 1
            self.total.add_(torch.sum(values.detach()) if values.ndim else values.detach(),
                            alpha=weight)
            self.count += weight * n
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self.torch_dtype)
        self.total.add_(torch.sum(values.detach()))
        self._add_tensor_count(torch.sum(sample_weight.detach()))

    def _add_tensor_count(self, count):
        if isinstance(self.count, float):
            self.count = torch.full((), self.count, dtype=self.torch_dtype, device=count.device)
        self.count = self.count + count

    def result(self):
        count = self.count
        if isinstance(count, float):
            return self.total / count if count else torch.zeros_like(self.total)
        return torch.where(count != 0, self.total / count, torch.zeros_like(self.total))


class MeanMetricWrapper(Mean):
    """Mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
        fn: Function returning one value per sample.
        name: Name of the metric.
        dtype: Dtype of the state.
        **kwargs: Passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, torch.Tensor):
            y_pred = torch.as_tensor(y_pred)
        if not isinstance(y_true, torch.Tensor):
            y_true = torch.as_tensor(y_true)
        y_true = y_true.to(y_pred.device)
        with torch.no_grad():
            values = self._fn(y_true, y_pred.detach(), **self._fn_kwargs)
            if sample_weight is not None and not isinstance(sample_weight, (int, float)):
                values, sample_weight = reduce_to_samplewise_values(
                    values, sample_weight, self.torch_dtype
                )
                self.total = self.total.to(values.device)
                self.total.add_(torch.sum(values))
                self._add_tensor_count(torch.sum(sample_weight))
                return
            super().update_state(values, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config
