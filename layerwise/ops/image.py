"""`keras.ops.image`: resizing, cropping, padding, color spaces, patches, filters.

Images are channels-last by default (`(batch, height, width, channels)` or a single
`(height, width, channels)` image); `data_format="channels_first"` is accepted.
Geometric warps (`affine_transform`, `map_coordinates`, ...) are in `image_transform.py`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import standardize_data_format
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op
from layerwise.ops.image_transform import _gaussian_1d
from layerwise.ops.image_transform import affine_transform as affine_transform
from layerwise.ops.image_transform import elastic_transform as elastic_transform
from layerwise.ops.image_transform import gaussian_blur as gaussian_blur
from layerwise.ops.image_transform import map_coordinates as map_coordinates
from layerwise.ops.image_transform import perspective_transform as perspective_transform
from layerwise.ops.image_transform import scale_and_translate as scale_and_translate
from layerwise.ops.nn_conv import conv

_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def _images(images, name: str = "images") -> torch.Tensor:
    images = _t(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"`{name}` must be rank 3 (one image) or 4 (a batch). Received shape "
                         f"{tuple(images.shape)}.")
    return images


def _batched_first(images, data_format):
    """(batch, channels, height, width) float images, and how to undo the change."""
    squeeze = images.ndim == 3
    x = images[None] if squeeze else images
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
    return x, squeeze


def _restore(x, squeeze, data_format, dtype):
    if data_format == "channels_last":
        x = x.permute(0, 2, 3, 1)
    if squeeze:
        x = x[0]
    if dtype != x.dtype:
        if not dtype.is_floating_point:
            x = torch.round(x)
        x = x.to(dtype)
    return x


def _fit_aspect(x, size, crop: bool, fill_value):
    height, width = x.shape[-2:]
    target_h, target_w = size
    if crop:
        crop_h = max(min(height, int(width * target_h / target_w)), 1)
        crop_w = max(min(width, int(height * target_w / target_h)), 1)
        top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
        return x[:, :, top:top + crop_h, left:left + crop_w]
    pad_h = max(height, int(width * target_h / target_w))
    pad_w = max(width, int(height * target_w / target_h))
    top, left = int((pad_h - height) / 2), int((pad_w - width) / 2)
    return F.pad(x, (left, left, top, top), value=fill_value)


@keras_op("image")
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to `size = (height, width)`."""
    data_format = standardize_data_format(data_format)
    if interpolation not in _RESIZE_MODES:
        raise ValueError(f"`interpolation` must be one of {sorted(_RESIZE_MODES)} on torch. "
                         f"Received: interpolation={interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(f"Only fill_mode='constant' is supported. Received: {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be "
                         "True.")
    if len(size) != 2:
        raise ValueError(f"`size` must be (height, width). Received: size={size}")
    images = _images(images)
    dtype = images.dtype
    x, squeeze = _batched_first(images, data_format)
    if x.dtype not in (torch.float32, torch.float64):
        x = x.float()
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        x = _fit_aspect(x, size, crop_to_aspect_ratio, fill_value)
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(x, size=tuple(size), mode=_RESIZE_MODES[interpolation],
                        align_corners=False if smooth else None,
                        antialias=antialias and smooth)
    if interpolation == "bicubic" and dtype == torch.uint8:
        out = out.clamp(0, 255)
    return _restore(out, squeeze, data_format, dtype)


def _spatial(images, data_format):
    if data_format == "channels_last":
        return images.shape[-3], images.shape[-2], images.shape[-1]
    return images.shape[-2], images.shape[-1], images.shape[-3]


@keras_op("image")
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crops images to a box given by croppings and/or a target size."""
    data_format = standardize_data_format(data_format)
    images = _images(images)
    height, width, _ = _spatial(images, data_format)
    bottom_cropping = bottom_cropping or 0
    right_cropping = right_cropping or 0
    top = height - target_height - bottom_cropping if top_cropping is None else top_cropping
    target_height = height - bottom_cropping - top if target_height is None else target_height
    left = width - target_width - right_cropping if left_cropping is None else left_cropping
    target_width = width - right_cropping - left if target_width is None else target_width
    if min(top, left, target_height, target_width) < 0:
        raise ValueError("The croppings and target size must give a box inside the image. "
                         f"Received image {height}x{width}, top={top}, left={left}, "
                         f"target {target_height}x{target_width}.")
    rows, cols = slice(top, top + target_height), slice(left, left + target_width)
    if data_format == "channels_last":
        return images[..., rows, cols, :]
    return images[..., rows, cols]


@keras_op("image")
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Pads images with zeros to a target size and/or by given paddings."""
    data_format = standardize_data_format(data_format)
    images = _images(images)
    height, width, _ = _spatial(images, data_format)
    if top_padding is None:
        top_padding = target_height - (bottom_padding or 0) - height
    if bottom_padding is None:
        bottom_padding = target_height - top_padding - height
    if left_padding is None:
        left_padding = target_width - (right_padding or 0) - width
    if right_padding is None:
        right_padding = target_width - left_padding - width
    if min(top_padding, bottom_padding, left_padding, right_padding) < 0:
        raise ValueError("Paddings must be non-negative (target size >= image size). Received "
                         f"top={top_padding}, bottom={bottom_padding}, left={left_padding}, "
                         f"right={right_padding}.")
    pads = (left_padding, right_padding, top_padding, bottom_padding)
    if data_format == "channels_last":
        pads = (0, 0) + pads
    return F.pad(images, pads)


def _channel_axis(data_format) -> int:
    return -1 if data_format == "channels_last" else -3


@keras_op("image")
def rgb_to_grayscale(images, data_format=None):
    """Luma of RGB images (one channel kept)."""
    data_format = standardize_data_format(data_format)
    images = _images(images)
    axis = _channel_axis(data_format)
    if images.shape[axis] == 1:
        return images.clone()
    if images.shape[axis] != 3:
        raise ValueError(f"Images must have 1 or 3 channels. Received shape {tuple(images.shape)}.")
    r, g, b = images.unbind(dim=axis)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(images.dtype).unsqueeze(axis)


def _float_images(images):
    images = _images(images)
    if not images.is_floating_point():
        raise ValueError(f"Images must be float. Received dtype {images.dtype}; cast them first.")
    return images


@keras_op("image")
def rgb_to_hsv(images, data_format=None):
    """RGB to HSV (all channels in [0, 1])."""
    axis = _channel_axis(standardize_data_format(data_format))
    images = _float_images(images)
    images = torch.where(torch.abs(images) < torch.finfo(images.dtype).eps, 0.0, images)
    r, g, b = images.unbind(dim=axis)
    value = torch.maximum(torch.maximum(r, g), b)
    range_ = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, range_ / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(range_ > 0, range_, 1.0))
    hue = torch.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, norm * (g - b), hue)
    hue = torch.where(range_ > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=axis)


@keras_op("image")
def hsv_to_rgb(images, data_format=None):
    """HSV to RGB."""
    axis = _channel_axis(standardize_data_format(data_format))
    hue, saturation, value = _float_images(images).unbind(dim=axis)
    dh = torch.remainder(hue, 1.0) * 6.0
    dr = torch.clip(torch.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = torch.clip(2.0 - torch.abs(dh - 2.0), 0.0, 1.0)
    db = torch.clip(2.0 - torch.abs(dh - 4.0), 0.0, 1.0)
    base = 1.0 - saturation
    channels = [value * (base + saturation * d) for d in (dr, dg, db)]
    return torch.stack(channels, dim=axis)


def _patches(images, size, strides, dilation_rate, padding, data_format, n):
    data_format = standardize_data_format(data_format)
    images = _t(images)
    size = (size,) * n if isinstance(size, int) else tuple(size)
    channels = images.shape[-1] if data_format == "channels_last" else images.shape[-1 - n]
    out_dim = channels
    for s in size:
        out_dim *= s
    kernel = torch.eye(out_dim, dtype=images.dtype).reshape(*size, channels, out_dim)
    unbatched = images.ndim == n + 1
    x = images[None] if unbatched else images
    out = conv(x, kernel, strides=strides or size, padding=padding, data_format=data_format,
               dilation_rate=dilation_rate)
    return out[0] if unbatched else out


@keras_op("image")
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Patches of `size` flattened into the channel axis (3-D `size` for volumes)."""
    if not isinstance(size, int) and len(size) == 3:
        return _patches(images, size, strides, dilation_rate, padding, data_format, 3)
    return _patches(images, size, strides, dilation_rate, padding, data_format, 2)


@keras_op("image")
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Patches of volumes flattened into the channel axis."""
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, 3)


@keras_op("image")
def sobel_edges(images, data_format=None):
    """Sobel gradients: a last axis of size 2 with (dy, dx) per channel."""
    data_format = standardize_data_format(data_format)
    images = _t(images)
    x = images.permute(0, 3, 1, 2) if data_format == "channels_last" else images
    channels = x.shape[1]
    sx = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=images.dtype)
    sy = sx.T.contiguous()
    kx = sx.view(1, 1, 3, 3).repeat(channels, 1, 1, 1)
    ky = sy.view(1, 1, 3, 3).repeat(channels, 1, 1, 1)
    edges = torch.stack([F.conv2d(x, ky, padding=1, groups=channels),
                         F.conv2d(x, kx, padding=1, groups=channels)], dim=-1)
    return edges.permute(0, 2, 3, 1, 4) if data_format == "channels_last" else edges


@keras_op("image")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two (batches of) images."""
    data_format = standardize_data_format(data_format)
    image1, image2 = _images(image1, "image1"), _images(image2, "image2")
    original = image1.dtype
    dtype = to_torch_dtype(result_type(image1.dtype, float))
    a, b = image1.to(dtype), image2.to(dtype)
    unbatched = a.ndim == 3
    if unbatched:
        a, b = a[None], b[None]
    if data_format == "channels_last":
        a, b = a.permute(0, 3, 1, 2), b.permute(0, 3, 1, 2)
    batch, channels, height, width = a.shape
    g = _gaussian_1d(filter_size, filter_sigma, dtype)
    kernel = torch.outer(g, g)[None, None]
    a, b = a.reshape(-1, 1, height, width), b.reshape(-1, 1, height, width)

    def blur(v):
        return F.conv2d(v, kernel)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = blur(a), blur(b)
    sigma1 = blur(a * a) - mu1 * mu1
    sigma2 = blur(b * b) - mu2 * mu2
    sigma12 = blur(a * b) - mu1 * mu2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * sigma12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2))
    per_image = ssim_map.mean(dim=(1, 2, 3)).reshape(batch, channels).mean(dim=-1)
    return (per_image[0] if unbatched else per_image).to(original)
