"""Checks run once at the start of `fit`/`evaluate` (never per step)."""

from __future__ import annotations

import warnings

import torch

from layerwise.losses import SparseCategoricalCrossentropy, sparse_categorical_crossentropy


def check_finite(x, name: str) -> None:
    """Warns if floating inputs contain NaN or infinity."""
    for t in _leaves(x):
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            continue
        # One reduction pass, no temporary copy of the data (a float64 accumulator dtype
        # would convert the whole array first); a non-finite sum (NaN/inf, or a float32
        # overflow of large finite data) only triggers the exact check below.
        accumulate = torch.float32 if t.element_size() < 4 else None
        if bool(torch.isfinite(t.sum(dtype=accumulate))):
            continue
        if not bool(torch.isfinite(t).all()):
            bad = int((~torch.isfinite(t)).sum())
            warnings.warn(
                f"`{name}` contains {bad} NaN or infinite values; the loss will be NaN. Clean "
                "the data (e.g. `np.nan_to_num`) or drop those samples before `fit`.",
                UserWarning, stacklevel=3)


def check_targets(model, y) -> None:
    """Checks integer labels against the output size for sparse losses."""
    if y is None or not isinstance(y, torch.Tensor) or model._compile_loss is None:
        return
    identifier = model._compile_loss.identifier
    is_sparse = identifier in ("sparse_categorical_crossentropy",
                               sparse_categorical_crossentropy) or isinstance(
        identifier, SparseCategoricalCrossentropy)
    if not is_sparse:
        return
    try:
        classes = model.output_shape[-1]
    except (AttributeError, ValueError, TypeError, NotImplementedError):
        return
    if not isinstance(classes, int) or y.numel() == 0:
        return
    if y.is_floating_point() and not bool(torch.all(y == torch.round(y))):
        raise ValueError(
            "sparse_categorical_crossentropy expects integer class labels in `y`; received "
            "non-integer values. For one-hot or probability targets use "
            "`loss='categorical_crossentropy'`."
        )
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"Received a label value of {bad} in `y`, outside the valid range [0, {classes}) "
            f"of sparse_categorical_crossentropy: the model's output has {classes} units. "
            f"Check the labels, or give the last layer {high + 1} units."
        )


def _leaves(x) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _leaves(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _leaves(v)]
    return [x]
