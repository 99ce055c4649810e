"""`to_categorical` and `normalize`."""

from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """Converts integer class labels to one-hot rows.

    Args:
        x: Integer labels (any shape; a trailing axis of size 1 is dropped).
        num_classes: Number of classes (default `max(x) + 1`).

    Returns:
        A float array of shape `(*x.shape, num_classes)`.

    Example:

    >>> from layerwise.utils import to_categorical
    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    x = np.asarray(x)
    if hasattr(x, "numpy"):
        x = x.numpy()
    if x.size and not np.all(np.equal(np.mod(x, 1), 0)):
        raise ValueError("`to_categorical` expects integer labels; received non-integer values.")
    x = x.astype("int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = input_shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"`to_categorical`: labels must be in [0, {num_classes}); received values from "
            f"{x.min()} to {x.max()}. Pass a larger `num_classes` or fix the labels."
        )
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scales `x` to unit `order`-norm along `axis` (zero vectors stay zero).

    Example:

    >>> from layerwise.utils import normalize
    >>> normalize([[3.0, 4.0]])
    array([[0.6, 0.8]])
    """
    x = np.asarray(x, dtype="float64") if not hasattr(x, "dtype") else np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
