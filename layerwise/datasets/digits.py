"""Optical recognition of handwritten digits (8x8), embedded in layerwise."""

from __future__ import annotations

import gzip
import os

import numpy as np

from layerwise.datasets._split import check_test_split, shuffle_split

_DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
_NUM_SAMPLES = 1797


def _read_digits() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(_DATA_FILE, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    if table.shape != (_NUM_SAMPLES, 65):
        raise ValueError(f"{_DATA_FILE} is damaged: expected shape (1797, 65), got {table.shape}.")
    return table[:, :64].reshape(-1, 8, 8).copy(), table[:, 64].copy()


def load_data(
    test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the 8x8 handwritten digits dataset (shipped with layerwise).

    1,797 grayscale 8x8 images of the digits 0-9; each pixel counts the "on"
    pixels of a 4x4 block of the original 32x32 bitmap, so values range
    from 0 to 16. This is the test set of the UCI ML hand-written digits
    datasets (E. Alpaydin and C. Kaynak), as distributed by scikit-learn,
    under CC BY 4.0 (see `layerwise/datasets/data/DIGITS_LICENSE.txt`). It
    is embedded in the package: loading it needs no network.

    Args:
        test_split: Fraction of the data reserved as test set.
        seed: Random seed for shuffling the data before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`, `x_test`**: `uint8` arrays of shape `(num_samples, 8, 8)`,
    values 0-16.

    **`y_train`, `y_test`**: `uint8` arrays of digit labels (0-9) of shape
    `(num_samples,)`.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    assert x_train.shape == (1437, 8, 8)
    assert x_test.shape == (360, 8, 8)
    ```
    """
    check_test_split(test_split)
    x, y = _read_digits()
    return shuffle_split(x, y, test_split, seed)
