"""Loss functions (per-sample values) and their `Loss` classes, with Keras 3 formulas.

Crossentropies on softmax/sigmoid outputs work from the logits the activation
remembered (`_keras_logits`), which is the stable formula and the fast one;
the values match Keras wherever Keras' clipped formula is finite.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import epsilon
from layerwise.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _logits_of(y_pred):
    return getattr(y_pred, "_keras_logits", None)


def _regression_pair(y_true, y_pred):
    y_pred = torch.as_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    y_true = torch.as_tensor(y_true, device=y_pred.device)
    if y_true.dtype != y_pred.dtype:
        y_true = y_true.to(y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Mean over the last axis of `(y_true - y_pred) ** 2`."""
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean over the last axis of `|y_true - y_pred|`."""
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


def _check_categorical_targets(y_true, y_pred, loss_name):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] != y_pred.shape[-1]:
        if y_true.shape[-1] == 1:
            raise ValueError(
                f"{loss_name}: the targets have shape {tuple(y_true.shape)} (one integer label "
                f"per sample) but the model outputs {tuple(y_pred.shape)}. Use "
                "`loss='sparse_categorical_crossentropy'` for integer labels, or one-hot "
                "encode them with `keras.utils.to_categorical`."
            )
        raise ValueError(
            f"{loss_name}: targets of shape {tuple(y_true.shape)} do not match the model's "
            f"output shape {tuple(y_pred.shape)}: the last axes must be equal."
        )
    if y_true.ndim == y_pred.ndim - 1:
        raise ValueError(
            f"{loss_name}: the targets have shape {tuple(y_true.shape)} (integer labels) but "
            f"the model outputs {tuple(y_pred.shape)}. Use "
            "`loss='sparse_categorical_crossentropy'` for integer labels, or one-hot encode "
            "them with `keras.utils.to_categorical`."
        )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or probability) targets and predicted distributions.

    Args:
        y_true: One-hot targets, shape `(batch, classes)`.
        y_pred: Probabilities (or logits with `from_logits=True`).
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Mixes the targets with the uniform distribution.
        axis: The class axis.
    """
    _check_categorical_targets(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    logits = y_pred if from_logits else _logits_of(y_pred)
    if logits is not None:
        log_prob = torch.log_softmax(logits, dim=axis)
    else:
        y_pred = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(y_pred, epsilon(), 1.0 - epsilon()))
    return -torch.sum(y_true * log_prob, dim=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Crossentropy between integer labels and predicted distributions.

    Args:
        y_true: Integer labels in `[0, classes)`, shape `(batch,)` or `(batch, 1)`.
        y_pred: Probabilities (or logits with `from_logits=True`), `(batch, classes)`.
        from_logits: Whether `y_pred` are logits.
        ignore_class: Optional label whose samples contribute 0.
        axis: The class axis.
    """
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_true.ndim == y_pred.ndim:
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
            f"{tuple(expected)} (one label per sample); received {tuple(y_true.shape)} for "
            f"predictions of shape {tuple(y_pred.shape)}."
        )
    labels = y_true.long()
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = torch.where(valid, labels, torch.zeros_like(labels))
    logits = y_pred if from_logits else _logits_of(y_pred)
    if logits is not None:
        log_prob = torch.log_softmax(logits, dim=axis)
    else:
        y_pred = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(y_pred, epsilon(), 1.0 - epsilon()))
    values = -torch.gather(log_prob, axis, labels.unsqueeze(axis)).squeeze(axis)
    if valid is not None:
        values = values * valid.to(values.dtype)
    return values


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between binary targets and predicted probabilities, averaged over `axis`.

    Args:
        y_true: Targets in `{0, 1}` (or probabilities).
        y_pred: Probabilities (or logits with `from_logits=True`).
        from_logits: Whether `y_pred` are logits.
        label_smoothing: Squeezes the targets towards 0.5.
        axis: The axis averaged over.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"binary_crossentropy: targets of shape {tuple(y_true.shape)} do not match the "
            f"model's output shape {tuple(y_pred.shape)}."
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred)
    if logits is not None:
        values = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        y_pred = torch.clamp(y_pred, epsilon(), 1.0 - epsilon())
        values = F.binary_cross_entropy(y_pred, y_true, reduction="none")
    return torch.mean(values, dim=axis)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors over the last axis, reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors over the last axis, reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot targets. See `categorical_crossentropy`."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer labels. See `sparse_categorical_crossentropy`."""

    def __init__(self, from_logits=False, ignore_class=None, axis=-1,
                 reduction="sum_over_batch_size", name="sparse_categorical_crossentropy",
                 dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)

    def call(self, y_true, y_pred):
        # Integer labels keep their own rank: no squeeze/expand against y_pred.
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy for binary targets. See `binary_crossentropy`."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
