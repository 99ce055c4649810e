"""IMDB sentiment classification dataset."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from layerwise.datasets import _cache, _sequences
from layerwise.datasets._npz import load_npz, require_keys

DATASET = "imdb"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
NPZ_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the [IMDB dataset](https://ai.stanford.edu/~amaas/data/sentiment/).

    This is a dataset of 25,000 movie reviews from IMDB, labeled by sentiment
    (positive/negative). Each review is encoded as a list of word indexes,
    words being indexed by overall frequency in the dataset (the integer 3
    encodes the 3rd most frequent word). `0` is reserved for padding.

    Keras' `imdb.npz` is looked for in `$LAYERWISE_DATASETS/imdb/` (or
    `$LAYERWISE_HOME/datasets/imdb/`), then in `~/.keras/datasets/`, and
    downloaded otherwise. Its ragged sequences are object arrays; they are
    read with a restricted unpickler that only rebuilds lists, ints and numpy
    arrays (never `np.load(allow_pickle=True)`).

    Args:
        path: File name of the `.npz` in the caches.
        num_words: Keep only the `num_words` most frequent words; rarer words
            become `oov_char`. `None` keeps all words.
        skip_top: Skip the `skip_top` most frequent words (they become
            `oov_char`).
        maxlen: Drop the sequences of `maxlen` words or more. `None` keeps all.
        seed: Seed for the reproducible shuffling.
        start_char: Index marking the start of each sequence (`None`: none).
        oov_char: Index replacing the cut-out words (`None`: drop them).
        index_from: Offset added to every word index.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

    **`x_train`, `x_test`**: 1-D object arrays of sequences (lists of ints).

    **`y_train`, `y_test`**: integer label arrays (1 or 0).

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=10000)
    assert len(x_train) == 25000
    ```
    """
    npz = _cache.fetch(
        DATASET, _cache.DataFile(path, BASE_URL + "imdb.npz", NPZ_HASH, keras_paths=(path,))
    )
    arrays = load_npz(npz, allow_object_arrays=True)
    require_keys(arrays, ("x_train", "y_train", "x_test", "y_test"), npz)
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]
    _sequences.check_sequences(x_train, f"{npz}:x_train")
    _sequences.check_sequences(x_test, f"{npz}:x_test")

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = _sequences.shift_indices(x_train, start_char, index_from)
    x_test = _sequences.shift_indices(x_test, start_char, index_from)

    if maxlen:
        x_train, labels_train = _sequences.remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = _sequences.remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, "
                "no sequence was kept. Increase maxlen."
            )

    xs = _sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    x_train, y_train = _sequences.to_object_array(xs[:idx]), labels[:idx]
    x_test, y_test = _sequences.to_object_array(xs[idx:]), labels[idx:]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, Any]:
    """Retrieves a dict mapping words to their index in the IMDB dataset.

    The file is looked for in the same caches as `load_data`, and verified.

    Args:
        path: File name of the word index in the caches.

    Returns:
        The word index dictionary: keys are words, values are their index
        (before the `index_from` offset of `load_data`).

    Example:

    ```python
    start_char, oov_char, index_from = 1, 2, 3
    (x_train, _), _ = keras.datasets.imdb.load_data(
        start_char=start_char, oov_char=oov_char, index_from=index_from
    )
    word_index = keras.datasets.imdb.get_word_index()
    inverted = {i + index_from: word for word, i in word_index.items()}
    inverted[start_char], inverted[oov_char] = "[START]", "[OOV]"
    decoded = " ".join(inverted[i] for i in x_train[0])
    ```
    """
    fpath = _cache.fetch(
        DATASET,
        _cache.DataFile(
            path, BASE_URL + "imdb_word_index.json", WORD_INDEX_HASH, keras_paths=(path,)
        ),
    )
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)
