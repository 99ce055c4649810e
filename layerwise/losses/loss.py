"""`Loss` base class: per-sample values, sample weights, and reduction."""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx, to_torch_dtype

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", None)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Makes two tensors the same rank when they differ by a trailing axis of size 1 (Keras rule)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weights per-sample loss values and reduces them, exactly as Keras 3 does.

    `"sum_over_batch_size"` divides the weighted sum by the number of values
    (not by the sum of the weights); `"mean_with_sample_weight"` divides by the
    sum of the weights.
    """
    if sample_weight is not None:
        if not isinstance(sample_weight, torch.Tensor):
            sample_weight = torch.as_tensor(sample_weight, dtype=values.dtype)
        sample_weight = sample_weight.to(dtype=values.dtype, device=values.device)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    loss = torch.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = torch.sum(sample_weight)
        return torch.where(divisor != 0, loss / divisor, torch.zeros_like(loss))
    count = values.numel()
    return loss / count if count else loss * 0


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` returns a scalar.

    Subclasses implement `call(y_true, y_pred)` returning one value per sample.

    Args:
        name: Name of the loss.
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"` or `"none"`.
        dtype: Dtype of the computation (default `floatx()`).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction == "auto":
            reduction = "sum_over_batch_size"
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"Invalid `reduction`: {reduction!r}. Expected one of "
                f"{[r for r in _REDUCTIONS if r]}."
            )
        self.name = name or type(self).__name__
        self.reduction = reduction
        self._dtype_name = dtype

    @property
    def dtype(self) -> str:
        return self._dtype_name or floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        dtype = to_torch_dtype(self.dtype)
        y_pred = _as_tensor(y_pred, dtype)
        y_true = _as_tensor(y_true, dtype, device=y_pred.device)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype_name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _as_tensor(x, dtype, device=None):
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    if x.is_floating_point() and x.dtype != dtype:
        x = x.to(dtype)
    if device is not None and x.device != device:
        x = x.to(device)
    return x


class LossFunctionWrapper(Loss):
    """Wraps a function `fn(y_true, y_pred, **kwargs)` returning per-sample values."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config
