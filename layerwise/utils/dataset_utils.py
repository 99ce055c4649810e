"""Datasets without TensorFlow: `image_dataset_from_directory`, `text_dataset_from_directory`,
`timeseries_dataset_from_array` and `split_dataset`.

They return an `IndexedDataset`: a `PyDataset` of batches (so `fit`, `evaluate`,
`predict` and `len()` work, and `workers=` reads batches ahead) that is also
iterable like a `tf.data.Dataset` (`for images, labels in ds.take(1): ...`), with
the cheap helpers `map`, `batch`, `unbatch`, `shuffle`, `take`, `cache` and
`prefetch`. Batches are CPU torch tensors (strings: NumPy arrays of `str`).

File order, shuffling at indexing time and the training/validation split follow
Keras exactly (same seed, same files in each subset).
"""

from __future__ import annotations

import copy
import math
import os

import numpy as np
import torch

from layerwise.backend.config import standardize_data_format
from layerwise.utils.py_dataset import PyDataset, loader_pool

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


class StringArray(np.ndarray):
    """A NumPy array of strings with a `.numpy()` method, so code written for
    `tf.data` string batches (`text_batch.numpy()[0]`) keeps working."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _collate(values: list):
    first = values[0]
    if isinstance(first, tuple):
        return tuple(_collate([v[i] for v in values]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _collate([v[k] for v in values]) for k in first}
    if isinstance(first, (str, bytes)):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out.view(StringArray)
    if isinstance(first, torch.Tensor):
        return torch.stack(values)
    return torch.from_numpy(np.ascontiguousarray(np.stack([np.asarray(v) for v in values])))


def _to_sample_tensor(value):
    if isinstance(value, (str, bytes, torch.Tensor)):
        return value
    if isinstance(value, tuple):
        return tuple(_to_sample_tensor(v) for v in value)
    return torch.from_numpy(np.array(value))  # a copy: never a view of the source data


# ------------------------------------------------------------------ sources
class _ArraySource:
    """Samples of in-memory arrays: `array[i]`, or a tuple of `a[i]` for a structure."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.single = not isinstance(arrays, tuple)
        first = arrays if self.single else arrays[0]
        self.n = len(first)

    def __len__(self):
        return self.n

    def __call__(self, i):
        if self.single:
            return self.arrays[i]
        return tuple(a[i] for a in self.arrays)


class _FileSource:
    """Samples read from files: `(content, label)` or `content`."""

    def __init__(self, paths, labels, label_mode, num_classes, loader):
        self.paths = list(paths)
        self.labels = None if labels is None else np.asarray(labels)
        self.label_mode = label_mode
        self.num_classes = num_classes
        self.loader = loader
        self.parallel = True

    def __len__(self):
        return len(self.paths)

    def __call__(self, i):
        content = self.loader(self.paths[i])
        if self.label_mode is None:
            return content
        return content, _encode_label(self.labels[i], self.label_mode, self.num_classes)


def _encode_label(label, label_mode, num_classes):
    if label_mode == "binary":
        return np.asarray([label], dtype="float32")
    if label_mode == "categorical":
        out = np.zeros(num_classes, dtype="float32")
        out[int(label)] = 1.0
        return out
    return np.asarray(label, dtype="int32")


# ------------------------------------------------------------------ dataset
class IndexedDataset(PyDataset):
    """A dataset of samples with random access, read in (optionally shuffled) batches.

    Returned by the `*_dataset_from_*` utilities and `split_dataset`. Iterating
    yields one pass of batches (reshuffled each pass when shuffling); as a
    `PyDataset`, it feeds `fit()` directly.

    Attributes:
        class_names: Class names (directory datasets), else `None`.
        file_paths: Paths of the files (directory datasets), else `None`.
        batch_size: Samples per batch, or `None` when the dataset yields single samples.
    """

    def __init__(self, source, indices=None, batch_size=None, shuffle=False, seed=None,
                 drop_remainder=False, class_names=None, file_paths=None, workers=1,
                 use_multiprocessing=False, max_queue_size=10):
        super().__init__(workers=workers, use_multiprocessing=use_multiprocessing,
                         max_queue_size=max_queue_size)
        self._source = source
        self._indices = np.arange(len(source)) if indices is None else np.asarray(indices)
        self.batch_size = batch_size
        self._shuffle = bool(shuffle)
        self._rng = np.random.RandomState(seed if seed is not None
                                          else np.random.randint(1_000_000))
        self._order = self._indices
        self._drop_remainder = drop_remainder
        self._sample_maps: list = []
        self._batch_maps: list = []
        self._limit = None
        self._cache = None
        self.class_names = class_names
        self.file_paths = file_paths
        if self._shuffle:
            self._reshuffle()

    # -------------------------------------------------------------- views
    def _copy(self):
        other = copy.copy(self)
        other._sample_maps = list(self._sample_maps)
        other._batch_maps = list(self._batch_maps)
        return other

    def map(self, map_func):
        """Applies `map_func` to each element (each batch when batched), lazily.

        As with `tf.data`, a tuple element is unpacked: `ds.map(lambda x, y: (f(x), y))`.
        """
        other = self._copy()
        (other._batch_maps if self.batch_size else other._sample_maps).append(map_func)
        return other

    def batch(self, batch_size, drop_remainder=False):
        """Groups samples into batches of `batch_size` (the dataset must yield samples)."""
        if self.batch_size:
            raise ValueError(
                f"This dataset is already batched (batch_size={self.batch_size}); call "
                "`.unbatch()` first to re-batch it."
            )
        other = self._copy()
        other.batch_size = int(batch_size)
        other._drop_remainder = drop_remainder
        return other

    def unbatch(self):
        """Yields single samples instead of batches (before any batch-level `map`)."""
        if self._batch_maps:
            raise ValueError("`unbatch()` cannot undo a `map` applied to batches; call it "
                             "before `map`.")
        other = self._copy()
        other.batch_size = None
        return other

    def shuffle(self, buffer_size=None, seed=None, reshuffle_each_iteration=True):
        """Shuffles the samples (a full shuffle, whatever `buffer_size`), anew each pass."""
        other = self._copy()
        other._shuffle = True
        other._rng = np.random.RandomState(seed if seed is not None
                                           else np.random.randint(1_000_000))
        other._reshuffle()
        return other

    def take(self, count):
        """The first `count` elements (batches when batched)."""
        other = self._copy()
        other._limit = int(count) if count is not None and count >= 0 else None
        return other

    def cache(self, filename=""):
        """Keeps loaded samples in memory after the first pass (before `map`)."""
        other = self._copy()
        other._cache = {}
        return other

    def prefetch(self, buffer_size=None):
        """Accepted for `tf.data` compatibility: use `workers=` to read batches ahead."""
        return self

    # -------------------------------------------------------------- reading
    def _reshuffle(self):
        self._order = self._indices[self._rng.permutation(len(self._indices))]

    def __len__(self):
        n = len(self._indices)
        if self.batch_size:
            n = n // self.batch_size if self._drop_remainder else math.ceil(n / self.batch_size)
        return n if self._limit is None else min(n, self._limit)

    @property
    def is_batched(self) -> bool:
        return bool(self.batch_size)

    def _load(self, i):
        if self._cache is not None:
            sample = self._cache.get(i)
            if sample is None:
                sample = self._cache[i] = self._source(i)
        else:
            sample = self._source(i)
        for fn in self._sample_maps:
            sample = fn(*sample) if isinstance(sample, tuple) else fn(sample)
        return sample

    def __getitem__(self, idx):
        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise IndexError(f"Index {idx} is out of range for a dataset of {len(self)} "
                             "elements.")
        order = self._order
        if not self.batch_size:
            return _to_sample_tensor(self._load(int(order[idx])))
        ids = [int(i) for i in order[idx * self.batch_size:(idx + 1) * self.batch_size]]
        pool = loader_pool() if getattr(self._source, "parallel", False) and len(ids) > 1 \
            else None
        samples = list(pool.map(self._load, ids)) if pool is not None else [
            self._load(i) for i in ids]
        batch = _collate(samples)
        for fn in self._batch_maps:
            batch = fn(*batch) if isinstance(batch, tuple) else fn(batch)
        return batch

    def __iter__(self):
        for idx in range(len(self)):
            yield self[idx]
        if self._shuffle:
            self._reshuffle()

    def on_epoch_end(self):
        if self._shuffle:
            self._reshuffle()

    def __repr__(self):
        kind = f"batch_size={self.batch_size}" if self.batch_size else "unbatched"
        return f"<IndexedDataset samples={len(self._indices)}, {kind}>"


# ------------------------------------------------------------------ directory indexing
def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras' checks of `validation_split` / `subset` / `seed`."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset."
        )


def _iter_valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the files of `directory` (one sub-folder per class when
    `labels="inferred"`), as Keras: returns `(file_paths, labels, class_names)`."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} does not exist or is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of "
                    f"the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                                 "be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
    class_indices = {name: i for i, name in enumerate(subdirs)}
    filenames, found_labels = [], []
    for subdir in subdirs:
        sub = os.path.join(directory, subdir)
        dirname = os.path.basename(sub)
        for root, fname in _iter_valid_files(sub, follow_links, formats):
            found_labels.append(class_indices[dirname])
            filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname),
                                                                   sub)))
    if labels == "inferred":
        labels = np.asarray(found_labels, dtype="int32").reshape(-1)
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(filenames)} files "
                f"in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The training (first) or validation (last) part of the samples, as Keras."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        if labels is not None:
            labels = labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        if labels is not None:
            labels = labels[-num_val_samples:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: '
                         f"{subset}")
    return samples, labels


def _check_labels_args(labels, label_mode, class_names, kind):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {kind} files in the target directory. If you wish to infer "
                'the labels from the subdirectory names in the target directory, pass '
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{kind}s (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def _make_datasets(paths, labels, label_mode, class_names, loader, batch_size, shuffle, seed,
                   validation_split, subset, directory, what):
    num_classes = len(class_names) if class_names else 0

    def build(sub_paths, sub_labels, do_shuffle):
        source = _FileSource(sub_paths, sub_labels, label_mode, num_classes, loader)
        return IndexedDataset(source, batch_size=batch_size, shuffle=do_shuffle, seed=seed,
                              class_names=class_names, file_paths=list(sub_paths))

    if subset == "both":
        train_paths, train_labels = get_training_or_validation_split(
            paths, labels, validation_split, "training")
        val_paths, val_labels = get_training_or_validation_split(
            paths, labels, validation_split, "validation")
        if not train_paths:
            raise ValueError(f"No training {what} found in directory {directory}.")
        if not val_paths:
            raise ValueError(f"No validation {what} found in directory {directory}.")
        return [build(train_paths, train_labels, shuffle), build(val_paths, val_labels, False)]
    paths, labels = get_training_or_validation_split(paths, labels, validation_split, subset)
    if not paths:
        raise ValueError(f"No {what} found in directory {directory}.")
    return build(paths, labels, shuffle)


# ------------------------------------------------------------------ images
class _ImageLoader:
    def __init__(self, image_size, num_channels, interpolation, data_format, crop, pad):
        self.image_size = image_size
        self.num_channels = num_channels
        self.interpolation = interpolation
        self.data_format = data_format
        self.crop = crop
        self.pad = pad

    def __call__(self, path):
        from layerwise.utils.image_utils import _pil, resize_images

        image = _pil()
        with image.open(path) as img:
            if self.num_channels == 1:
                if img.mode not in ("L", "I;16", "I"):
                    img = img.convert("L")
            elif self.num_channels == 4:
                if img.mode != "RGBA":
                    img = img.convert("RGBA")
            elif img.mode != "RGB":
                img = img.convert("RGB")
            array = np.array(img, dtype="float32")
        if array.ndim == 2:
            array = array[:, :, None]
        tensor = torch.from_numpy(array)
        if self.data_format == "channels_first":
            tensor = tensor.permute(2, 0, 1)
        tensor = resize_images(tensor, self.image_size, self.interpolation,
                               data_format=self.data_format,
                               crop_to_aspect_ratio=self.crop, pad_to_aspect_ratio=self.pad)
        return tensor.contiguous().numpy()


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format=None,
                                 verbose=True):
    """Generates a dataset of images from a folder with one sub-folder per class.

    Args:
        directory: Folder of images; with `labels="inferred"`, one sub-folder per class
            (their sorted names are the classes).
        labels: `"inferred"`, `None` (images only) or a list of integer labels, one per
            file in alphanumeric order of the paths.
        label_mode: `"int"` (int32 scalars), `"categorical"` (one-hot float32),
            `"binary"` (float32 of shape `(1,)`) or `None`.
        class_names: Explicit order of the class sub-folders (`labels="inferred"`).
        color_mode: `"grayscale"`, `"rgb"` (default) or `"rgba"`.
        batch_size: Images per batch (default 32); `None` yields single images.
        image_size: `(height, width)` images are resized to (default `(256, 256)`).
        shuffle: Shuffle the files (once with `seed`, then every epoch).
        seed: Seed for shuffling (required with `validation_split` and `shuffle`).
        validation_split: Fraction of the files reserved for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns both datasets).
        interpolation: `"bilinear"` (default), `"nearest"`, `"bicubic"` or `"area"`.
        follow_links: Follow symbolic links to sub-folders.
        crop_to_aspect_ratio: Center-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Pad to the target aspect ratio before resizing.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        format: Accepted for compatibility (`"tf"`/`"grain"`); the result is always an
            `IndexedDataset`.
        verbose: Print how many files were found.

    Returns:
        An `IndexedDataset` of `(images, labels)` batches (float32 images in `[0, 255]`),
        with `class_names` and `file_paths`; a list of two for `subset="both"`.

    Example:

    ```python
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        "flowers", validation_split=0.2, subset="both", seed=1337, image_size=(180, 180))
    model.fit(train_ds, validation_data=val_ds, epochs=10)
    ```
    """
    _check_labels_args(labels, label_mode, class_names, "image")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in ("bilinear", "nearest", "bicubic", "area"):
        raise ValueError(
            "Argument `interpolation` should be one of ('bilinear', 'nearest', 'bicubic', "
            f"'area') on the torch backend. Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`.")
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats=IMAGE_FORMATS, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    loader = _ImageLoader(tuple(int(s) for s in image_size), channels, interpolation,
                          standardize_data_format(data_format), crop_to_aspect_ratio,
                          pad_to_aspect_ratio)
    return _make_datasets(paths, labels, label_mode, class_names, loader, batch_size, shuffle,
                          seed, validation_split, subset, directory, "images")


# ------------------------------------------------------------------ text
class _TextLoader:
    def __init__(self, max_length):
        self.max_length = max_length

    def __call__(self, path):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return text if self.max_length is None else text[:self.max_length]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format=None, verbose=True):
    """Generates a dataset of texts from `.txt` files, one sub-folder per class.

    Args:
        directory: Folder of `.txt` files; with `labels="inferred"`, one sub-folder per class.
        labels: `"inferred"`, `None` or a list of integer labels (one per file, sorted paths).
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None`.
        class_names: Explicit order of the class sub-folders.
        batch_size: Texts per batch (default 32); `None` yields single texts.
        max_length: Keep at most this many characters of each text.
        shuffle, seed, validation_split, subset, follow_links, verbose: As in
            `image_dataset_from_directory`.

    Returns:
        An `IndexedDataset` of `(texts, labels)` batches; `texts` is a NumPy array of
        `str` (with a `.numpy()` method, as tf.data string tensors); a list of two for
        `subset="both"`.

    Example:

    ```python
    raw_train = keras.utils.text_dataset_from_directory("aclImdb/train", batch_size=32)
    vectorize = keras.layers.TextVectorization(max_tokens=20000, output_sequence_length=200)
    vectorize.adapt(raw_train.map(lambda text, label: text))
    train = raw_train.map(lambda text, label: (vectorize(text), label))
    ```
    """
    _check_labels_args(labels, label_mode, class_names, "text")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    return _make_datasets(paths, labels, label_mode, class_names, _TextLoader(max_length),
                          batch_size, shuffle, seed, validation_split, subset, directory,
                          "text files")


# ------------------------------------------------------------------ time series
class _WindowSource:
    def __init__(self, data, targets, positions, sequence_length, sampling_rate, start_index):
        self.data = data
        self.targets = targets
        self.positions = positions
        self.offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)
        self.start = start_index

    def __len__(self):
        return len(self.positions)

    def __call__(self, i):
        pos = self.start + int(self.positions[i])
        window = np.asarray(self.data[pos + self.offsets])
        if self.targets is None:
            return window
        return window, np.asarray(self.targets[pos])


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
        An `IndexedDataset` of `(windows, targets)` batches (or windows only).

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
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length "
                             f"{len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: "
                         f"sampling_rate={sampling_rate}")
    if sampling_rate >= len(data):
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. "
                         f"Received: sampling_rate={sampling_rate}, for data of length "
                         f"{len(data)}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: "
                         f"sequence_stride={sequence_stride}")
    if sequence_stride >= len(data):
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. "
                         f"Received: sequence_stride={sequence_stride}, for data of length "
                         f"{len(data)}")
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
    source = _WindowSource(data, targets, positions, sequence_length, sampling_rate,
                           start_index)
    return IndexedDataset(source, batch_size=batch_size, shuffle=shuffle, seed=seed)


# ------------------------------------------------------------------ split
def _rescale_split_sizes(left_size, right_size, total_length):
    left_type, right_type = type(left_size), type(right_size)
    for value, kind, name in ((left_size, left_type, "left_size"),
                              (right_size, right_type, "right_size")):
        if value is not None and kind not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={kind}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         "split sizes must be non-zero.")
    if (left_type is int and (left_size <= 0 or left_size >= total_length)) or (
            left_type is float and (left_size <= 0 or left_size >= 1)):
        raise ValueError(f"`left_size` should be either a positive integer smaller than "
                         f"{total_length}, or a float within the range `[0, 1]`. Received: "
                         f"left_size={left_size}")
    if (right_type is int and (right_size <= 0 or right_size >= total_length)) or (
            right_type is float and (right_size <= 0 or right_size >= 1)):
        raise ValueError(f"`right_size` should be either a positive integer and smaller than "
                         f"{total_length} or a float within the range `[0, 1]`. Received: "
                         f"right_size={right_size}")
    if right_type is left_type is float and right_size + left_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    if left_type is float:
        left_size = round(left_size * total_length)
    if right_type is float:
        right_size = round(right_size * total_length)
    if left_size is None:
        left_size = total_length - right_size
    elif right_size is None:
        right_size = total_length - left_size
    if left_size + right_size > total_length:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total_length}. Received: left_size + right_size = "
                         f"{left_size + right_size} and total_length = {total_length}")
    for split, side in ((left_size, "left"), (right_size, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total_length}, `left_size`={left_size} "
                             f"and `right_size`={right_size}. Resulting {side} side dataset "
                             "split will be empty. Adjust any of the aforementioned parameters")
    return int(left_size), int(right_size)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits a dataset into a left and a right part.

    Args:
        dataset: A NumPy array, a list/tuple of arrays (samples along the first axis), an
            `IndexedDataset`, or a map-style `torch.utils.data.Dataset`.
        left_size: Int (number of samples) or float in `(0, 1)` (fraction); default: the
            complement of `right_size`.
        right_size: Likewise; default: the complement of `left_size`.
        shuffle: Shuffle before splitting (otherwise the left part is the first samples).
        seed: Shuffling seed.

    Returns:
        `(left, right)`: `IndexedDataset`s (batched like the input `IndexedDataset`,
        otherwise yielding single samples: call `.batch(n)`), or `torch.utils.data.Subset`s
        for a torch Dataset.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> left, right = keras.utils.split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), len(right)
    (8, 2)
    """
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    if isinstance(dataset, IndexedDataset):
        total = len(dataset._indices)
    elif isinstance(dataset, torch.utils.data.Dataset):
        total = len(dataset)
    elif isinstance(dataset, np.ndarray) or isinstance(dataset, torch.Tensor):
        total = len(dataset)
    elif isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list dataset. Please provide a non-empty "
                             "list/tuple of arrays.")
        lengths = {len(a) for a in dataset}
        if len(lengths) != 1:
            raise ValueError(f"Received a {type(dataset).__name__} of arrays with different "
                             f"lengths: {sorted(lengths)}. Provide arrays of the same length.")
        total = lengths.pop()
    else:
        raise TypeError(
            "The `dataset` argument must be a NumPy array, a list/tuple of arrays, an "
            "IndexedDataset or a torch Dataset. Received: dataset of type "
            f"{type(dataset).__name__}"
        )
    left_size, right_size = _rescale_split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(order)
    left_ids, right_ids = order[:left_size], order[total - right_size:]
    if isinstance(dataset, IndexedDataset):
        parts = []
        for ids in (left_ids, right_ids):
            part = dataset._copy()
            part._indices = dataset._indices[ids]
            part._order = part._indices
            part._limit = None
            if part._shuffle:
                part._reshuffle()
            parts.append(part)
        return tuple(parts)
    if isinstance(dataset, torch.utils.data.Dataset):
        return (torch.utils.data.Subset(dataset, left_ids.tolist()),
                torch.utils.data.Subset(dataset, right_ids.tolist()))
    arrays = dataset if isinstance(dataset, np.ndarray) else tuple(
        np.asarray(a) if not isinstance(a, np.ndarray) else a for a in dataset)
    if isinstance(dataset, torch.Tensor):
        arrays = dataset.detach().cpu().numpy()
    source = _ArraySource(arrays)
    return (IndexedDataset(source, indices=left_ids), IndexedDataset(source, indices=right_ids))
