"""Reuters topic classification dataset."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from layerwise.datasets import _cache, _sequences
from layerwise.datasets._npz import load_npz, require_keys
from layerwise.datasets._split import check_test_split

DATASET = "reuters"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
NPZ_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
    "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal",
    "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the Reuters newswire classification dataset.

    This is a dataset of 11,228 newswires from Reuters, labeled over 46
    topics. Each newswire is encoded as a list of word indexes, words being
    indexed by overall frequency in the dataset. `0` encodes unknown words.

    Keras' `reuters.npz` is looked for in `$LAYERWISE_DATASETS/reuters/` (or
    `$LAYERWISE_HOME/datasets/reuters/`), then in `~/.keras/datasets/`, and
    downloaded otherwise. Its object arrays are read with a restricted
    unpickler (lists, ints and numpy arrays only).

    Args:
        path: File name of the `.npz` in the caches.
        num_words: Keep only the `num_words` most frequent words; rarer words
            become `oov_char`. `None` keeps all words.
        skip_top: Skip the `skip_top` most frequent words (they become
            `oov_char`).
        maxlen: Drop the sequences of `maxlen` words or more. `None` keeps all.
        test_split: Fraction of the data used as test data (default `0.2`).
        seed: Seed for the reproducible shuffling.
        start_char: Index marking the start of each sequence (`None`: none).
        oov_char: Index replacing the cut-out words (`None`: drop them).
        index_from: Offset added to every word index.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`, `x_test`**: 1-D object arrays of sequences (lists of ints).

    **`y_train`, `y_test`**: integer topic labels (0-45).

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.reuters.load_data(num_words=10000)
    ```
    """
    check_test_split(test_split)
    npz = _cache.fetch(
        DATASET, _cache.DataFile(path, BASE_URL + "reuters.npz", NPZ_HASH, keras_paths=(path,))
    )
    arrays = load_npz(npz, allow_object_arrays=True)
    require_keys(arrays, ("x", "y"), npz)
    xs, labels = arrays["x"], arrays["y"]
    _sequences.check_sequences(xs, f"{npz}:x")

    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = xs[indices], labels[indices]

    xs = _sequences.shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = _sequences.remove_long_seq(maxlen, xs, labels)
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = _sequences.to_object_array(xs[:idx]), np.array(labels[:idx])
    x_test, y_test = _sequences.to_object_array(xs[idx:]), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, Any]:
    """Retrieves a dict mapping words to their index in the Reuters dataset.

    Actual word indices start from 3, with 3 indices reserved for 0
    (padding), 1 (start) and 2 (oov): the index of "the" is 1 here but
    1 + 3 = 4 in the data of `load_data`.

    Args:
        path: File name of the word index in the caches.

    Returns:
        The word index dictionary: keys are words, values are their index.

    Example:

    ```python
    word_index = keras.datasets.reuters.get_word_index()
    ```
    """
    fpath = _cache.fetch(
        DATASET,
        _cache.DataFile(
            path, BASE_URL + "reuters_word_index.json", WORD_INDEX_HASH, keras_paths=(path,)
        ),
    )
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)


def get_label_names() -> tuple[str, ...]:
    """Returns the 46 topic names, indexed like the labels of `load_data`.

    Returns:
        A tuple of strings, e.g. `get_label_names()[3] == "earn"`.

    Example:

    ```python
    names = keras.datasets.reuters.get_label_names()
    assert len(names) == 46
    ```
    """
    return _LABEL_NAMES
