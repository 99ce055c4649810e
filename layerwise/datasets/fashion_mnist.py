"""Fashion-MNIST dataset."""

from __future__ import annotations

import numpy as np

from layerwise.datasets import _cache
from layerwise.datasets._idx import read_idx

DATASET = "fashion_mnist"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Published checksums of the official files (Zalando's md5 for the images,
# sha256 for the labels).
FILE_HASHES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
}
_ORDER = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the Fashion-MNIST dataset.

    This is a dataset of 60,000 28x28 grayscale images of 10 fashion
    categories, along with a test set of 10,000 images. This dataset can be
    used as a drop-in replacement for MNIST.

    The classes are:

    | Label | Description |
    |:-----:|-------------|
    |   0   | T-shirt/top |
    |   1   | Trouser     |
    |   2   | Pullover    |
    |   3   | Dress       |
    |   4   | Coat        |
    |   5   | Sandal      |
    |   6   | Shirt       |
    |   7   | Sneaker     |
    |   8   | Bag         |
    |   9   | Ankle boot  |

    Each of the four IDX files is looked for in
    `$LAYERWISE_DATASETS/fashion_mnist/` (or
    `$LAYERWISE_HOME/datasets/fashion_mnist/`), then in Keras' cache
    `~/.keras/datasets/fashion-mnist/`, and downloaded otherwise.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`**: `uint8` array of shape `(60000, 28, 28)`.

    **`y_train`**: `uint8` array of labels (0-9) of shape `(60000,)`.

    **`x_test`**: `uint8` array of shape `(10000, 28, 28)`.

    **`y_test`**: `uint8` array of labels (0-9) of shape `(10000,)`.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    assert y_test.shape == (10000,)
    ```

    License:
        The copyright for Fashion-MNIST is held by Zalando SE. Fashion-MNIST
        is licensed under the MIT license.
    """
    paths = {
        name: _cache.fetch(
            DATASET,
            _cache.DataFile(
                name, BASE_URL + name, FILE_HASHES[name], keras_paths=(f"fashion-mnist/{name}",)
            ),
        )
        for name in _ORDER
    }
    y_train = read_idx(paths["train-labels-idx1-ubyte.gz"])
    x_train = read_idx(paths["train-images-idx3-ubyte.gz"])
    y_test = read_idx(paths["t10k-labels-idx1-ubyte.gz"])
    x_test = read_idx(paths["t10k-images-idx3-ubyte.gz"])
    for x, y, name in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y) or x.dtype != np.uint8:
            raise ValueError(
                f"The Fashion-MNIST {name} image and label files do not match "
                f"(shapes {x.shape} and {y.shape})."
            )
    return (x_train, y_train), (x_test, y_test)
