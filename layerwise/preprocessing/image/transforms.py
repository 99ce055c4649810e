"""Pixel-value transforms of the legacy API: channel and brightness shifts, flips."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.utils.image_utils import array_to_img, img_to_array


def flip_axis(x, axis):
    """Reverses `x` along `axis` (NumPy)."""
    return np.flip(np.asarray(x), axis)


def _channel_shift_batch(x: torch.Tensor, shifts: list) -> torch.Tensor:
    """Keras' `apply_channel_shift` for a batch `(b, ...)`: image `i` (where `shifts[i]`
    is not `None`) is shifted by `shifts[i]` and clipped to its own min and max."""
    sel = torch.tensor([s is not None for s in shifts])
    amount = torch.tensor([0.0 if s is None else float(s) for s in shifts], dtype=torch.float64)
    view = (-1,) + (1,) * (x.ndim - 1)
    flat = x.reshape(x.shape[0], -1)
    lo = flat.min(dim=1).values.view(view)
    hi = flat.max(dim=1).values.view(view)
    # In float64, as NumPy promotes `float32 image + float64 scalar` in Keras.
    shifted = x.to(torch.float64) + amount.view(view)
    shifted = torch.minimum(torch.maximum(shifted, lo.to(torch.float64)),
                            hi.to(torch.float64)).to(x.dtype)
    return torch.where(sel.view(view), shifted, x)


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
