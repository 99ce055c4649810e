"""`Loss` base class: per-sample values, sample weights, masks and reduction.

The reduction follows Keras 3 step by step: the mask of the predictions
(`_keras_mask`) or of the loss values (`sparse_categorical_crossentropy` with
`ignore_class`) is merged into the sample weights, the weighted values are
summed, and `"sum_over_batch_size"` divides by the number of values (so
masked entries do not count), `"mean_with_sample_weight"` by the sum of the
weights.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from layerwise.activations.logits import copy_logits, elementwise_copy
from layerwise.backend import naming
from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.registry.family import family

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", None)


def standardize_reduction(reduction):
    """Checks `reduction` (`"auto"`, the Keras 2 default, means `"sum_over_batch_size"`)."""
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: {reduction!r}. Expected one of "
            f"{[r for r in _REDUCTIONS if r]} or None."
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Makes two tensors the same rank when they differ by a trailing axis of size 1.

    Keras' rule: the tensor with the extra axis of size 1 loses it, except that
    a rank-1 partner gains one instead (when `expand_rank_1`). Sigmoid outputs
    keep their logits through the change.

    Example:

    >>> import torch
    >>> from layerwise.losses.loss import squeeze_or_expand_to_same_rank
    >>> a, b = squeeze_or_expand_to_same_rank(torch.zeros(4), torch.zeros(4, 1))
    >>> tuple(a.shape), tuple(b.shape)
    ((4, 1), (4, 1))
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _reshaped(x2, lambda t: t.unsqueeze(-1))
        else:
            x1 = _reshaped(x1, lambda t: t.squeeze(-1))
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _reshaped(x1, lambda t: t.unsqueeze(-1))
        else:
            x2 = _reshaped(x2, lambda t: t.squeeze(-1))
    return x1, x2


def _reshaped(x, fn):
    return elementwise_copy(fn(x), x, fn)


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a boolean `mask` into `sample_weight`, exactly as Keras does.

    For `"sum_over_batch_size"` and `"mean"` the kept entries weigh
    `total / valid`, so the reduction averages over the kept entries only.
    """
    if mask is None:
        return sample_weight
    mask = mask.to(device=_device_of(sample_weight, mask))
    if reduction in ("mean", "sum_over_batch_size"):
        total = torch.tensor(float(mask.numel()), dtype=dtype, device=mask.device)
        valid = torch.sum(mask.to(dtype))
        mask_weight = _divide_no_nan(total, valid)
        float_mask = torch.where(mask.bool(), mask_weight, torch.zeros((), dtype=dtype,
                                                                       device=mask.device))
    else:
        float_mask = mask.to(dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.to(dtype)
        float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
        return sample_weight * float_mask
    return float_mask


def _device_of(*tensors):
    for t in tensors:
        if isinstance(t, torch.Tensor):
            return t.device
    return None


def _divide_no_nan(x, y):
    safe = torch.where(y == 0, torch.ones_like(y), y)
    return torch.where(y == 0, torch.zeros_like(x / safe), x / safe)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sums `values` and divides as `reduction` says (no weighting)."""
    if reduction in (None, "none") or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    loss = torch.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            loss = _divide_no_nan(loss, torch.sum(sample_weight).to(loss.dtype))
        else:
            # The count is never 0 here (empty values returned above): a plain division.
            loss = loss / values.numel()
    return loss


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size",
                           mask=None, dtype=None):
    """Weights per-sample loss values, applies a mask, and reduces, as Keras 3 does.

    Args:
        values: Per-sample (or per-entry) loss values.
        sample_weight: Optional weights, broadcastable to `values` (a trailing
            axis of size 1 is squeezed or added to match).
        reduction: `"sum_over_batch_size"` (sum divided by the number of
            values), `"sum"`, `"mean"`, `"mean_with_sample_weight"` (sum
            divided by the sum of the weights) or `"none"`/`None`.
        mask: Optional boolean mask of the entries that count.
        dtype: Dtype of the computation (default: the dtype of `values`).

    Returns:
        A scalar, or `values` weighted when there is no reduction.

    Example:

    >>> import torch
    >>> from layerwise.losses.loss import reduce_weighted_values
    >>> float(reduce_weighted_values(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 0.0])))
    0.5
    """
    reduction = standardize_reduction(reduction)
    if not isinstance(values, torch.Tensor):
        values = torch.as_tensor(values, dtype=to_torch_dtype(dtype))
    dtype = to_torch_dtype(dtype) if dtype is not None else values.dtype
    if values.dtype != dtype:
        values = values.to(dtype)
    if sample_weight is not None:
        if not isinstance(sample_weight, torch.Tensor):
            sample_weight = torch.as_tensor(sample_weight)
        sample_weight = sample_weight.to(dtype=dtype, device=values.device)
    if mask is not None:
        mask = torch.as_tensor(mask).to(values.device)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = sample_weight.to(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def get_mask(x):
    """The Keras mask of `x` (`_keras_mask`), or `None`."""
    return getattr(x, "_keras_mask", None)


def set_mask(x, mask) -> None:
    """Attaches a Keras mask to `x` (what `reduce_weighted_values` reads back)."""
    try:
        x._keras_mask = mask
    except (AttributeError, RuntimeError):
        pass


def convert(x, dtype: torch.dtype, device=None) -> torch.Tensor:
    """`x` as a tensor: floating and boolean values in `dtype`, integers as they are.

    Probabilities keep the logits they remember (see `layerwise.activations.logits`).
    """
    source = x
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
        if x.is_floating_point():
            x = x.to(dtype)
    if (x.is_floating_point() or x.dtype == torch.bool) and x.dtype != dtype:
        x = copy_logits(x.to(dtype), source, lambda t: t.to(dtype))
    if device is not None and x.device != device:
        x = copy_logits(x.to(device), source, lambda t: t.to(device))
    return x


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` returns a scalar.

    Subclasses implement `call(y_true, y_pred)`, which returns one value per
    sample (or per entry); `__call__` weights, masks and reduces them.

    Args:
        name: Name of the loss (default: the class name in snake case).
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"` or `"none"`/`None`.
        dtype: Dtype of the computation (default `floatx()`).

    Example:

    >>> import torch, layerwise as keras
    >>> class MeanSquaredError(keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return torch.mean(torch.square(y_pred - y_true), dim=-1)
    >>> float(MeanSquaredError()(torch.zeros(2, 2), torch.ones(2, 2)))
    1.0
    """

    def __init__(self, name: str | None = None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype_name = getattr(dtype, "name", dtype)

    @property
    def dtype(self) -> str:
        """Name of the computation dtype (`floatx()` unless given)."""
        return self._dtype_name or floatx()

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        in_mask = get_mask(y_pred)
        dtype = to_torch_dtype(self.dtype)
        y_pred = convert(y_pred, dtype)
        y_true = convert(y_true, dtype, device=y_pred.device)
        values = self.call(y_true, y_pred)
        out_mask = get_mask(values)
        if in_mask is not None and out_mask is not None:
            mask = in_mask.bool() & out_mask.bool()
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(values, sample_weight, self.reduction, mask=mask,
                                      dtype=dtype)

    def call(self, y_true, y_pred) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        """Returns `{"name", "reduction"}` (plus `"dtype"` when one was given)."""
        config = {"name": self.name, "reduction": self.reduction}
        if self._dtype_name is not None:
            config["dtype"] = self._dtype_name
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Creates the loss from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """Wraps a function `fn(y_true, y_pred, **kwargs)` returning per-sample values.

    Args:
        fn: The loss function.
        reduction: See `Loss`.
        name: Name of the loss (default: the function's name).
        dtype: See `Loss`.
        **kwargs: Keyword arguments passed to `fn` at each call.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.LossFunctionWrapper(keras.losses.huber, delta=0.5)
    >>> round(float(loss(torch.zeros(2, 1), torch.ones(2, 1))), 4)
    0.375
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", None)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" in config:
            config["fn"] = family("loss").get(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


class FunctionLoss(LossFunctionWrapper):
    """A `LossFunctionWrapper` whose function and default name are class attributes, so a
    built-in loss class is one line: `function, default_name = staticmethod(fn), "name"`."""

    function: Callable
    default_name: str

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(type(self).function, name=name or self.default_name,
                         reduction=reduction, dtype=dtype)
