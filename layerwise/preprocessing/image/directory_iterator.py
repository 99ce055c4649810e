"""Iterators over image files: `DirectoryIterator` (one sub-folder a class) and
`DataFrameIterator` (file names and labels in a pandas `DataFrame`)."""

from __future__ import annotations

import os
import warnings

import numpy as np

from layerwise.backend.config import floatx, image_data_format
from layerwise.preprocessing.image.iterator import Iterator
from layerwise.utils.image_utils import img_to_array, load_img
from layerwise.utils.py_dataset import loader_pool


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
