"""Focal cross-entropies (binary and categorical), with Keras 3's formulas."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.activations.logits import logits_of
from layerwise.backend.config import epsilon
from layerwise.losses._utils import as_pred, cast_like
from layerwise.losses.loss import LossFunctionWrapper
from layerwise.losses.probabilistic import _categorical_inputs


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> torch.Tensor:
    """Binary crossentropy scaled by `(1 - p_t) ** gamma`, which down-weights easy examples.

    `p_t` is the predicted probability of the true class (Lin et al., 2018).

    Args:
        y_true: Targets in `{0, 1}`, same shape as `y_pred`.
        y_pred: Probabilities (or logits with `from_logits=True`).
        apply_class_balancing: Whether to weigh class 1 by `alpha` and class 0
            by `1 - alpha`.
        alpha: The class-balancing weight of class 1.
        gamma: The focusing parameter (0 gives the binary crossentropy).
        from_logits, label_smoothing, axis: See `binary_crossentropy`.

    Returns:
        Values of shape `y_pred.shape` without `axis`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.binary_focal_crossentropy(torch.tensor([[0.0, 1.0], [0.0, 0.0]]),
    ...     torch.tensor([[0.6, 0.4], [0.4, 0.6]]), gamma=2.0)
    tensor([0.3299, 0.2058])
    """
    y_pred = as_pred(y_pred)
    y_true = cast_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        logits = y_pred
        y_pred = torch.sigmoid(y_pred)
    else:
        logits = logits_of(y_pred, "sigmoid")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"binary_focal_crossentropy: targets of shape {tuple(y_true.shape)} do not match "
            f"the model's output shape {tuple(y_pred.shape)}: the shapes must be equal."
        )
    if logits is not None:
        bce = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        output = torch.clip(y_pred, epsilon(), 1.0 - epsilon())
        bce = F.binary_cross_entropy(output, y_true, reduction="none")
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_factor = torch.pow(1.0 - p_t, torch.as_tensor(gamma))
    focal_bce = focal_factor * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1 - y_true) * (1 - alpha)
        focal_bce = weight * focal_bce
    return torch.mean(focal_bce, dim=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy with each class term scaled by `alpha * (1 - p) ** gamma`.

    Args:
        y_true: One-hot targets, shape `(batch, ..., classes)`.
        y_pred: Probabilities (or logits with `from_logits=True`), same shape.
        alpha: A weight for all classes (a scalar, or one weight per class).
        gamma: The focusing parameter (0 gives `alpha` times the crossentropy).
        from_logits: Whether `y_pred` are logits.
        label_smoothing: In `[0, 1]`: mixes the targets with the uniform distribution.
        axis: The class axis.

    Returns:
        Values of shape `y_pred.shape` without `axis`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.losses.categorical_focal_crossentropy(
    ...     torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    ...     torch.tensor([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]))
    tensor([2.6340e-04, 6.7591e-01])
    """
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis,
                                         "categorical_focal_crossentropy")
    if from_logits:
        logits = y_pred
        y_pred = torch.softmax(y_pred, dim=axis)
    else:
        logits = logits_of(y_pred, "softmax", axis)
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = torch.clip(output, epsilon(), 1.0 - epsilon())
    log_output = torch.log_softmax(logits, dim=axis) if logits is not None else torch.log(output)
    cce = -y_true * log_output
    modulating_factor = torch.pow(1.0 - output, torch.as_tensor(gamma))
    weighting_factor = torch.multiply(modulating_factor,
                                      torch.as_tensor(alpha, dtype=output.dtype,
                                                      device=output.device))
    return torch.sum(torch.multiply(weighting_factor, cce), dim=axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal crossentropy for binary targets. See `binary_focal_crossentropy`.

    Args:
        apply_class_balancing: Whether to weigh the classes by `alpha`/`1 - alpha`.
        alpha: The class-balancing weight of class 1 (default 0.25).
        gamma: The focusing parameter (default 2).
        from_logits, label_smoothing, axis, reduction, name, dtype: See
            `BinaryCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.BinaryFocalCrossentropy(gamma=2.0)
    >>> round(float(loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.6, 0.4]]))), 4)
    0.3299
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal crossentropy for one-hot targets. See `categorical_focal_crossentropy`.

    Args:
        alpha: A weight for all classes (scalar or one per class; default 0.25).
        gamma: The focusing parameter (default 2).
        from_logits, label_smoothing, axis, reduction, name, dtype: See
            `CategoricalCrossentropy`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.CategoricalFocalCrossentropy()
    >>> round(float(loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))), 4)
    0.0433
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma
