"""Sequence post-processing shared by `imdb` and `reuters` (same as Keras)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_sequences(array: np.ndarray, where: str) -> None:
    """Checks that an object array holds lists of ints (what Keras' npz files hold)."""
    for seq in array[:1]:
        if not isinstance(seq, (list, np.ndarray)) or not all(
            isinstance(w, (int, np.integer)) for w in seq
        ):
            raise ValueError(f"{where} does not hold sequences of word indices.")


def remove_long_seq(maxlen: int, seq: Sequence, label: Sequence) -> tuple[list, list]:
    """Keeps the sequences (and their labels) shorter than `maxlen`."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label, strict=True):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def shift_indices(xs: Sequence, start_char: int | None, index_from: int) -> list[list[int]]:
    """Adds `index_from` to every word index and prepends `start_char`."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def limit_vocabulary(
    xs: list[list[int]], num_words: int | None, skip_top: int, oov_char: int | None
) -> list[list[int]]:
    """Replaces (or drops, if `oov_char` is None) words outside `[skip_top, num_words)`."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def to_object_array(xs: list[list[int]]) -> np.ndarray:
    """Builds a 1-D object array of lists, as Keras returns (even if lengths are equal)."""
    out = np.empty(len(xs), dtype="object")
    out[:] = xs
    return out
