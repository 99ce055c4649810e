"""Probabilistic losses: crossentropies (plain and focal), KL divergence, Poisson.

The arithmetic is Keras 3's (torch backend). One addition: probabilities
produced by `softmax`/`sigmoid` remember their logits, and the crossentropies
(categorical, sparse, binary and both focal variants) compute their logarithm
from those logits (`log_softmax`, `binary_cross_entropy_with_logits`), as
Keras' TensorFlow backend does. The result equals Keras' clipped formula
wherever the predicted probabilities lie in `[epsilon, 1 - epsilon]`, and
stays exact (instead of capping at `-log(epsilon)` ~ 16.1) where the
probabilities saturate. The focal variants with `from_logits=True` use the
same stable logarithm.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
import torch.nn.functional as F

from layerwise.activations.logits import logits_of
from layerwise.backend.config import epsilon
from layerwise.losses._utils import as_pred, cast_like, epsilon_like
from layerwise.losses.loss import FunctionLoss, LossFunctionWrapper, set_mask


def _warn_single_class(y_pred, loss_name) -> None:
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {loss_name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=4,
        )


def _check_categorical_targets(y_true, y_pred, loss_name) -> None:
    if y_true.shape == y_pred.shape:
        return
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1 and y_pred.shape[-1] != 1:
        raise ValueError(
            f"{loss_name}: the targets have shape {tuple(y_true.shape)} (one integer label "
            f"per sample) but the model outputs {tuple(y_pred.shape)}. Use "
            "`loss='sparse_categorical_crossentropy'` for integer labels, or one-hot "
            "encode them with `keras.utils.to_categorical`."
        )
    if y_true.ndim == y_pred.ndim - 1:
        raise ValueError(
            f"{loss_name}: the targets have shape {tuple(y_true.shape)} (integer labels) but "
            f"the model outputs {tuple(y_pred.shape)}. Use "
            "`loss='sparse_categorical_crossentropy'` for integer labels, or one-hot encode "
            "them with `keras.utils.to_categorical`."
        )
    raise ValueError(
        f"{loss_name}: targets of shape {tuple(y_true.shape)} do not match the model's "
        f"output shape {tuple(y_pred.shape)}: the shapes must be equal."
    )


def _categorical_inputs(y_true, y_pred, label_smoothing, axis, loss_name):
    """`(y_true, y_pred)` of a categorical crossentropy: checked, converted, targets smoothed."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    _warn_single_class(y_pred, loss_name)
    _check_categorical_targets(y_true, y_pred, loss_name)
    if label_smoothing:
        num_classes = torch.tensor(float(y_true.shape[-1]), dtype=y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes).to(
            y_pred.device)
    return y_true, y_pred


def _warn_probabilities_as_logits(y_pred, kind, loss_name) -> None:
    marker = getattr(y_pred, "_keras_logits_kind", None)
    if marker is not None and getattr(y_pred, "_keras_logits", None) is not None:
        kind = marker[0]
        warnings.warn(
            f"`{loss_name}` received `from_logits=True`, but the predictions were produced by "
            f"a {kind} activation and are probabilities, not logits. Remove the activation or "
            "use `from_logits=False`.",
            UserWarning,
            stacklevel=3,
        )


def _clipped_log_probabilities(y_pred, axis):
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = torch.clip(output, epsilon(), 1.0 - epsilon())
    return torch.log(output)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Crossentropy between one-hot (or probability) targets and predicted distributions.

    Args:
        y_true: One-hot targets, shape `(batch, ..., classes)`.
        y_pred: Probabilities (or logits with `from_logits=True`), same shape.
        from_logits: Whether `y_pred` are logits.
        label_smoothing: In `[0, 1]`: the targets become
            `y_true * (1 - label_smoothing) + label_smoothing / classes`.
        axis: The class axis.

    Returns:
        Values of shape `y_pred.shape` without `axis`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.categorical_crossentropy(torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    ...     torch.tensor([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    tensor([0.0513, 2.3026])
    """
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis,
                                         "categorical_crossentropy")
    if from_logits:
        _warn_probabilities_as_logits(y_pred, "softmax", "categorical_crossentropy")
        log_prob = torch.log_softmax(y_pred, dim=axis)
    else:
        logits = logits_of(y_pred, "softmax", axis)
        if logits is not None:
            log_prob = torch.log_softmax(logits, dim=axis)
        else:
            log_prob = _clipped_log_probabilities(y_pred, axis)
    return -torch.sum(y_true * log_prob, dim=axis)


def _check_sparse_targets(y_true: torch.Tensor, y_pred: torch.Tensor, axis: int) -> None:
    """Raises unless `y_true` holds one integer label per entry of `y_pred` along `axis`."""
    if y_pred.ndim < 1:
        raise ValueError(
            f"Argument `y_pred` must be at least rank 1. Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] > 1:
        raise ValueError(
            f"sparse_categorical_crossentropy: the targets have shape {tuple(y_true.shape)}, "
            f"like the model's output {tuple(y_pred.shape)}: they look one-hot encoded. Use "
            "`loss='categorical_crossentropy'` for one-hot targets, or pass integer labels."
        )
    expected = list(y_pred.shape)
    del expected[axis]
    if list(y_true.shape) != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: targets must have shape "
            f"{tuple(expected)} (one label per entry); received {tuple(y_true.shape)} for "
            f"predictions of shape {tuple(y_pred.shape)}."
        )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> torch.Tensor:
    """Crossentropy between integer labels and predicted distributions.

    Args:
        y_true: Integer labels in `[0, classes)`, shape `y_pred.shape` without
            `axis` (or with a size-1 axis there).
        y_pred: Probabilities (or logits with `from_logits=True`).
        from_logits: Whether `y_pred` are logits.
        ignore_class: Optional label (for example -1 or 255) whose entries
            count as 0 and are masked out of the reduction.
        axis: The class axis.

    Returns:
        Values of shape `y_pred.shape` without `axis`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.sparse_categorical_crossentropy(torch.tensor([1, 2]),
    ...     torch.tensor([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    tensor([0.0513, 2.3026])
    """
    y_pred = as_pred(y_pred)
    if not isinstance(y_true, torch.Tensor):
        y_true = torch.as_tensor(y_true)
    y_true = y_true.to(y_pred.device)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = y_true.squeeze(axis)
    _check_sparse_targets(y_true, y_pred, axis)
    logits = y_pred if from_logits else logits_of(y_pred, "softmax", axis)
    if from_logits:
        _warn_probabilities_as_logits(y_pred, "softmax", "sparse_categorical_crossentropy")
    valid_mask = None
    if ignore_class is not None:
        valid_mask = y_true != torch.as_tensor(ignore_class, dtype=y_true.dtype)
        y_true = torch.where(valid_mask, y_true, torch.zeros_like(y_true))
        keep = valid_mask.unsqueeze(axis)
        if logits is not None:
            logits = torch.where(keep, logits, torch.zeros((), dtype=logits.dtype,
                                                          device=logits.device))
        else:
            y_pred = torch.where(keep, y_pred, torch.zeros((), dtype=y_pred.dtype,
                                                          device=y_pred.device))
    labels = y_true.long()
    source = logits if logits is not None else y_pred
    squeeze = source.ndim == 1
    if squeeze:
        source, labels = source.unsqueeze(0), labels.unsqueeze(0)
    elif axis % source.ndim != 1:
        source = source.movedim(axis % source.ndim, 1)
    if logits is not None:
        result = F.cross_entropy(source, labels, reduction="none")
    else:
        result = F.nll_loss(_clipped_log_probabilities(source, 1), labels, reduction="none")
    if squeeze:
        result = result.squeeze(0)
    if valid_mask is not None:
        valid_mask = valid_mask.reshape(result.shape)
        result = torch.where(valid_mask, result, torch.zeros((), dtype=result.dtype,
                                                            device=result.device))
        set_mask(result, valid_mask)
    return result


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Crossentropy between binary targets and predicted probabilities, averaged over `axis`.

    Args:
        y_true: Targets in `{0, 1}` (or probabilities), same shape as `y_pred`.
        y_pred: Probabilities (or logits with `from_logits=True`).
        from_logits: Whether `y_pred` are logits.
        label_smoothing: In `[0, 1]`: squeezes the targets towards 0.5.
        axis: The axis averaged over.

    Returns:
        Values of shape `y_pred.shape` without `axis`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.binary_crossentropy(torch.tensor([[0.0, 1.0], [0.0, 0.0]]),
    ...                                  torch.tensor([[0.6, 0.4], [0.4, 0.6]]))
    tensor([0.9163, 0.7136])
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"binary_crossentropy: targets of shape {tuple(y_true.shape)} do not match the "
            f"model's output shape {tuple(y_pred.shape)}: the shapes must be equal."
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        _warn_probabilities_as_logits(y_pred, "sigmoid", "binary_crossentropy")
        values = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        logits = logits_of(y_pred, "sigmoid")
        if logits is not None:
            values = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
        else:
            output = torch.clip(y_pred, epsilon(), 1.0 - epsilon())
            values = F.binary_cross_entropy(output, y_true, reduction="none")
    return torch.mean(values, dim=axis)


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """Kullback-Leibler divergence: `sum(y_true * log(y_true / y_pred))` over the last axis.

    Both arguments are clipped to `[epsilon, 1]`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.kl_divergence(torch.tensor([[0.5, 0.5]]), torch.tensor([[0.5, 0.5]]))
    tensor([0.])
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    y_true = torch.clip(y_true, epsilon(), 1)
    y_pred = torch.clip(y_pred, epsilon(), 1)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """Poisson loss: mean over the last axis of `y_pred - y_true * log(y_pred + epsilon)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.poisson(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([1.0000])
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + epsilon_like(y_pred)), dim=-1)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> torch.Tensor:
    """Generalized crossentropy `(1 - p ** q) / q`, `p` the probability of the true class.

    Robust to noisy labels (Zhang and Sabuncu, 2018): `q -> 0` approaches the
    crossentropy, `q = 1` the mean absolute error.

    Args:
        y_true: Integer labels, shape `(batch,)` (or `(batch, 1)`).
        y_pred: Probabilities, shape `(batch, classes)`.
        q: In `(0, 1)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.categorical_generalized_cross_entropy(torch.tensor([1]),
    ...     torch.tensor([[0.75, 0.25]]), q=0.5)
    tensor([1.])
    """
    y_pred = as_pred(y_pred)
    if not isinstance(y_true, torch.Tensor):
        y_true = torch.as_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    labels = y_true.to(y_pred.device).long()
    one_hot = F.one_hot(torch.clamp(labels, min=0), y_pred.shape[-1])
    one_hot = torch.where(labels.unsqueeze(-1) >= 0, one_hot, 0).to(y_pred.dtype)
    p = torch.sum(y_pred * one_hot, dim=-1)
    return (1 - torch.pow(p, torch.as_tensor(q))) / q


class _Crossentropy(LossFunctionWrapper):
    """The binary and categorical crossentropy losses: one signature, the function and the
    default name are class attributes."""

    function: Callable
    default_name: str

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(type(self).function, name=name or self.default_name,
                         reduction=reduction, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryCrossentropy(_Crossentropy):
    """Crossentropy for binary (0 or 1) targets. See `binary_crossentropy`.

    Args:
        from_logits: Whether the predictions are logits (default: probabilities).
        label_smoothing: In `[0, 1]`: squeezes the targets towards 0.5.
        axis: The axis averaged over (default -1).
        reduction, name, dtype: See `Loss`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.BinaryCrossentropy(from_logits=True)
    >>> round(float(loss(torch.tensor([[0.0], [1.0]]), torch.tensor([[-20.0], [20.0]]))), 6)
    0.0
    """

    function, default_name = staticmethod(binary_crossentropy), "binary_crossentropy"


class CategoricalCrossentropy(_Crossentropy):
    """Crossentropy for one-hot targets. See `categorical_crossentropy`.

    Args:
        from_logits: Whether the predictions are logits (default: probabilities).
        label_smoothing: In `[0, 1]`: mixes the targets with the uniform distribution.
        axis: The class axis (default -1).
        reduction, name, dtype: See `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.CategoricalCrossentropy()
    >>> round(float(loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))), 4)
    0.6931
    """

    function, default_name = staticmethod(categorical_crossentropy), "categorical_crossentropy"


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer labels. See `sparse_categorical_crossentropy`.

    Args:
        from_logits: Whether the predictions are logits (default: probabilities).
        ignore_class: Optional label whose entries are left out of the loss
            (the mean is over the other entries).
        reduction: See `BinaryCrossentropy`.
        axis: The class axis (default -1).
        name, dtype: See `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.SparseCategoricalCrossentropy()
    >>> round(float(loss(torch.tensor([1, 2]), torch.tensor([[0.05, 0.95, 0.0],
    ...                                                      [0.1, 0.8, 0.1]]))), 3)
    1.177
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class KLDivergence(FunctionLoss):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Args:
        reduction, name, dtype: See `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.losses.KLDivergence()(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]])))
    0.0
    """

    function, default_name = staticmethod(kl_divergence), "kl_divergence"


class Poisson(FunctionLoss):
    """Poisson loss `mean(y_pred - y_true * log(y_pred))`.

    Args:
        reduction, name, dtype: See `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> round(float(keras.losses.Poisson()(torch.ones(2, 1), torch.ones(2, 1))), 4)
    1.0
    """

    function, default_name = staticmethod(poisson), "poisson"


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized crossentropy for integer labels. See `categorical_generalized_cross_entropy`.

    Args:
        q: In `(0, 1)` (default 0.5).
        reduction, name, dtype: See `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.CategoricalGeneralizedCrossEntropy()
    >>> float(loss(torch.tensor([0, 1]), torch.tensor([[0.25, 0.75], [0.75, 0.25]])))
    1.0
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"`q` must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
        self.q = q
