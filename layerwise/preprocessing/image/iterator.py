"""The image iterators' base: `Iterator` (a `PyDataset` that is also an endless
Python iterator) and `NumpyArrayIterator` (batches of in-memory arrays)."""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np
import torch

from layerwise.backend.config import floatx, image_data_format
from layerwise.utils.image_utils import array_to_img
from layerwise.utils.py_dataset import PyDataset


def _rng(seed):
    """A NumPy RandomState seeded like `np.random.seed(seed)`, or the global one."""
    if seed is None:
        return np.random.mtrand._rand
    return np.random.RandomState(seed)


# ====================================================================== iterators
class BatchIndexError(IndexError, ValueError):
    """A batch index past the end (an `IndexError`; a `ValueError` as in Keras)."""


class Iterator(PyDataset):
    """Base class of the image iterators: a `PyDataset` of augmented batches that is
    also an endless Python iterator (`next(it)`, `for x, y in it: ... break`).

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    Args:
        n: Number of samples.
        batch_size: Samples per batch.
        shuffle: Reshuffle the samples at the start of each pass.
        seed: Seed for shuffling and augmentation (batch `k` uses `seed + k`).
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size` (see `PyDataset`).
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n, batch_size, shuffle, seed, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        if int(batch_size) <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size}")
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self._last_rng = None
        self.index_generator = self._flow_index()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("lock", None)
        state.pop("index_generator", None)
        state["_last_rng"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def _set_index_array(self, rng=None):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = (rng or np.random).permutation(self.n)

    def _batch_rng(self):
        """The generator for the next batch: Keras seeds `seed + total_batches_seen`."""
        rng = _rng(None if self.seed is None else self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        self._last_rng = rng
        return rng

    def __getitem__(self, idx):
        if idx >= len(self) or idx < -len(self):
            raise BatchIndexError(
                f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}."
            )
        if idx < 0:
            idx += len(self)
        with self.lock:
            rng = self._batch_rng()
            if self.index_array is None:
                self._set_index_array(rng)
            index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array, rng)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        # Keras reshuffles from the global NumPy state, which its seeded batches left in
        # a known state: continuing the last batch's generator reproduces that.
        rng = self._last_rng if self.seed is not None else None
        self._set_index_array(rng)

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            rng = _rng(None if self.seed is None else self.seed + self.total_batches_seen)
            self._last_rng = rng
            if self.batch_index == 0:
                self._set_index_array(rng)
            current_index = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size], rng

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array, rng = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array, rng)

    def next(self):
        """Keras 1 spelling of `next(iterator)`."""
        return self.__next__()

    def _get_batches_of_transformed_samples(self, index_array, rng=None):
        raise NotImplementedError

    # Shared by the subclasses --------------------------------------------------
    def _augment(self, batch_x: np.ndarray, rng) -> np.ndarray:
        generator = self.image_data_generator
        if not generator:
            return batch_x
        return generator._augment_batch(batch_x, rng)

    def _save_batch(self, batch_x, index_array, rng, hash_range):
        if not self.save_to_dir:
            return
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            fname = f"{self.save_prefix}_{j}_{rng.randint(hash_range)}.{self.save_format}"
            img.save(os.path.join(self.save_to_dir, fname))


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from arrays; returned by `ImageDataGenerator.flow`."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        x, x_misc = _split_misc_inputs(x)
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
        _check_lengths(x, y, sample_weight)
        if subset is not None:
            x, x_misc, y = _take_subset(x, x_misc, y, subset,
                                        image_data_generator._validation_split,
                                        ignore_class_split)
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError(
                "Input data in `NumpyArrayIterator` should have rank 4 (a batch of images). "
                f"You passed an array with shape {self.x.shape}"
            )
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(
                f'NumpyArrayIterator is set to use the data format convention "{data_format}" '
                f"(channels on axis {channels_axis}), i.e. expected either 1, 3, or 4 channels "
                f"on axis {channels_axis}. However, it was passed an array with shape "
                f"{self.x.shape} ({self.x.shape[channels_axis]} channels).", stacklevel=3)
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array, rng=None):
        rng = rng if rng is not None else np.random.mtrand._rand
        batch_x = self.x[index_array]  # a copy: augmentation never touches `self.x`
        batch_x = self._augment(batch_x, rng)
        self._save_batch(batch_x, index_array, rng, int(1e4))
        batch_x_miscs = [xx[index_array] for xx in self.x_misc]
        output = (batch_x if not batch_x_miscs else [batch_x] + batch_x_miscs,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _split_misc_inputs(x):
    """`(images, [other arrays])` from `x` or from a tuple `(images, array_or_list)`."""
    if not isinstance(x, (tuple, list)):
        return x, []
    if not isinstance(x[1], list):
        x_misc = [np.asarray(x[1])]
    else:
        x_misc = [np.asarray(xx) for xx in x[1]]
    x = x[0]
    for xx in x_misc:
        if len(x) != len(xx):
            raise ValueError(
                "All of the arrays in `x` should have the same length. Found a pair "
                f"with: len(x[0]) = {len(x)}, len(x[?]) = {len(xx)}"
            )
    return x, x_misc


def _check_lengths(x, y, sample_weight) -> None:
    if y is not None and len(x) != len(y):
        raise ValueError(
            "`x` (images tensor) and `y` (labels) should have the same length. Found: "
            f"x.shape = {np.asarray(x).shape}, y.shape = {np.asarray(y).shape}"
        )
    if sample_weight is not None and len(x) != len(sample_weight):
        raise ValueError(
            "`x` (images tensor) and `sample_weight` should have the same length. Found: "
            f"x.shape = {np.asarray(x).shape}, sample_weight.shape = "
            f"{np.asarray(sample_weight).shape}"
        )


def _take_subset(x, x_misc, y, subset, validation_split, ignore_class_split):
    """The `"training"` (last) or `"validation"` (first) part of `x`, `x_misc` and `y`."""
    if subset not in {"training", "validation"}:
        raise ValueError(
            f"Invalid subset name: {subset!r}; expected 'training' or 'validation'."
        )
    split_idx = int(len(x) * validation_split)
    if (y is not None and not ignore_class_split
            and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
        raise ValueError(
            "Training and validation subsets have different number of classes after "
            "the split. If your numpy arrays are sorted by the label, you might want "
            "to shuffle them (or pass `ignore_class_split=True`)."
        )
    part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
    x_misc = [np.asarray(xx[part]) for xx in x_misc]
    return x[part], x_misc, (y[part] if y is not None else None)
