"""Keras 2 `keras.preprocessing.sequence`: `pad_sequences`, `skipgrams`,
`make_sampling_table`, `TimeseriesGenerator` (ports of Keras 2.15's code)."""

from __future__ import annotations

import json
import random

import numpy as np

from layerwise.utils.py_dataset import PyDataset
from layerwise.utils.sequence_utils import pad_sequences as pad_sequences


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Word-rank sampling probabilities for `skipgrams` (Zipf approximation, as word2vec).

    `table[i]` is the probability of sampling the i-th most frequent word.

    Example:

    >>> make_sampling_table(4).round(4).tolist()
    [0.0032, 0.0032, 0.0055, 0.0074]
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size: int, window_size: int = 4,
              negative_samples: float = 1.0, shuffle: bool = True, categorical: bool = False,
              sampling_table=None, seed=None):
    """Generates skipgram word pairs `([[w, context], ...], labels)`.

    Positive pairs are words within `window_size`; `negative_samples` times as
    many negative pairs pair a word with a random index in `[1, vocabulary_size)`.
    Index 0 is skipped. Randomness comes from Python's `random` module, as in Keras 2.

    Example:

    >>> couples, labels = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0,
    ...                             shuffle=False)
    >>> couples, labels
    ([[1, 2], [2, 1], [2, 3], [3, 2]], [1, 1, 1, 1])
    """
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i:
                wj = sequence[j]
                if not wj:
                    continue
                couples.append([wi, wj])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(num_negative)]
        labels += ([[1, 0]] if categorical else [0]) * num_negative
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


class TimeseriesGenerator(PyDataset):
    """Batches of temporal windows `(samples, targets)` from a series (Keras 2).

    Args:
        data: Indexable series (list or array), first axis time.
        targets: Targets aligned with `data` (same length).
        length: Length of the output windows (in steps before sampling).
        sampling_rate: Period between successive steps within a window.
        stride: Period between successive windows.
        start_index, end_index: Data range used (`end_index` inclusive).
        shuffle: Draw window ends at random (`np.random`).
        reverse: Windows in reverse time order.
        batch_size: Windows per batch.

    The window ending before row `r` is `data[r - length:r:sampling_rate]`, its
    target `targets[r]`.

    Example:

    >>> import numpy as np
    >>> gen = TimeseriesGenerator(np.arange(10), np.arange(10), length=3, batch_size=2)
    >>> len(gen), gen[0][0].tolist(), gen[0][1].tolist()
    (4, [[0, 1, 2], [1, 2, 3]], [3, 4])
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128):
        super().__init__()
        if len(data) != len(targets):
            raise ValueError(
                f"Data and targets have to be of same length. Data length is {len(data)} "
                f"while target length is {len(targets)}")
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"`start_index+length={self.start_index} > end_index={self.end_index}` is "
                "disallowed, as no part of the sequence would be left to be used as current "
                "step.")

    def __len__(self) -> int:
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self) -> dict:
        def serializable(x):
            return x.tolist() if isinstance(x, np.ndarray) else x

        return {
            "data": serializable(self.data),
            "targets": serializable(self.targets),
            "length": self.length,
            "sampling_rate": self.sampling_rate,
            "stride": self.stride,
            "start_index": self.start_index - self.length,
            "end_index": self.end_index,
            "shuffle": self.shuffle,
            "reverse": self.reverse,
            "batch_size": self.batch_size,
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)
