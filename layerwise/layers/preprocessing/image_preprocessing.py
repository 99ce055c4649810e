"""Image preprocessing and augmentation layers: `Rescaling`, `Resizing`, `CenterCrop`,
`RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`, `RandomContrast`,
`RandomBrightness`, `RandomCrop`.

As in Keras 3, the random layers augment when called with `training=True` (in
`fit`) or with no training flag at all (a direct call), and pass images through
unchanged in `predict` / `evaluate` (`training=False`). Each batch is transformed
in one vectorised call; geometric transforms sample with Keras 3's conventions
(`fill_mode` "reflect" by default, bilinear interpolation).
"""

from __future__ import annotations

import math

import torch

from layerwise.backend import affine as _affine
from layerwise.backend.config import image_data_format
from layerwise.layers.preprocessing.base import DataLayer, set_factor, standardize_image_format
from layerwise.utils.image_utils import resize_images

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _hw_axes(data_format):
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


def _check_rank(images, name):
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name}: expected an image tensor of rank 3 (one image) or 4 (a batch of images). "
            f"Received: shape={tuple(images.shape)}"
        )


class _ImageLayer(DataLayer):
    """Applies `transform_images` to an image tensor, or to `data["images"]` of a dict
    (`labels` pass through, `segmentation_masks` follow geometric transforms)."""

    _geometric = False

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_image_format(data_format)

    def get_random_transformation(self, images, training=True):
        return None

    def transform_images(self, images, transformation, training=True):
        raise NotImplementedError

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return masks

    def call(self, inputs, training=None):
        training = True if training is None else bool(training)
        if isinstance(inputs, dict):
            if "bounding_boxes" in inputs:
                raise NotImplementedError(
                    f"{type(self).__name__}: bounding boxes are not supported in layerwise; "
                    "pass `images` (and optionally `labels`, `segmentation_masks`)."
                )
            data = dict(inputs)
            images = data["images"]
            _check_rank(images, type(self).__name__)
            transformation = self.get_random_transformation(images, training)
            data["images"] = self._apply(images, transformation, training)
            if "segmentation_masks" in data:
                data["segmentation_masks"] = self._apply(
                    data["segmentation_masks"], transformation, training, masks=True)
            return data
        _check_rank(inputs, type(self).__name__)
        transformation = self.get_random_transformation(inputs, training)
        return self._apply(inputs, transformation, training)

    def _apply(self, images, transformation, training, masks=False):
        unbatched = images.ndim == 3
        if unbatched:
            images = images.unsqueeze(0)
        if masks:
            out = self.transform_segmentation_masks(images, transformation, training)
        else:
            out = self.transform_images(images, transformation, training)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


# ---------------------------------------------------------------- deterministic
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
class RandomFlip(_ImageLayer):
    """Randomly flips images horizontally and/or vertically (training only).

    Args:
        mode: `"horizontal"`, `"vertical"` or `"horizontal_and_vertical"` (default; as
            in Keras, an image is then flipped along both axes or not at all).
        seed: Integer seed.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.RandomFlip("horizontal", seed=0)
    >>> layer(torch.ones(2, 4, 4, 3), training=False).shape
    torch.Size([2, 4, 4, 3])
    """

    _geometric = True

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(
                "RandomFlip layer: `mode` must be 'horizontal', 'vertical' or "
                f"'horizontal_and_vertical'. Received: mode={mode!r}"
            )
        self.mode = mode
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        if not training:
            return None
        batch = images.shape[0] if images.ndim == 4 else 1
        return {"flips": self._uniform((batch,), 0, 1, images.device) <= 0.5}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        flips = transformation["flips"].view(-1, 1, 1, 1)
        h_axis, w_axis = _hw_axes(self.data_format)
        out = images
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = torch.where(flips, out.flip(w_axis), out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = torch.where(flips, out.flip(h_axis), out)
        return out

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return self.transform_images(masks, transformation, training)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed})
        return config


def compute_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x,
                          shear_y, height, width) -> torch.Tensor:
    """Keras 3's 8-parameter affine transforms `(batch, 8)` (angles in degrees)."""
    to_rad = math.pi / 180.0
    angle = angle.to(torch.float64) * to_rad
    shear_x = torch.tan(torch.as_tensor(shear_x, dtype=torch.float64) * to_rad)
    shear_y = torch.tan(torch.as_tensor(shear_y, dtype=torch.float64) * to_rad)
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = torch.zeros_like(a0)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0, data_format="channels_last"):
    """Keras 3's `ops.image.affine_transform` for a batch `(b, h, w, c)`: `transform` rows
    `[a0, a1, a2, b0, b1, b2, c0, c1]` map output `(x, y)` to input
    `(a0 x + a1 y + a2, b0 x + b1 y + b2)` (projective terms must be 0)."""
    t = torch.as_tensor(transform, dtype=torch.float64)
    if t.ndim == 1:
        t = t.unsqueeze(0)
    a0, a1, a2, b0, b1, b2 = (t[:, i] for i in range(6))
    # Rows: input (row, col) from output (row, col) = (y, x).
    mats = torch.stack([torch.stack([b1, b0, b2], 1), torch.stack([a1, a0, a2], 1)], 1)
    order = 1 if interpolation == "bilinear" else 0
    return _affine.warp(images, mats, fill_mode=fill_mode, fill_value=fill_value, order=order,
                        convention="grid", channels_last=data_format == "channels_last")


class _AffineLayer(_ImageLayer):
    _geometric = True

    def _init_affine(self, fill_mode, interpolation, seed, fill_value):
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(
                f"Unknown `fill_mode` {fill_mode}. Expected of one {_FILL_MODES}."
            )
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(
                f"Unknown `interpolation` {interpolation}. Expected of one {_INTERPOLATIONS}."
            )
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._make_generator(seed)

    def _transform_matrix(self, transformation):
        raise NotImplementedError

    def _warp(self, images, transformation, interpolation):
        matrix = self._transform_matrix(transformation)
        return affine_transform(images, matrix, interpolation, self.fill_mode, self.fill_value,
                                self.data_format)

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        return self._warp(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        if not training or transformation is None:
            return masks
        return self._warp(masks, transformation, "nearest")

    def _hw(self, images):
        h_axis, w_axis = _hw_axes(self.data_format)
        return images.shape[h_axis], images.shape[w_axis]

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "seed": self.seed, "fill_value": self.fill_value})
        return config


class RandomRotation(_AffineLayer):
    """Randomly rotates images during training.

    Args:
        factor: Fraction of 2π: a float `f` rotates by an angle in `[-f * 360, f * 360]`
            degrees; a pair `(low, high)` gives the range directly (positive values
            rotate counter-clockwise).
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"` or `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: Integer seed.
        fill_value: Value outside the image for `fill_mode="constant"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomRotation(0.1, seed=0)(torch.rand(2, 8, 8, 3)).shape
    torch.Size([2, 8, 8, 3])
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = set_factor(factor, (-1, 1))
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, images, training=True):
        if not training:
            return None
        batch = images.shape[0] if images.ndim == 4 else 1
        h, w = self._hw(images if images.ndim == 4 else images.unsqueeze(0))
        angle = self._uniform((batch,), self.factor[0] * 360.0, self.factor[1] * 360.0)
        return {"angle": angle, "image_height": h, "image_width": w}

    def _transform_matrix(self, transformation):
        angle = torch.as_tensor(transformation["angle"])
        batch = angle.shape[0]
        zeros = torch.zeros(batch, dtype=torch.float64)
        return compute_affine_matrix(0.5, 0.5, angle, zeros, zeros, 1.0, zeros, zeros,
                                     transformation["image_height"],
                                     transformation["image_width"])

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


def _symmetric_factor(factor, name, low_exclusive):
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the "
               f"range {'(' if low_exclusive else '['}-1.0, 1.0]. Received: {name}={factor}")

    def check(v):
        if v > 1.0 or (v <= -1.0 if low_exclusive else v < -1.0):
            raise ValueError(message)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message)
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return (-abs(factor), abs(factor))
    raise ValueError(message)


class RandomZoom(_AffineLayer):
    """Randomly zooms images during training.

    Args:
        height_factor: Float or `(low, high)` in `(-1, 1]`: the height is scaled by a
            factor in `[1 + low, 1 + high]`. Positive values zoom out, negative values
            zoom in. `0.2` means `[-0.2, 0.2]`.
        width_factor: As `height_factor` for the width; `None` (default) keeps the aspect
            ratio (the same factor as the height).
        fill_mode, interpolation, seed, fill_value, data_format: As in `RandomRotation`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomZoom(0.2, seed=0)(torch.rand(2, 8, 8, 3)).shape
    torch.Size([2, 8, 8, 3])
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _symmetric_factor(height_factor, "height_factor",
                                                                 True)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _symmetric_factor(width_factor,
                                                                   "width_factor", True)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, images, training=True):
        if not training:
            return None
        batch = images.shape[0] if images.ndim == 4 else 1
        h, w = self._hw(images if images.ndim == 4 else images.unsqueeze(0))
        height_zoom = self._uniform((batch, 1), 1.0 + self.height_lower, 1.0 + self.height_upper)
        if self.width_factor is not None:
            width_zoom = self._uniform((batch, 1), 1.0 + self.width_lower,
                                       1.0 + self.width_upper)
        else:
            width_zoom = height_zoom
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "image_height": h, "image_width": w}

    def _transform_matrix(self, transformation):
        zx = torch.as_tensor(transformation["width_zoom"], dtype=torch.float64).reshape(-1)
        zy = torch.as_tensor(transformation["height_zoom"], dtype=torch.float64).reshape(-1)
        h, w = transformation["image_height"], transformation["image_width"]
        zeros = torch.zeros_like(zx)
        x_off = (w - 1.0) / 2.0 * (1.0 - zx)
        y_off = (h - 1.0) / 2.0 * (1.0 - zy)
        return torch.stack([zx, zeros, x_off, zeros, zy, y_off, zeros, zeros], dim=1)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomTranslation(_AffineLayer):
    """Randomly translates images during training.

    Args:
        height_factor: Float or `(low, high)` in `[-1, 1]`, as a fraction of the height:
            `0.2` shifts vertically by up to 20% either way (negative = up).
        width_factor: The same for horizontal shifts (negative = left).
        fill_mode, interpolation, seed, fill_value, data_format: As in `RandomRotation`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomTranslation(0.1, 0.1, seed=0)(torch.rand(2, 8, 8, 3)).shape
    torch.Size([2, 8, 8, 3])
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _symmetric_factor(height_factor, "height_factor",
                                                                 False)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _symmetric_factor(width_factor, "width_factor",
                                                               False)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, images, training=True):
        if not training:
            return None
        batch = images.shape[0] if images.ndim == 4 else 1
        h, w = self._hw(images if images.ndim == 4 else images.unsqueeze(0))
        dy = self._uniform((batch, 1), self.height_lower, self.height_upper) * h
        dx = self._uniform((batch, 1), self.width_lower, self.width_upper) * w
        return {"translations": torch.cat([dx, dy], dim=1)}

    def _transform_matrix(self, transformation):
        t = torch.as_tensor(transformation["translations"], dtype=torch.float64)
        ones, zeros = torch.ones(t.shape[0], dtype=torch.float64), torch.zeros(
            t.shape[0], dtype=torch.float64)
        return torch.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], dim=1)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomContrast(_ImageLayer):
    """Randomly adjusts the contrast of each image during training:
    `(x - mean) * factor + mean`, per channel, clipped to `value_range`.

    Args:
        factor: Float or `(low, high)` in `[0, 1]`; the contrast factor is drawn from
            `[1 - low, 1 + high]` where a single float `f` means `low = 0, high = f`
            (as Keras 3 computes it).
        value_range: `(min, max)` of the images (default `(0, 255)`).
        seed: Integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomContrast(0.5, seed=0)(torch.rand(2, 4, 4, 3) * 255).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = set_factor(factor, (0, 1))
        self.value_range = value_range
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        batch = images.shape[0] if images.ndim == 4 else 1
        if not training:
            return {"contrast_factor": torch.zeros(batch, 1, 1, 1)}
        factor = self._uniform((batch, 1, 1, 1), 1.0 - self.factor[0], 1.0 + self.factor[1],
                               images.device, images.dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        h_axis, w_axis = _hw_axes(self.data_format)
        factor = torch.as_tensor(transformation["contrast_factor"], dtype=images.dtype,
                                 device=images.device).reshape(-1, 1, 1, 1)
        mean = images.mean(dim=(h_axis, w_axis), keepdim=True)
        out = (images - mean) * factor + mean
        return out.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomBrightness(_ImageLayer):
    """Randomly adds a brightness delta to each image during training, clipped to
    `value_range`.

    Args:
        factor: Float or `(low, high)` in `[-1, 1]`, a fraction of the value range:
            `0.2` adds a delta in `[-0.2, 0.2] * (max - min)`.
        value_range: `(min, max)` of the images (default `(0, 255)`).
        seed: Integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomBrightness(0.2, seed=0)(torch.rand(2, 4, 4, 3) * 255).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = set_factor(factor, (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        batch = images.shape[0] if images.ndim == 4 else 1
        if not training:
            return {"rgb_delta": torch.zeros(batch, 1, 1, 1)}
        delta = self._uniform((batch, 1, 1, 1), self.factor[0], self.factor[1], images.device)
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        delta = torch.as_tensor(transformation["rgb_delta"], device=images.device).to(
            images.dtype).reshape(-1, 1, 1, 1)
        return (images + delta).clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


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
