"""`image_dataset_from_directory`: a `layerwise.data.Dataset` of images read from folders."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from layerwise.backend.config import standardize_data_format
from layerwise.utils.dataset_utils import IMAGE_FORMATS, list_directory, make_datasets
from layerwise.utils.image_utils import _pil, resize_images


@dataclasses.dataclass(eq=False)
class _ImageLoader:
    image_size: tuple
    num_channels: int
    interpolation: str
    data_format: str
    crop: bool
    pad: bool

    def __call__(self, path):
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
        format: Accepted for compatibility (`"tf"`/`"grain"`); the result is always a
            `layerwise.data.Dataset`.
        verbose: Print how many files were found.

    Returns:
        A `layerwise.data.Dataset` of `(images, labels)` batches (float32 images in
        `[0, 255]`, as NumPy arrays with tf.data's `.numpy()`),
        with `class_names` and `file_paths`; a list of two for `subset="both"`.

    Example:

    ```python
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        "flowers", validation_split=0.2, subset="both", seed=1337, image_size=(180, 180))
    model.fit(train_ds, validation_data=val_ds, epochs=10)
    ```
    """
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
    paths, labels, label_mode, class_names, seed = list_directory(
        directory, labels, label_mode, class_names, IMAGE_FORMATS, "image", shuffle, seed,
        validation_split, subset, follow_links, verbose)
    loader = _ImageLoader(tuple(int(s) for s in image_size), channels, interpolation,
                          standardize_data_format(data_format), crop_to_aspect_ratio,
                          pad_to_aspect_ratio)
    return make_datasets(paths, labels, label_mode, class_names, loader, batch_size, shuffle,
                          seed, validation_split, subset, directory, "images")
