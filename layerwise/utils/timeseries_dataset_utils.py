"""`timeseries_dataset_from_array`: a `layerwise.data.Dataset` of sliding windows."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.data import Dataset


class _Windows:
    """Windows (and targets) at some start positions: one gather for a whole batch."""

    def __init__(self, data, targets, sequence_length, sampling_rate, start_index):
        self.data = data
        self.targets = targets
        self.offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)
        self.start = start_index

    def __call__(self, positions):
        pos = self.start + np.asarray(positions).astype(np.int64)
        windows = self.data[pos[..., None] + self.offsets]
        if self.targets is None:
            return windows
        return windows, self.targets[pos]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format=None):
    """Creates a dataset of sliding windows over a time series.

    Window `i` holds `data[start + i * sequence_stride + k * sampling_rate]` for
    `k < sequence_length`; its target is `targets[start + i * sequence_stride]`.

    Args:
        data: Array-like with time steps on the first axis.
        targets: Targets aligned with `data` (or `None` for windows only).
        sequence_length: Time steps per window.
        sequence_stride: Steps between the starts of consecutive windows.
        sampling_rate: Steps between the time steps of a window.
        batch_size: Windows per batch (default 128); `None` yields single windows.
        shuffle: Shuffle the windows (once with `seed`, then every epoch).
        seed: Shuffling seed.
        start_index, end_index: Only use `data[start_index:end_index]`.

    Returns:
        A `layerwise.data.Dataset` of `(windows, targets)` batches (or windows only).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> ds = keras.utils.timeseries_dataset_from_array(
    ...     np.arange(10), None, sequence_length=3, batch_size=4)
    >>> [batch.tolist() for batch in ds][0]
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    """
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    if isinstance(targets, torch.Tensor):
        targets = targets.detach().cpu().numpy()
    data = data.to_numpy() if hasattr(data, "to_numpy") else np.asarray(data)
    if targets is not None:
        targets = targets.to_numpy() if hasattr(targets, "to_numpy") else np.asarray(targets)
    _check_arguments(len(data), sequence_stride, sampling_rate, start_index, end_index)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    windows = _Windows(data, targets, sequence_length, sampling_rate, start_index)
    dataset = Dataset.from_tensor_slices(positions)
    if shuffle:  # Keras shuffles the windows again in a buffer at each pass.
        dataset = dataset.shuffle(8 * batch_size if batch_size else 1024, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.map(windows)


def _check_positive(name: str, value) -> None:
    if value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")


def _check_below_length(name: str, value, length: int) -> None:
    if value >= length:
        raise ValueError(f"`{name}` must be lower than the length of the data. "
                         f"Received: {name}={value}, for data of length {length}")


def _check_arguments(length: int, sequence_stride, sampling_rate, start_index,
                     end_index) -> None:
    """Raises a `ValueError` naming the first argument out of range for `length` steps."""
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        _check_below_length("start_index", start_index, length)
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        _check_below_length("end_index", end_index, length)
        _check_positive("end_index", end_index)
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        _check_positive(name, value)
        _check_below_length(name, value, length)
