"""`ImageDataGenerator`: Keras 2's real-time image augmentation (see `preprocessing/image/`
for the parity notes: same arguments, same random draws, batched torch warps)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch

from layerwise.backend import affine as _affine
from layerwise.backend.config import floatx, image_data_format
from layerwise.preprocessing.image.directory_iterator import DataFrameIterator, DirectoryIterator
from layerwise.preprocessing.image.generator_arguments import check_arguments, zoom_range_pair
from layerwise.preprocessing.image.iterator import NumpyArrayIterator, _rng
from layerwise.preprocessing.image.transforms import _channel_shift_batch, _quantized_brightness


def _draw_shift(rng, shift_range, size):
    """A random shift as Keras draws it: one of the values of a list (either sign), else
    uniform in `(-shift_range, shift_range)`; a fraction of `size` where the range is < 1."""
    if not shift_range:
        return 0
    try:
        shift = rng.choice(shift_range)
        shift *= rng.choice([-1, 1])
    except ValueError:
        shift = rng.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift


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
        check_arguments(fill_mode, interpolation_order, data_format, validation_split,
                        brightness_range)
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
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or floatx()
        self.interpolation_order = int(interpolation_order)
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        self.zoom_range = zoom_range_pair(zoom_range)
        self._resolve_normalization_flags()
        self.brightness_range = brightness_range

    def _resolve_normalization_flags(self) -> None:
        """`zca_whitening` implies featurewise centering without std normalization, and
        std normalization implies centering (each override warns, as Keras)."""
        zca, center = self.zca_whitening, self.featurewise_center
        std = self.featurewise_std_normalization
        if zca:
            if not center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which "
                              "overrides setting of `featurewise_center`.", stacklevel=3)
            if std:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which "
                              "overrides setting of `featurewise_std_normalization`.",
                              stacklevel=3)
        if std and not center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=3)
        if self.samplewise_std_normalization and not self.samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=3)

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
        tx = _draw_shift(rng, self.height_shift_range, img_shape[img_row_axis])
        ty = _draw_shift(rng, self.width_shift_range, img_shape[img_col_axis])
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
            x = _channel_shift_batch(x, shifts)
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
