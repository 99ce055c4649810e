"""Keras 2 path `keras.preprocessing.image`: `ImageDataGenerator` and image helpers.

`ImageDataGenerator` follows Keras' legacy implementation
(`keras.src.legacy.preprocessing.image`) argument for argument, and draws its
random parameters in the same order from the same NumPy generator, so a given
`seed` produces the same augmented batches as Keras. What differs is speed: the
geometric transforms of a whole batch are one vectorised torch warp instead of
one SciPy call per channel per image, and files are decoded by a small thread
pool.

Known Keras quirks kept for parity: the affine transform is centred with
`(height / 2 - 0.5, width / 2 - 0.5)` on swapped axes (visible only on
non-square images), `brightness_range` quantises the image to 8 bits, and an
integer `width_shift_range=k` draws from `{0, ..., k-1}` (not `(-k, k)`).
"""

from __future__ import annotations

import math
import os
import threading
import warnings

import numpy as np
import torch

from layerwise.backend import affine as _affine
from layerwise.backend.config import floatx, image_data_format
from layerwise.utils.image_utils import array_to_img as array_to_img
from layerwise.utils.image_utils import img_to_array as img_to_array
from layerwise.utils.image_utils import load_img as load_img
from layerwise.utils.image_utils import save_img as save_img
from layerwise.utils.image_utils import smart_resize as smart_resize
from layerwise.utils.py_dataset import PyDataset, loader_pool

__all__ = [
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "array_to_img", "img_to_array", "load_img", "save_img",
    "smart_resize", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "random_rotation", "random_shift", "random_shear", "random_zoom",
    "random_channel_shift", "random_brightness", "flip_axis",
]


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


def _iter_valid_files(directory, white_list_formats, follow_links):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. '
                              "Please verify your output.", stacklevel=2)
            if fname.lower().endswith(white_list_formats):
                yield root, fname


def _list_valid_filenames_in_directory(directory, white_list_formats, split, class_indices,
                                       follow_links):
    dirname = os.path.basename(directory)
    valid_files = list(_iter_valid_files(directory, white_list_formats, follow_links))
    if split:
        num_files = len(valid_files)
        valid_files = valid_files[int(split[0] * num_files):int(split[1] * num_files)]
    classes, filenames = [], []
    for root, fname in valid_files:
        classes.append(class_indices[dirname])
        absolute_path = os.path.join(root, fname)
        filenames.append(os.path.join(dirname, os.path.relpath(absolute_path, directory)))
    return classes, filenames


class BatchFromFilesMixin:
    """Reads, augments and labels batches of image files (directory and dataframe)."""

    def set_processing_attrs(self, image_data_generator, target_size, color_mode, data_format,
                             save_to_dir, save_prefix, save_format, subset, interpolation,
                             keep_aspect_ratio):
        self.image_data_generator = image_data_generator
        if len(tuple(target_size)) != 2:
            raise ValueError(
                f"`target_size` must be `(height, width)`. Received: target_size={target_size}"
            )
        self.target_size = tuple(int(s) for s in target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        if color_mode not in {"rgb", "rgba", "grayscale"}:
            raise ValueError(
                f"Invalid color mode: {color_mode!r}; expected 'rgb', 'rgba', or 'grayscale'."
            )
        self.color_mode = color_mode
        self.data_format = data_format
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        if data_format == "channels_last":
            self.image_shape = self.target_size + (channels,)
        else:
            self.image_shape = (channels,) + self.target_size
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        if subset is not None:
            validation_split = image_data_generator._validation_split
            if subset == "validation":
                split = (0, validation_split)
            elif subset == "training":
                split = (validation_split, 1)
            else:
                raise ValueError(
                    f"Invalid subset name: {subset!r}; expected 'training' or 'validation'."
                )
            if not validation_split:
                raise ValueError(
                    f"`subset={subset!r}` needs `validation_split` > 0 in the "
                    "ImageDataGenerator, e.g. `ImageDataGenerator(validation_split=0.2)`."
                )
        else:
            split = None
        self.split = split
        self.subset = subset

    def _load_one(self, path):
        img = load_img(path, color_mode=self.color_mode, target_size=self.target_size,
                       interpolation=self.interpolation,
                       keep_aspect_ratio=self.keep_aspect_ratio)
        x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
        if hasattr(img, "close"):
            img.close()
        return x

    def _load_batch(self, index_array) -> np.ndarray:
        filepaths = self.filepaths
        paths = [filepaths[j] for j in index_array]
        batch_x = np.zeros((len(paths),) + self.image_shape, dtype=self.dtype)
        pool = loader_pool() if len(paths) > 1 else None
        images = pool.map(self._load_one, paths) if pool is not None else map(self._load_one,
                                                                               paths)
        for i, x in enumerate(images):
            batch_x[i] = x
        return batch_x

    def _get_batches_of_transformed_samples(self, index_array, rng=None):
        rng = rng if rng is not None else np.random.mtrand._rand
        batch_x = self._load_batch(index_array)
        batch_x = self._augment(batch_x, rng)
        self._save_batch(batch_x, index_array, rng, int(1e7))
        if self.class_mode == "input":
            batch_y = batch_x.copy()
        elif self.class_mode in {"binary", "sparse"}:
            batch_y = np.asarray([self.classes[j] for j in index_array], dtype=self.dtype)
        elif self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            for i, j in enumerate(index_array):
                batch_y[i, self.classes[j]] = 1.0
        elif self.class_mode == "multi_output":
            batch_y = [output[index_array] for output in self.labels]
        elif self.class_mode == "raw":
            batch_y = self.labels[index_array]
        else:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[index_array]

    @property
    def filepaths(self):
        raise NotImplementedError

    @property
    def labels(self):
        raise NotImplementedError

    @property
    def sample_weight(self):
        raise NotImplementedError


class DirectoryIterator(BatchFromFilesMixin, Iterator):
    """Reads images from a folder with one sub-folder per class.

    Returned by `ImageDataGenerator.flow_from_directory`; see there for the arguments.
    Attributes: `class_indices` (`{class_name: index}`), `classes` (label of each
    file), `filenames` (relative to `directory`), `filepaths`, `samples`, `num_classes`.
    """

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", classes=None, class_mode="categorical", batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype=None):
        data_format = data_format or image_data_format()
        dtype = dtype or floatx()
        self.set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                  save_to_dir, save_prefix, save_format, subset, interpolation,
                                  keep_aspect_ratio)
        directory = os.fspath(directory)
        if not os.path.isdir(directory):
            raise ValueError(
                f"`directory` {directory!r} does not exist or is not a folder. Pass a folder "
                "containing one sub-folder of images per class."
            )
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError(
                f"Invalid class_mode: {class_mode!r}; expected one of: "
                f"{sorted(self.allowed_class_modes, key=str)}"
            )
        self.class_mode = class_mode
        self.dtype = dtype
        if not classes:
            classes = [d for d in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, d))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames = []
        labels = []
        for subdir in classes:
            found, filenames = _list_valid_filenames_in_directory(
                os.path.join(directory, subdir), self.white_list_formats, self.split,
                self.class_indices, follow_links)
            labels.extend(found)
            self.filenames += filenames
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32").reshape(-1)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    @property
    def sample_weight(self):
        return None


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from arrays; returned by `ImageDataGenerator.flow`."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        if isinstance(x, (tuple, list)):
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
        else:
            x_misc = []
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
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
        if subset is not None:
            if subset not in {"training", "validation"}:
                raise ValueError(
                    f"Invalid subset name: {subset!r}; expected 'training' or 'validation'."
                )
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
                raise ValueError(
                    "Training and validation subsets have different number of classes after "
                    "the split. If your numpy arrays are sorted by the label, you might want "
                    "to shuffle them (or pass `ignore_class_split=True`)."
                )
            if subset == "validation":
                x = x[:split_idx]
                x_misc = [np.asarray(xx[:split_idx]) for xx in x_misc]
                if y is not None:
                    y = y[:split_idx]
            else:
                x = x[split_idx:]
                x_misc = [np.asarray(xx[split_idx:]) for xx in x_misc]
                if y is not None:
                    y = y[split_idx:]
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


def validate_filename(filename, white_list_formats) -> bool:
    """Whether `filename` has an allowed image extension and exists."""
    return filename.lower().endswith(white_list_formats) and os.path.isfile(filename)


class DataFrameIterator(BatchFromFilesMixin, Iterator):
    """Reads the image files listed in a pandas DataFrame; returned by
    `ImageDataGenerator.flow_from_dataframe`."""

    allowed_class_modes = {"binary", "categorical", "input", "multi_output", "raw", "sparse",
                           None}

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename",
                 y_col="class", weight_col=None, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format="channels_last", save_to_dir=None, save_prefix="",
                 save_format="png", subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype="float32", validate_filenames=True):
        self.set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                  save_to_dir, save_prefix, save_format, subset, interpolation,
                                  keep_aspect_ratio)
        df = dataframe.copy()
        self.directory = os.fspath(directory) if directory else ""
        self.class_mode = class_mode
        self.dtype = dtype
        self._check_params(df, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._filter_valid_filepaths(df, x_col)
        num_classes = 0
        if class_mode not in ["input", "multi_output", "raw", None]:
            df, classes = self._filter_classes(df, y_col, classes)
            num_classes = len(classes)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if self.split:
            num_files = len(df)
            df = df.iloc[int(self.split[0] * num_files):int(self.split[1] * num_files), :]
        if class_mode not in ["input", "multi_output", "raw", None]:
            self.classes = self.get_classes(df, y_col)
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array(df[col].tolist()) for col in y_col]
        if class_mode == "raw":
            self._targets = df[y_col].values
        self.samples = len(self.filenames)
        validated = "validated" if validate_filenames else "non-validated"
        if class_mode in ["input", "multi_output", "raw", None]:
            print(f"Found {self.samples} {validated} image filenames.")
        else:
            print(f"Found {self.samples} {validated} image filenames belonging to "
                  f"{num_classes} classes.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _check_params(self, df, x_col, y_col, weight_col, classes):
        if self.class_mode not in self.allowed_class_modes:
            raise ValueError(
                f"Invalid class_mode: {self.class_mode!r}; expected one of: "
                f"{sorted(self.allowed_class_modes, key=str)}"
            )
        if self.class_mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(
                f'If class_mode="multi_output", y_col must be a list. Received '
                f"{type(y_col).__name__}."
            )
        if not all(df[x_col].apply(lambda x: isinstance(x, str))):
            raise TypeError(f"All values in column x_col={x_col} must be strings.")
        if self.class_mode in {"binary", "sparse"}:
            if not all(df[y_col].apply(lambda x: isinstance(x, str))):
                raise TypeError(
                    f'If class_mode="{self.class_mode}", y_col="{y_col}" column values must '
                    "be strings."
                )
        if self.class_mode == "binary":
            if classes:
                if len(set(classes)) != 2:
                    raise ValueError(
                        'If class_mode="binary" there must be 2 classes. '
                        f"{len(set(classes))} class/es were given."
                    )
            elif df[y_col].nunique() != 2:
                raise ValueError(
                    'If class_mode="binary" there must be 2 classes. '
                    f"Found {df[y_col].nunique()} classes."
                )
        if self.class_mode == "categorical":
            types = (str, list, tuple)
            if not all(df[y_col].apply(lambda x: isinstance(x, types))):
                raise TypeError(
                    f'If class_mode="categorical", y_col="{y_col}" column values must be type '
                    "string, list or tuple."
                )
        if classes and self.class_mode in {"input", "multi_output", "raw", None}:
            warnings.warn(f'`classes` will be ignored given the class_mode="{self.class_mode}"',
                          stacklevel=3)
        if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
            raise TypeError(f"Column weight_col={weight_col} must be numeric.")

    def get_classes(self, df, y_col):
        labels = []
        for label in df[y_col]:
            if isinstance(label, (list, tuple)):
                labels.append([self.class_indices[lbl] for lbl in label])
            else:
                labels.append(self.class_indices[label])
        return labels

    @staticmethod
    def _filter_classes(df, y_col, classes):
        df = df.copy()

        def remove_classes(labels, classes):
            if isinstance(labels, (list, tuple)):
                labels = [cls for cls in labels if cls in classes]
                return labels or None
            if isinstance(labels, str):
                return labels if labels in classes else None
            raise TypeError(
                f"Expect string, list or tuple but found {type(labels)} in {y_col} column "
            )

        if classes:
            classes = list(dict.fromkeys(classes))
            df[y_col] = df[y_col].apply(lambda x: remove_classes(x, classes))
        else:
            found = set()
            for v in df[y_col]:
                if isinstance(v, (list, tuple)):
                    found.update(v)
                else:
                    found.add(v)
            classes = sorted(found)
        return df.dropna(subset=[y_col]), classes

    def _filter_valid_filepaths(self, df, x_col):
        filepaths = df[x_col].map(lambda fname: os.path.join(self.directory, fname))
        mask = filepaths.apply(validate_filename, args=(self.white_list_formats,))
        n_invalid = int((~mask).sum())
        if n_invalid:
            warnings.warn(
                f'Found {n_invalid} invalid image filename(s) in x_col="{x_col}". These '
                "filename(s) will be ignored.", stacklevel=3)
        return df[mask]

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        if self.class_mode in {"multi_output", "raw"}:
            return self._targets
        return self.classes

    @property
    def sample_weight(self):
        return self._sample_weight


# ====================================================================== transforms
def flip_axis(x, axis):
    """Reverses `x` along `axis` (NumPy)."""
    return np.flip(np.asarray(x), axis)


def _quantized_brightness(x: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Keras' `apply_brightness_shift(x, factor, scale=False)` for a batch `(b, ...)`:
    8-bit round trip through Pillow's `ImageEnhance.Brightness`, vectorised."""
    b = x.shape[0]
    flat = x.reshape(b, -1).to(torch.float32)
    x_min = flat.min(dim=1, keepdim=True).values
    x_max = flat.max(dim=1, keepdim=True).values
    local_scale = (x_min < 0) | (x_max > 255)
    shifted = flat - x_min
    span = shifted.max(dim=1, keepdim=True).values
    scaled = torch.where(span != 0, shifted / torch.where(span != 0, span, 1), shifted) * 255
    pixels = torch.where(local_scale, scaled, flat)
    pixels = pixels.to(torch.int64).to(torch.uint8).to(torch.float32)  # astype("uint8")
    # Pillow's blend(black, img, f) in C: trunc(float(f) * v), clipped to [0, 255].
    value = pixels * factors.to(torch.float32).view(b, 1)
    value = torch.floor(value.clamp(0, 255))
    restored = value / 255 * (x_max - x_min) + x_min
    out = torch.where(local_scale, restored, value)
    return out.reshape(x.shape).to(x.dtype)


class ImageDataGenerator:
    """Generates batches of images with real-time augmentation (Keras 2 API).

    Args:
        featurewise_center: Subtract the dataset mean (per channel), computed by `fit(x)`.
        samplewise_center: Subtract each image's mean.
        featurewise_std_normalization: Divide by the dataset std (per channel), from `fit`.
        samplewise_std_normalization: Divide each image by its std.
        zca_whitening: Apply ZCA whitening computed by `fit(x)`.
        zca_epsilon: Epsilon for ZCA whitening.
        rotation_range: Degrees: rotations drawn from `(-rotation_range, rotation_range)`.
        width_shift_range: Float < 1: fraction of the width; float >= 1: pixels; a list:
            choices; an int: pixels drawn from `{0, ..., k-1}` with a random sign (as Keras).
        height_shift_range: As `width_shift_range`, vertically.
        brightness_range: `(low, high)` brightness factors (1.0 keeps the image).
        shear_range: Shear angle in degrees, counter-clockwise.
        zoom_range: Float `z` (zoom in `[1 - z, 1 + z]`) or `[lower, upper]`.
        channel_shift_range: Random shift added to all channels.
        fill_mode: `"constant"`, `"nearest"` (default), `"reflect"` or `"wrap"`.
        cval: Fill value for `fill_mode="constant"`.
        horizontal_flip: Randomly flip images horizontally.
        vertical_flip: Randomly flip images vertically.
        rescale: Multiply the data by this value (after the other transforms), e.g. `1/255`.
        preprocessing_function: Function applied to each image (a rank-3 array) after
            augmentation, before the normalizations.
        data_format: `"channels_last"` or `"channels_first"` (default: global setting).
        validation_split: Fraction of the data reserved for `subset="validation"`.
        interpolation_order: 0 (nearest) or 1 (bilinear, default); 2-5 need SciPy.
        dtype: Dtype of the generated arrays (default: `floatx()`).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> datagen = keras.preprocessing.image.ImageDataGenerator(
    ...     rotation_range=20, width_shift_range=0.2, horizontal_flip=True, rescale=1 / 255)
    >>> x, y = np.random.randint(0, 255, (8, 32, 32, 3)), np.arange(8)
    >>> xb, yb = next(datagen.flow(x, y, batch_size=4, seed=0))
    >>> xb.shape, yb.shape
    ((4, 32, 32, 3), (4,))
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None,
                 data_format=None, validation_split=0.0, interpolation_order=1, dtype=None):
        data_format = data_format or image_data_format()
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.zoom_range = zoom_range
        self.channel_shift_range = channel_shift_range
        if fill_mode not in _affine.LEGACY_FILL_MODES:
            raise ValueError(
                f"`fill_mode` must be one of {_affine.LEGACY_FILL_MODES}. Received: "
                f"fill_mode={fill_mode!r}"
            )
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or floatx()
        if int(interpolation_order) != interpolation_order or not 0 <= interpolation_order <= 5:
            raise ValueError(
                "`interpolation_order` must be an integer from 0 to 5 (1 = bilinear). "
                f"Received: {interpolation_order}"
            )
        self.interpolation_order = int(interpolation_order)
        if data_format not in {"channels_last", "channels_first"}:
            raise ValueError(
                '`data_format` should be `"channels_last"` (channel after row and column) or '
                f'`"channels_first"` (channel before row and column). Received: {data_format}'
            )
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(
                f"`validation_split` must be strictly between 0 and 1. Received: "
                f"{validation_split}"
            )
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        if isinstance(zoom_range, (float, int)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(
                f"`zoom_range` should be a float or a tuple or list of two floats. Received: "
                f"{zoom_range}"
            )
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which "
                              "overrides setting of `featurewise_center`.", stacklevel=2)
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which "
                              "overrides setting of `featurewise_std_normalization`.",
                              stacklevel=2)
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=2)
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=2)
        if brightness_range is not None:
            if not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2:
                raise ValueError(
                    "`brightness_range` should be a tuple or list of two floats. Received: "
                    f"{brightness_range}"
                )
        self.brightness_range = brightness_range

    # ------------------------------------------------------------------ flows
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Batches of augmented data from arrays.

        Args:
            x: Images, rank 4 (or a tuple `(images, other_array_or_list)`).
            y: Labels (optional).
            batch_size: Samples per batch (default 32).
            shuffle: Shuffle the data each pass (default `True`).
            sample_weight: Per-sample weights.
            seed: Seed for shuffling and augmentation.
            save_to_dir: Folder where augmented images are saved (for debugging).
            save_prefix, save_format: File names and format of saved images.
            ignore_class_split: Skip the check that both subsets contain every class.
            subset: `"training"` or `"validation"` (with `validation_split`).

        Returns:
            A `NumpyArrayIterator` yielding `x` or `(x, y)` or `(x, y, sample_weight)`.
        """
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest",
                            keep_aspect_ratio=False):
        """Batches of augmented images read from `directory/<class>/<image files>`.

        Args:
            directory: Folder with one sub-folder per class (sorted names give the
                class indices).
            target_size: `(height, width)` images are resized to (default `(256, 256)`).
            color_mode: `"grayscale"`, `"rgb"` (default) or `"rgba"`.
            classes: Optional list of sub-folder names to use (and their order).
            class_mode: `"categorical"` (one-hot, default), `"binary"` (0/1 floats),
                `"sparse"` (integer labels), `"input"` (the images themselves) or `None`
                (images only, e.g. for `predict`).
            batch_size: Images per batch (default 32).
            shuffle: Shuffle the files each pass (default `True`).
            seed: Seed for shuffling and augmentation.
            save_to_dir, save_prefix, save_format: Save augmented images (debugging).
            follow_links: Follow symbolic links inside class folders.
            subset: `"training"` or `"validation"` when `validation_split` is set.
            interpolation: Resampling for resizing: `"nearest"` (default), `"bilinear"`,
                `"bicubic"`, `"lanczos"`, `"box"`, `"hamming"`.
            keep_aspect_ratio: Center-crop to the target aspect ratio before resizing.

        Returns:
            A `DirectoryIterator` with `class_indices`, `classes`, `samples`, `filenames`.
        """
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode,
            keep_aspect_ratio=keep_aspect_ratio, classes=classes, class_mode=class_mode,
            data_format=self.data_format, batch_size=batch_size, shuffle=shuffle, seed=seed,
            save_to_dir=save_to_dir, save_prefix=save_prefix, save_format=save_format,
            follow_links=follow_links, subset=subset, interpolation=interpolation,
            dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            subset=None, interpolation="nearest", validate_filenames=True,
                            **kwargs):
        """Batches of augmented images listed in a pandas DataFrame.

        Args:
            dataframe: DataFrame with a column of file paths (`x_col`) and, depending on
                `class_mode`, labels (`y_col`).
            directory: Folder the paths are relative to (`None` for absolute paths).
            x_col: Column with the file names.
            y_col: Column (or list of columns for `"multi_output"`) with the targets.
            weight_col: Optional column of sample weights.
            class_mode: `"categorical"`, `"binary"`, `"sparse"`, `"input"`,
                `"multi_output"`, `"raw"` or `None`.
            validate_filenames: Drop rows whose file is missing or not an image.
            Other arguments: as in `flow_from_directory`.

        Returns:
            A `DataFrameIterator`.
        """
        for key, message in (
                ("has_ext", "has_ext is deprecated, filenames in the dataframe have to match "
                            "the exact filenames in disk."),
                ("sort", "sort is deprecated, batches will be created in the same order than "
                         "the filenames provided if `shuffle` is set to `False`."),
                ("drop_duplicates", "drop_duplicates is deprecated, you can drop duplicates by "
                                    "using the pandas.DataFrame.drop_duplicates method.")):
            if key in kwargs:
                kwargs.pop(key)
                warnings.warn(message, DeprecationWarning, stacklevel=2)
        if kwargs:
            raise TypeError(f"flow_from_dataframe() got unexpected keyword argument(s) "
                            f"{sorted(kwargs)}.")
        if class_mode == "other":
            warnings.warn('`class_mode="other"` is deprecated, please use `class_mode="raw"`.',
                          DeprecationWarning, stacklevel=2)
            class_mode = "raw"
        return DataFrameIterator(
            dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
            target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
            shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset, interpolation=interpolation,
            validate_filenames=validate_filenames, dtype=self.dtype)

    # ------------------------------------------------------------ standardize
    def _warn_not_fit(self, what):
        warnings.warn(f"This ImageDataGenerator specifies `{what}`, but it hasn't been fit on "
                      "any training data. Fit it first by calling `.fit(numpy_data)`.",
                      stacklevel=3)

    def standardize(self, x):
        """Applies the normalization configuration in place to `x` (one image or a batch).

        As in Keras, `samplewise_*` statistics are computed over the whole array given.

        Args:
            x: NumPy array.

        Returns:
            The normalized array (the same object when possible).
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                self._warn_not_fit("featurewise_center")
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                self._warn_not_fit("featurewise_std_normalization")
        if self.zca_whitening:
            if self.zca_whitening_matrix is not None:
                flat_x = x.reshape(-1, math.prod(x.shape[-3:]))
                x = np.reshape(flat_x @ self.zca_whitening_matrix, x.shape)
            else:
                self._warn_not_fit("zca_whitening")
        return x

    def _standardize_batch(self, x: torch.Tensor) -> torch.Tensor:
        """`standardize` applied to each image of a batch, vectorised."""
        if self.preprocessing_function:
            array = x.numpy()
            results = [np.asarray(self.preprocessing_function(array[i]), dtype=self.dtype)
                       for i in range(len(array))]
            if any(r.shape != array.shape[1:] for r in results):
                raise ValueError(
                    "`preprocessing_function` must return an image of the same shape as its "
                    f"input {array.shape[1:]}; got {[r.shape for r in results][:3]}."
                )
            x = torch.from_numpy(np.stack(results)) if results else x
        if self.rescale:
            x = x * self.rescale
        dims = tuple(range(1, x.ndim))
        if self.samplewise_center:
            x = x - x.mean(dim=dims, keepdim=True)
        if self.samplewise_std_normalization:
            x = x / (x.std(dim=dims, keepdim=True, correction=0) + 1e-6)
        if self.featurewise_center:
            if self.mean is not None:
                x = x - torch.as_tensor(self.mean, dtype=x.dtype)
            else:
                self._warn_not_fit("featurewise_center")
        if self.featurewise_std_normalization:
            if self.std is not None:
                x = x / (torch.as_tensor(self.std, dtype=x.dtype) + 1e-6)
            else:
                self._warn_not_fit("featurewise_std_normalization")
        if self.zca_whitening:
            if self.zca_whitening_matrix is not None:
                matrix = torch.as_tensor(self.zca_whitening_matrix, dtype=x.dtype)
                x = (x.reshape(x.shape[0], -1) @ matrix).reshape(x.shape)
            else:
                self._warn_not_fit("zca_whitening")
        return x

    # ------------------------------------------------------------- transforms
    def get_random_transform(self, img_shape, seed=None):
        """Draws random transformation parameters for an image of shape `img_shape`.

        Args:
            img_shape: Shape of one image (rank 3).
            seed: Optional seed (draws as after `np.random.seed(seed)`).

        Returns:
            A dict with `theta`, `tx`, `ty`, `shear`, `zx`, `zy`, `flip_horizontal`,
            `flip_vertical`, `channel_shift_intensity`, `brightness`.
        """
        return self._draw_transform(img_shape, _rng(seed))

    def _draw_transform(self, img_shape, rng):
        img_row_axis, img_col_axis = self.row_axis - 1, self.col_axis - 1
        theta = rng.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        if self.height_shift_range:
            try:
                tx = rng.choice(self.height_shift_range)
                tx *= rng.choice([-1, 1])
            except ValueError:
                tx = rng.uniform(-self.height_shift_range, self.height_shift_range)
            if np.max(self.height_shift_range) < 1:
                tx *= img_shape[img_row_axis]
        else:
            tx = 0
        if self.width_shift_range:
            try:
                ty = rng.choice(self.width_shift_range)
                ty *= rng.choice([-1, 1])
            except ValueError:
                ty = rng.uniform(-self.width_shift_range, self.width_shift_range)
            if np.max(self.width_shift_range) < 1:
                ty *= img_shape[img_col_axis]
        else:
            ty = 0
        shear = rng.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = rng.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (rng.random() < 0.5) * self.horizontal_flip
        flip_vertical = (rng.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = rng.uniform(-self.channel_shift_range,
                                                  self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = rng.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift_intensity, "brightness": brightness}

    def _apply_transform_batch(self, x: torch.Tensor, params: list[dict]) -> torch.Tensor:
        """Applies one parameter dict per image to a batch tensor, vectorised."""
        if x.shape[0] == 0:
            return x
        row, col, ch = self.row_axis, self.col_axis, self.channel_axis
        h, w = x.shape[row], x.shape[col]

        def column(key, default):
            return np.asarray([p.get(key, default) for p in params], dtype=np.float64)

        mats = _affine.legacy_transform_matrices(
            column("theta", 0), column("tx", 0), column("ty", 0), column("shear", 0),
            column("zx", 1), column("zy", 1), h, w, swap=col > row)
        moving = ~_affine.is_identity(mats)
        # Flips commute with the per-pixel channel shift and brightness that Keras applies
        # in between, so for warped images they are folded into the sampling grid.
        flip_h = np.asarray([bool(p.get("flip_horizontal", False)) for p in params])
        flip_v = np.asarray([bool(p.get("flip_vertical", False)) for p in params])
        if moving.any() and (flip_h.any() or flip_v.any()):
            mats = mats.copy()
            fh = np.array([[1, 0, 0], [0, -1, w - 1], [0, 0, 1]], dtype=np.float64)
            fv = np.array([[-1, 0, h - 1], [0, 1, 0], [0, 0, 1]], dtype=np.float64)
            mats[moving & flip_h] = mats[moving & flip_h] @ fh
            mats[moving & flip_v] = mats[moving & flip_v] @ fv
            flip_h, flip_v = flip_h & ~moving, flip_v & ~moving
        if moving.any():
            channels_last = ch == 3
            if moving.all():
                x = _affine.warp(x, mats, fill_mode=self.fill_mode, fill_value=self.cval,
                                 order=self.interpolation_order, convention="scipy",
                                 channels_last=channels_last)
            else:
                idx = torch.from_numpy(np.flatnonzero(moving))
                x = x.clone()
                x[idx] = _affine.warp(x[idx], mats[moving], fill_mode=self.fill_mode,
                                      fill_value=self.cval, order=self.interpolation_order,
                                      convention="scipy", channels_last=channels_last)
        shifts = [p.get("channel_shift_intensity") for p in params]
        if any(s is not None for s in shifts):
            sel = torch.tensor([s is not None for s in shifts])
            amount = torch.tensor([0.0 if s is None else float(s) for s in shifts],
                                  dtype=torch.float64)
            view = (-1,) + (1,) * (x.ndim - 1)
            flat = x.reshape(x.shape[0], -1)
            lo = flat.min(dim=1).values.view(view)
            hi = flat.max(dim=1).values.view(view)
            # In float64, as NumPy promotes `float32 image + float64 scalar` in Keras.
            shifted = x.to(torch.float64) + amount.view(view)
            shifted = torch.minimum(torch.maximum(shifted, lo.to(torch.float64)),
                                    hi.to(torch.float64)).to(x.dtype)
            x = torch.where(sel.view(view), shifted, x)
        for flips, axis in ((flip_h, col), (flip_v, row)):
            if flips.any():
                idx = torch.from_numpy(np.flatnonzero(flips))
                x = x.clone()  # never write into the caller's array
                x[idx] = x[idx].flip(axis)
        factors = [p.get("brightness") for p in params]
        if any(f is not None for f in factors):
            sel = np.asarray([f is not None for f in factors])
            idx = torch.from_numpy(np.flatnonzero(sel))
            x = x.clone()
            values = torch.tensor([float(f) for f in factors if f is not None])
            x[idx] = _quantized_brightness(x[idx], values)
        return x

    def apply_transform(self, x, transform_parameters):
        """Applies a transformation to one image according to the given parameters.

        Args:
            x: One image (rank 3, NumPy).
            transform_parameters: Dict as returned by `get_random_transform` (missing
                keys mean "no change").

        Returns:
            The transformed image (same shape).
        """
        array = np.asarray(x)
        if array.ndim != 3:
            raise ValueError(
                f"`apply_transform` takes one image of rank 3; received shape {array.shape}. "
                "For a batch, use `flow(x)` or loop over the images."
            )
        dtype = array.dtype if array.dtype.kind == "f" else np.dtype(self.dtype)
        batch = torch.from_numpy(np.ascontiguousarray(array, dtype=dtype)[None])
        out = self._apply_transform_batch(batch, [transform_parameters])
        return out[0].numpy()

    def random_transform(self, x, seed=None):
        """Applies a random transformation to one image.

        Args:
            x: One image (rank 3).
            seed: Optional random seed.

        Returns:
            The randomly transformed image (same shape).
        """
        params = self.get_random_transform(np.shape(x), seed)
        return self.apply_transform(x, params)

    def _augment_batch(self, batch_x: np.ndarray, rng) -> np.ndarray:
        """Random transform then standardize each image of a batch (Keras' per-image
        pipeline, with the draws in Keras' order), vectorised over the batch."""
        params = [self._draw_transform(batch_x.shape[1:], rng) for _ in range(len(batch_x))]
        x = torch.from_numpy(np.ascontiguousarray(batch_x, dtype=self.dtype))
        x = self._apply_transform_batch(x, params)
        x = self._standardize_batch(x)
        return np.ascontiguousarray(x.numpy(), dtype=self.dtype)

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the statistics used by `featurewise_center`,
        `featurewise_std_normalization` and `zca_whitening` from sample data.

        Args:
            x: Sample images, rank 4 (with 1, 3 or 4 channels).
            augment: Fit on randomly augmented copies of the data.
            rounds: Number of augmentation passes when `augment=True`.
            seed: Random seed.
        """
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: "
                             f"{x.shape}")
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(
                f'Expected input to be images (as Numpy array) following the data format '
                f'convention "{self.data_format}" (channels on axis {self.channel_axis}), i.e. '
                f"expected either 1, 3 or 4 channels on axis {self.channel_axis}. However, it "
                f"was passed an array with shape {x.shape} ({x.shape[self.channel_axis]} "
                "channels).", stacklevel=2)
        rng = _rng(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            passes = []
            for _ in range(rounds):
                params = [self._draw_transform(x.shape[1:], rng) for _ in range(len(x))]
                passes.append(self._apply_transform_batch(torch.from_numpy(x), params).numpy())
            x = np.concatenate(passes).astype(self.dtype, copy=False)
        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)),
                                   broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)),
                                  broadcast_shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            flat_x = np.reshape(x, (n, -1))
            u, s, _ = np.linalg.svd(flat_x.T, full_matrices=False)
            s_inv = np.sqrt(n) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv).dot(u.T)


# ====================================================================== functions
def _single(x, row_axis, col_axis, channel_axis):
    x = np.asarray(x)
    if len({row_axis, col_axis, channel_axis}) != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {({row_axis, col_axis, channel_axis})}")
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images (rank 3).")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    return x


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1,
                           col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Applies an affine transformation to one image (Keras' legacy function).

    Args:
        x: Image, rank 3.
        theta: Rotation angle in degrees.
        tx, ty: Shifts (pixels) along Keras' first and second transform axes.
        shear: Shear angle in degrees.
        zx, zy: Zoom factors.
        row_axis, col_axis, channel_axis: Axes of the image.
        fill_mode: `"constant"`, `"nearest"`, `"reflect"` or `"wrap"`.
        cval: Fill value for `"constant"`.
        order: Interpolation order (0 or 1; 2-5 need SciPy).

    Returns:
        The transformed image.
    """
    x = _single(x, row_axis, col_axis, channel_axis)
    if theta == 0 and tx == 0 and ty == 0 and shear == 0 and zx == 1 and zy == 1:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    mats = _affine.legacy_transform_matrices(theta, tx, ty, shear, zx, zy, h, w,
                                             swap=col_axis > row_axis)
    moved = np.moveaxis(x, channel_axis, -1)
    dtype = moved.dtype if moved.dtype.kind == "f" else np.float64
    if row_axis > col_axis:  # the spatial axes are stored (col, row)
        moved = np.swapaxes(moved, 0, 1)
    batch = torch.from_numpy(np.ascontiguousarray(moved, dtype=dtype)[None])
    out = _affine.warp(batch, mats, fill_mode=fill_mode, fill_value=cval, order=order,
                       convention="scipy", channels_last=True)[0].numpy()
    if row_axis > col_axis:
        out = np.swapaxes(out, 0, 1)
    return np.moveaxis(out, -1, channel_axis).astype(x.dtype, copy=False)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates one image by a random angle in `(-rg, rg)` degrees."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts one image by random fractions `(-hrg, hrg)` and `(-wrg, wrg)`."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears one image by a random angle in `(-intensity, intensity)` degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zooms one image by random factors drawn from `zoom_range = (low, high)`."""
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats. Received: "
                         f"{zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel of one image, clipped to the image's range."""
    x = np.rollaxis(np.asarray(x), channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, min_x, max_x) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Channel shift by a random intensity in `(-intensity_range, intensity_range)`."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def apply_brightness_shift(x, brightness, scale=True):
    """Changes the brightness of one channels-last image by `brightness` (1.0 keeps it),
    through an 8-bit image as Keras does (Pillow's `ImageEnhance.Brightness`).

    Args:
        x: Image, rank 3, channels last.
        brightness: Factor.
        scale: Whether the result is left scaled to `[0, 255]` when the input was not.
    """
    x = np.asarray(x)
    from PIL import ImageEnhance  # optional library, loaded only for brightness shifts

    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    img = array_to_img(x, scale=local_scale or scale)
    img = ImageEnhance.Brightness(img).enhance(brightness)
    out = img_to_array(img)
    if not scale and local_scale:
        out = out / 255 * (x_max - x_min) + x_min
    return out


def random_brightness(x, brightness_range, scale=True):
    """Brightness shift by a random factor drawn from `brightness_range = (low, high)`."""
    if len(brightness_range) != 2:
        raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: "
                         f"{brightness_range}")
    u = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, u, scale)


def transform_matrix_offset_center(matrix, x, y):
    """Centres a 3x3 transform on an image of size `(x, y)` (Keras' helper)."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return np.dot(np.dot(offset, matrix), reset)
