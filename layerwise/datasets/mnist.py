"""MNIST handwritten digits dataset."""

from __future__ import annotations

import os

import numpy as np

from layerwise.datasets import _cache
from layerwise.datasets._idx import read_idx
from layerwise.datasets._npz import load_npz, require_keys
from layerwise.utils.file_utils import DownloadError

DATASET = "mnist"
# Official IDX files (mirror of yann.lecun.com kept by the CVDF).
BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
# Keras' single-file copy, used when the IDX files cannot be had.
NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPZ_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# Published checksums of the official `.gz` files (sha256).
FILE_HASHES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
_ORDER = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def _idx_files() -> list[_cache.DataFile]:
    return [_cache.DataFile(name, BASE_URL + name, FILE_HASHES[name]) for name in _ORDER]


def _npz_file(path: str) -> _cache.DataFile:
    return _cache.DataFile(path, NPZ_URL, NPZ_HASH, keras_paths=(path,))


def _from_idx(paths: list[str]) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]:
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    for x, y, px in ((x_train, y_train, paths[0]), (x_test, y_test, paths[2])):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y) or x.dtype != np.uint8:
            raise ValueError(
                f"{px} and its label file do not hold matching uint8 images and labels "
                f"(shapes {x.shape} and {y.shape})."
            )
    return (x_train, y_train), (x_test, y_test)


def _from_npz(path: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    arrays = load_npz(path)
    require_keys(arrays, ("x_train", "y_train", "x_test", "y_test"), path)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_data(
    path: str = "mnist.npz",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the MNIST dataset.

    This is a dataset of 60,000 28x28 grayscale images of the 10 digits,
    along with a test set of 10,000 images.

    The four official IDX files (`train-images-idx3-ubyte.gz`, ...) are
    looked for in `$LAYERWISE_DATASETS/mnist/` (or
    `$LAYERWISE_HOME/datasets/mnist/`); if they are not all there, Keras'
    `~/.keras/datasets/mnist.npz` is used when present; otherwise the IDX
    files are downloaded (and, failing that, Keras' `mnist.npz`). Every file
    is checked against its published checksum.

    Args:
        path: File name of Keras' single-file copy (`mnist.npz`), looked for
            in `~/.keras/datasets/` and the layerwise dataset folder.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`**: `uint8` array of shape `(60000, 28, 28)`, pixel values 0-255.

    **`y_train`**: `uint8` array of digit labels (0-9) of shape `(60000,)`.

    **`x_test`**: `uint8` array of shape `(10000, 28, 28)`.

    **`y_test`**: `uint8` array of shape `(10000,)`.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    assert y_test.shape == (10000,)
    ```

    License:
        Yann LeCun and Corinna Cortes hold the copyright of MNIST, a
        derivative of the NIST datasets, made available under the terms of the
        Creative Commons Attribution-Share Alike 3.0 license.
    """
    idx_files = _idx_files()
    local_idx = [_cache.find_local(DATASET, f) for f in idx_files]
    if all(p is not None for p in local_idx):
        return _from_idx(local_idx)
    npz = _npz_file(path)
    local_npz = _cache.find_local(DATASET, npz)
    if local_npz is not None:
        return _from_npz(local_npz)
    try:
        return _from_idx(
            [p or _cache.fetch(DATASET, f) for p, f in zip(local_idx, idx_files, strict=True)]
        )
    except DownloadError as idx_error:
        try:
            return _from_npz(_cache.fetch(DATASET, npz))
        except DownloadError as npz_error:
            raise DownloadError(
                "Could not find or download MNIST.\n"
                f"- {idx_error}\n- {npz_error}\n"
                "Place either the four IDX files "
                f"({', '.join(_ORDER)}) in {os.path.dirname(_cache.download_path(DATASET, npz))}"
                f" or Keras' {path} at {_cache.download_path(DATASET, npz)}."
            ) from npz_error
