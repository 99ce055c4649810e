"""Turns the label and score arrays users have into what the report functions need.

Accepted forms: class indices (or any sortable labels) `(n,)`, one-hot or
probability rows `(n, k)` (reduced with `argmax`), a single sigmoid column
`(n, 1)` or 1-D probabilities (thresholded at 0.5), and torch tensors.
"""

from __future__ import annotations

import warnings

import numpy as np


class UndefinedMetricWarning(UserWarning):
    """A score is ill-defined (a division by zero); it was set to `zero_division`."""


def to_numpy(x, name: str) -> np.ndarray:
    """`x` as a NumPy array (tensors are detached and moved to the CPU)."""
    if x is None:
        raise ValueError(f"`{name}` is required, received None.")
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _integral(x: np.ndarray) -> bool:
    return x.dtype.kind in "iub" or (
        x.dtype.kind == "f" and x.size > 0 and bool(np.all(np.isfinite(x)))
        and bool(np.all(x == np.round(x))))


def as_labels(y, name: str) -> np.ndarray:
    """Class labels `(n,)` from indices, one-hot / probability rows or sigmoid outputs."""
    y = to_numpy(y, name)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"`{name}` must be class indices of shape (n,), one-hot or probability rows of "
            f"shape (n, classes), received an array of shape {y.shape}. Pass the labels or "
            "the model's output rows.")
    if y.dtype.kind == "f":
        if _integral(y):
            return y.astype(np.int64)
        return (y > 0.5).astype(np.int64)
    return y


def is_one_hot(y: np.ndarray) -> bool:
    """True for `(n, k>1)` rows with a single 1 and zeros elsewhere."""
    return (y.ndim == 2 and y.shape[1] > 1 and bool(np.all((y == 0) | (y == 1)))
            and bool(np.all(y.sum(axis=1) == 1)))


def check_lengths(**arrays) -> None:
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"`{k}`: {n}" for k, n in lengths.items())
        raise ValueError(f"The inputs must have the same number of samples, received {shown}.")


def weights_or_none(sample_weight, n: int):
    if sample_weight is None:
        return None
    w = to_numpy(sample_weight, "sample_weight")
    if w.ndim != 1 or len(w) != n:
        raise ValueError(
            f"`sample_weight` must have shape ({n},), received shape {w.shape}.")
    return w


def zero_division_value(zero_division) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool) \
            and zero_division in (0, 1):
        return float(zero_division)
    if isinstance(zero_division, float) and np.isnan(zero_division):
        return float("nan")
    raise ValueError(
        f"`zero_division` must be 'warn', 0.0, 1.0 or np.nan, received {zero_division!r}.")


def divide(num, den, zero_division, what: str, modifier: str, average, warn: bool) -> np.ndarray:
    """`num / den`, with `zero_division` where `den == 0` (scikit-learn's `_prf_divide`)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    mask = den == 0
    result = num / np.where(mask, 1.0, den)
    if not mask.any():
        return result
    result[mask] = zero_division_value(zero_division)
    if warn and isinstance(zero_division, str) and zero_division == "warn":
        where = "due to" if result.shape[0] == 1 else "in labels with"
        warnings.warn(
            f"{what} is ill-defined and being set to 0.0 {where} no {modifier} samples. "
            "Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning, stacklevel=4)
    return result
