"""Small standard datasets (`keras.datasets`), with verified local caching.

Each module's `load_data()` returns the same arrays as its Keras namesake.
Files are looked for in `$LAYERWISE_DATASETS/<name>/` (or
`$LAYERWISE_HOME/datasets/<name>/`), then in Keras' `~/.keras/datasets/`,
and downloaded otherwise; see `docs/datasets.md`. `digits` is embedded.
"""

from layerwise.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
