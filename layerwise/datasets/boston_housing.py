"""Boston housing price regression dataset."""

from __future__ import annotations

import numpy as np

from layerwise.datasets import _cache
from layerwise.datasets._npz import load_npz, require_keys
from layerwise.datasets._split import check_test_split, shuffle_split

DATASET = "boston_housing"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(
    path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the Boston Housing dataset.

    This is a dataset taken from the StatLib library which is maintained at
    Carnegie Mellon University. Samples contain 13 attributes of houses in
    the Boston suburbs in the late 1970s; targets are the median values of
    the houses at a location (in k$).

    **WARNING:** This dataset has an ethical problem: the authors included a
    variable, "B", that may appear to assume that racial self-segregation
    influences house prices. We strongly discourage its use outside of
    illustrating ethical issues in data science and machine learning.

    Keras' `boston_housing.npz` is looked for in
    `$LAYERWISE_DATASETS/boston_housing/` (or
    `$LAYERWISE_HOME/datasets/boston_housing/`), then in `~/.keras/datasets/`,
    and downloaded otherwise.

    Args:
        path: File name of the `.npz` in the caches.
        test_split: Fraction of the data reserved as test set.
        seed: Random seed for shuffling the data before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`, `x_test`**: arrays of shape `(num_samples, 13)`.

    **`y_train`, `y_test`**: arrays of shape `(num_samples,)` (prices in k$).

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
    assert x_train.shape == (404, 13)
    ```
    """
    check_test_split(test_split)
    npz = _cache.fetch(
        DATASET,
        _cache.DataFile(path, BASE_URL + "boston_housing.npz", FILE_HASH, keras_paths=(path,)),
    )
    arrays = load_npz(npz)
    require_keys(arrays, ("x", "y"), npz)
    return shuffle_split(arrays["x"], arrays["y"], test_split, seed)
