"""CIFAR10 small images classification dataset."""

from __future__ import annotations

import numpy as np

from layerwise.datasets import _cache, _cifar

DATASET = "cifar10"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_FILE_NAME = "cifar-10-python.tar.gz"
_FOLDER = "cifar-10-batches-py"
_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the CIFAR10 dataset.

    This is a dataset of 50,000 32x32 color training images and 10,000 test
    images, labeled over 10 categories: airplane, automobile, bird, cat,
    deer, dog, frog, horse, ship, truck (labels 0-9 in that order).

    The official `cifar-10-python.tar.gz` is looked for in
    `$LAYERWISE_DATASETS/cifar10/` (or `$LAYERWISE_HOME/datasets/cifar10/`),
    then in Keras' cache (`~/.keras/datasets/cifar-10-batches-py-target_archive`
    or `cifar-10-batches-py.tar.gz`), and downloaded otherwise. The batches
    are read from the tarball with a restricted unpickler.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`**: `uint8` array of shape `(50000, 32, 32, 3)` (channels
    last; `(50000, 3, 32, 32)` if the image data format is channels first).

    **`y_train`**: `uint8` array of labels (0-9) of shape `(50000, 1)`.

    **`x_test`**: `uint8` array of shape `(10000, 32, 32, 3)`.

    **`y_test`**: `uint8` array of labels (0-9) of shape `(10000, 1)`.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (50000, 32, 32, 3)
    assert y_train.shape == (50000, 1)
    ```
    """
    archive = _cache.fetch(
        DATASET,
        _cache.DataFile(
            _FILE_NAME,
            ORIGIN,
            FILE_HASH,
            keras_paths=("cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz"),
        ),
    )
    members = _cifar.read_members(archive, _FOLDER, _BATCHES + ["test_batch"])

    def batch(name: str) -> tuple[np.ndarray, list[int]]:
        return _cifar.load_batch(members[name], source=_cifar.source_name(archive, _FOLDER, name))

    train = [batch(name) for name in _BATCHES]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([np.asarray(y, dtype="uint8") for _, y in train])
    x_test, y_test = batch("test_batch")
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(len(y_test), 1)
    return (_cifar.to_image_format(x_train), y_train), (_cifar.to_image_format(x_test), y_test)
