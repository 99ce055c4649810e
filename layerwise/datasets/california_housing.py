"""California housing price regression dataset."""

from __future__ import annotations

import numpy as np

from layerwise.datasets import _cache
from layerwise.datasets._npz import load_npz, require_keys
from layerwise.datasets._split import check_test_split, shuffle_split

DATASET = "california_housing"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the California Housing dataset.

    A continuous regression dataset from the StatLib repository, derived from
    the 1990 U.S. census: 20,640 block groups with 8 features each (MedInc,
    HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude).
    The target is the median house value of the block group, in dollars.

    Keras' `california_housing.npz` is looked for in
    `$LAYERWISE_DATASETS/california_housing/` (or
    `$LAYERWISE_HOME/datasets/california_housing/`), then in
    `~/.keras/datasets/`, and downloaded otherwise.

    Args:
        version: `"large"` (all 20,640 samples) or `"small"` (the first 600,
            an approximate replacement for `boston_housing`).
        path: File name of the `.npz` in the caches.
        test_split: Fraction of the data reserved as test set.
        seed: Random seed for shuffling the data before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`, `x_test`**: arrays of shape `(num_samples, 8)`.

    **`y_train`, `y_test`**: arrays of shape `(num_samples,)` (dollars).

    Example:

    ```python
    (x_train, y_train), _ = keras.datasets.california_housing.load_data("small")
    assert x_train.shape == (480, 8)
    ```
    """
    check_test_split(test_split)
    if version not in ("large", "small"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version!r}"
        )
    npz = _cache.fetch(
        DATASET,
        _cache.DataFile(path, BASE_URL + "california_housing.npz", FILE_HASH, keras_paths=(path,)),
    )
    arrays = load_npz(npz)
    require_keys(arrays, ("x", "y"), npz)
    x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(x, y, test_split, seed)
