"""CIFAR100 small images classification dataset."""

from __future__ import annotations

import numpy as np

from layerwise.datasets import _cache, _cifar

DATASET = "cifar100"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
_FILE_NAME = "cifar-100-python.tar.gz"
_FOLDER = "cifar-100-python"


def load_data(
    label_mode: str = "fine",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the CIFAR100 dataset.

    This is a dataset of 50,000 32x32 color training images and 10,000 test
    images, labeled over 100 fine-grained classes that are grouped into 20
    coarse-grained classes.

    The official `cifar-100-python.tar.gz` is looked for in
    `$LAYERWISE_DATASETS/cifar100/` (or `$LAYERWISE_HOME/datasets/cifar100/`),
    then in Keras' cache (`~/.keras/datasets/cifar-100-python-target_archive`
    or `cifar-100-python.tar.gz`), and downloaded otherwise.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`**: `uint8` array of shape `(50000, 32, 32, 3)` (channels
    last; `(50000, 3, 32, 32)` if the image data format is channels first).

    **`y_train`**: `int64` array of labels of shape `(50000, 1)` (0-99 for
    `"fine"`, 0-19 for `"coarse"`; `int64` as in Keras).

    **`x_test`**: `uint8` array of shape `(10000, 32, 32, 3)`.

    **`y_test`**: `int64` array of labels of shape `(10000, 1)`.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data()
    assert x_train.shape == (50000, 32, 32, 3)
    assert y_train.shape == (50000, 1)
    ```
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of "fine", "coarse". Received: label_mode={label_mode!r}.'
        )
    archive = _cache.fetch(
        DATASET,
        _cache.DataFile(
            _FILE_NAME,
            ORIGIN,
            FILE_HASH,
            keras_paths=("cifar-100-python-target_archive", "cifar-100-python.tar.gz"),
        ),
    )
    members = _cifar.read_members(archive, _FOLDER, ["train", "test"])
    key = f"{label_mode}_labels"
    out = []
    for name in ("train", "test"):
        source = _cifar.source_name(archive, _FOLDER, name)
        x, y = _cifar.load_batch(members[name], label_key=key, source=source)
        out.append((_cifar.to_image_format(x), np.asarray(y, dtype="int64").reshape(len(y), 1)))
    return out[0], out[1]
