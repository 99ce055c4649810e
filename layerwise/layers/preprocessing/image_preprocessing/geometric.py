"""Geometric augmentation layers: `RandomFlip`, `RandomRotation`, `RandomZoom`,
`RandomTranslation`, on one batched affine warp (`backend/affine.py`)."""

from __future__ import annotations

import math

import torch

from layerwise.backend import affine as _affine
from layerwise.layers.preprocessing.base import set_factor
from layerwise.layers.preprocessing.image_preprocessing.base import (
    _FILL_MODES,
    _INTERPOLATIONS,
    _hw_axes,
    _ImageLayer,
)


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

    def _batch_hw(self, images):
        """`(batch size, height, width)` of a batch of images or of one image."""
        batch = images.shape[0] if images.ndim == 4 else 1
        return (batch, *self._hw(images if images.ndim == 4 else images.unsqueeze(0)))

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
        batch, h, w = self._batch_hw(images)
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
        batch, h, w = self._batch_hw(images)
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
        batch, h, w = self._batch_hw(images)
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
