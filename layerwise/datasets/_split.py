"""Seeded shuffle and train/test split shared by the tabular datasets (as Keras)."""

from __future__ import annotations

import numpy as np


def check_test_split(test_split: float) -> None:
    """Raises `ValueError` unless `0 <= test_split < 1`."""
    if not (0 <= test_split < 1):
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. "
            "It must be between 0 and 1 (exclusive of 1)."
        )


def shuffle_split(
    x: np.ndarray, y: np.ndarray, test_split: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffles `x`, `y` with `np.random.RandomState(seed)`, then splits them."""
    check_test_split(test_split)
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    idx = int(len(x) * (1 - test_split))
    return (np.array(x[:idx]), np.array(y[:idx])), (np.array(x[idx:]), np.array(y[idx:]))
