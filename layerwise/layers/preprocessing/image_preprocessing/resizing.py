"""Layers that change an image's size or scale: `Rescaling`, `Resizing`, `CenterCrop`,
`RandomCrop`."""

from __future__ import annotations

import torch

from layerwise.backend.config import image_data_format
from layerwise.layers.preprocessing.base import DataLayer
from layerwise.layers.preprocessing.image_preprocessing.base import _hw_axes, _ImageLayer
from layerwise.utils.image_utils import resize_images


class Rescaling(DataLayer):
    """Multiplies the inputs by `scale` and adds `offset`.

    Args:
        scale: Float (or per-channel list) multiplier, e.g. `1 / 255`.
        offset: Float (or per-channel list) added after scaling, e.g. `-1` with
            `scale=1 / 127.5` maps `[0, 255]` to `[-1, 1]`.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.layers.Rescaling(1 / 255)(np.array([[0.0, 255.0]]))
    tensor([[0., 1.]])
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.torch_dtype
        scale = torch.as_tensor(self.scale, dtype=dtype, device=inputs.device)
        offset = torch.as_tensor(self.offset, dtype=dtype, device=inputs.device)
        if scale.ndim > 0 and image_data_format() == "channels_first":
            scale = scale.reshape(tuple(scale.shape) + (1,) * (3 - scale.ndim))
        return inputs.to(dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


class Resizing(_ImageLayer):
    """Resizes images to `(height, width)` (in training and inference).

    Args:
        height, width: Output size.
        interpolation: `"bilinear"` (default), `"nearest"`, `"bicubic"` or `"area"`.
        crop_to_aspect_ratio: Center-crop to the target aspect ratio first (no distortion).
        pad_to_aspect_ratio: Pad with `fill_value` to the target aspect ratio first.
        fill_mode: Only `"constant"`.
        fill_value: Padding value for `pad_to_aspect_ratio`.
        antialias: Antialiasing filter when downsampling (bilinear/bicubic).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Integer images are resized in float and rounded back to their dtype.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.layers.Resizing(8, 8)(np.zeros((2, 32, 16, 3))).shape
    torch.Size([2, 8, 8, 3])
    """

    _cast_inputs = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)
        if interpolation not in ("bilinear", "nearest", "bicubic", "area"):
            raise ValueError(
                f"Invalid `interpolation` {interpolation!r}: expected 'bilinear', 'nearest', "
                "'bicubic' or 'area' (Lanczos is not available on the torch backend)."
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             "`True`.")
        if fill_mode != "constant":
            raise ValueError(f"Invalid `fill_mode` {fill_mode!r}: only 'constant' is supported.")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def transform_images(self, images, transformation=None, training=True):
        return self._resize(images, self.interpolation)

    def transform_segmentation_masks(self, masks, transformation=None, training=True):
        return self._resize(masks, "nearest")

    def _resize(self, images, interpolation):
        return resize_images(images, (self.height, self.width), interpolation,
                             antialias=self.antialias, data_format=self.data_format,
                             crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                             pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                             fill_value=self.fill_value)

    def compute_output_shape(self, input_shape):
        return _resized_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width,
                       "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "antialias": self.antialias})
        return config


def _crop(images, h0, w0, h, w, data_format):
    if data_format == "channels_last":
        return images[..., h0:h0 + h, w0:w0 + w, :]
    return images[..., h0:h0 + h, w0:w0 + w]


def _resized_shape(input_shape, height, width, data_format):
    shape = list(input_shape)
    h_axis, w_axis = _hw_axes(data_format)
    shape[h_axis], shape[w_axis] = height, width
    return tuple(shape)


def _aspect_crop_resize(images, height, width, data_format):
    """Largest centred crop with the target aspect ratio, resized (Keras' smart_resize)."""
    h_axis, w_axis = _hw_axes(data_format)
    in_h, in_w = images.shape[h_axis], images.shape[w_axis]
    crop_h = max(min(in_h, int(float(in_w * height) / width)), 1)
    crop_w = max(min(in_w, int(float(in_h * width) / height)), 1)
    h0, w0 = int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2)
    images = _crop(images, h0, w0, crop_h, crop_w, data_format)
    if (crop_h, crop_w) == (height, width):
        return images
    return resize_images(images, (height, width), "bilinear", data_format=data_format)


class CenterCrop(_ImageLayer):
    """Crops the central `(height, width)` region of the images (always applied).

    Images smaller than the target are resized without distortion instead (largest
    centred crop with the target aspect ratio, then bilinear resizing).

    Args:
        height, width: Output size.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.layers.CenterCrop(4, 4)(np.zeros((2, 10, 8, 3))).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)

    def transform_images(self, images, transformation=None, training=True):
        h_axis, w_axis = _hw_axes(self.data_format)
        h_diff = images.shape[h_axis] - self.height
        w_diff = images.shape[w_axis] - self.width
        if h_diff >= 0 and w_diff >= 0:
            return _crop(images, h_diff // 2, w_diff // 2, self.height, self.width,
                         self.data_format)
        return _aspect_crop_resize(images, self.height, self.width, self.data_format)

    def transform_segmentation_masks(self, masks, transformation=None, training=True):
        return self.transform_images(masks, transformation, training)

    def compute_output_shape(self, input_shape):
        return _resized_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


# ---------------------------------------------------------------- random
class RandomCrop(_ImageLayer):
    """Randomly crops a `(height, width)` window (one position per batch) in training.

    At inference, and in training when the input is not larger than the target, the
    images are center-cropped to the target aspect ratio and resized to
    `(height, width)`, so the output size is always the same. (Keras 3.15 returns the
    input unchanged at inference, contradicting its documentation and
    `compute_output_shape`; layerwise follows the documentation.)

    Args:
        height, width: Output size.
        seed: Integer seed.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomCrop(4, 4, seed=0)(torch.rand(2, 8, 8, 3)).shape
    torch.Size([2, 4, 4, 3])
    """

    _geometric = True

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        h_axis, w_axis = _hw_axes(self.data_format)
        in_h, in_w = images.shape[h_axis], images.shape[w_axis]
        if training and in_h > self.height and in_w > self.width:
            h0 = int(self._uniform((), 0, float(in_h - self.height + 1)).item())
            w0 = int(self._uniform((), 0, float(in_w - self.width + 1)).item())
            return (min(h0, in_h - self.height), min(w0, in_w - self.width))
        return None

    def transform_images(self, images, transformation, training=True):
        if transformation is None:
            return _aspect_crop_resize(images, self.height, self.width, self.data_format)
        h0, w0 = transformation
        return _crop(images, h0, w0, self.height, self.width, self.data_format)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return self.transform_images(masks, transformation, training)

    def compute_output_shape(self, input_shape):
        return _resized_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
