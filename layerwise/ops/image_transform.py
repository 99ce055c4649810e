"""Geometric image warps of `keras.ops.image`: `map_coordinates`, affine/perspective/elastic.

Coordinates follow SciPy's `ndimage.map_coordinates` (order 0 or 1) with Keras' fill
modes (`"constant"`, `"nearest"`, `"wrap"`, `"mirror"`, `"reflect"`).
"""

from __future__ import annotations

import functools
import itertools
import operator

import numpy as np
import torch

from layerwise.backend.config import standardize_data_format
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.backend.random import make_generator
from layerwise.ops._symbolic import keras_op

_ORDERS = {"nearest": 0, "bilinear": 1}


def _mirror(index, size):
    s = size - 1
    return torch.abs((index + s) % (2 * s) - s) if s > 0 else torch.zeros_like(index)


def _reflect(index, size):
    return torch.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_FIXERS = {
    "constant": lambda index, size: torch.clip(index, 0, size - 1),
    "nearest": lambda index, size: torch.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror,
    "reflect": _reflect,
}


def _check(interpolation, fill_mode):
    if interpolation not in _ORDERS:
        raise ValueError(f"`interpolation` must be 'nearest' or 'bilinear'. Received: "
                         f"{interpolation!r}")
    if fill_mode not in _FIXERS:
        raise ValueError(f"`fill_mode` must be one of {sorted(_FIXERS)}. Received: {fill_mode!r}")


@keras_op("image")
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Samples `inputs` at `coordinates` (one coordinate array per input axis)."""
    array = _t(inputs)
    coords = [_t(c) for c in coordinates]
    if len(coords) != array.ndim:
        raise ValueError(f"`coordinates` must have one entry per input axis ({array.ndim}). "
                         f"Received {len(coords)}.")
    fixer = _FIXERS.get(fill_mode)
    if fixer is None:
        raise ValueError(f"`fill_mode` must be one of {sorted(_FIXERS)}. Received: {fill_mode!r}")
    if order not in (0, 1):
        raise NotImplementedError(f"`map_coordinates` supports order 0 or 1. Received {order}.")
    per_axis = []
    for c, size in zip(coords, array.shape):
        if order == 0:
            c = c if not c.is_floating_point() else torch.round(c)
            nodes = [(c.to(torch.int64), 1)]
        else:
            lower = torch.floor(c)
            upper_w = c - lower
            nodes = [(lower.to(torch.int64), 1 - upper_w), (lower.to(torch.int64) + 1, upper_w)]
        per_axis.append([(fixer(i, size), (0 <= i) & (i < size) if fill_mode == "constant"
                          else None, w) for i, w in nodes])
    if not array.is_floating_point() and isinstance(fill_value, float):
        fill_value = int(fill_value)
    outputs = []
    for items in itertools.product(*per_axis):
        indices, validities, weights = zip(*items)
        value = array[indices]
        checks = [v for v in validities if v is not None]
        if checks:
            value = torch.where(functools.reduce(operator.and_, checks), value,
                                torch.as_tensor(fill_value, dtype=value.dtype))
        outputs.append(functools.reduce(operator.mul, weights) * value)
    result = functools.reduce(operator.add, outputs)
    if not array.is_floating_point():
        result = result if not result.is_floating_point() else torch.round(result)
    return result.to(array.dtype)


def _channels_last_batch(images, data_format):
    images = _t(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"`images` must be rank 3 or 4. Received shape {tuple(images.shape)}.")
    squeeze = images.ndim == 3
    x = images[None] if squeeze else images
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 1)
    return x, squeeze


def _restore(x, squeeze, data_format):
    if data_format == "channels_first":
        x = x.permute(0, 3, 1, 2)
    return x[0] if squeeze else x


@keras_op("image")
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Applies projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]` (output -> input)."""
    data_format = standardize_data_format(data_format)
    _check(interpolation, fill_mode)
    x, squeeze = _channels_last_batch(images, data_format)
    transform = _t(transform)
    if transform.ndim not in (1, 2):
        raise ValueError(f"`transform` must be rank 1 or 2. Received {tuple(transform.shape)}.")
    transform = transform[None] if transform.ndim == 1 else transform
    transform = transform.expand(x.shape[0], 8)
    batch, height, width, channels = x.shape
    dtype = transform.dtype if transform.is_floating_point() else torch.float32
    ys, xs = torch.meshgrid(torch.arange(height, dtype=dtype), torch.arange(width, dtype=dtype),
                            indexing="ij")
    out = []
    for i in range(batch):
        a0, a1, a2, b0, b1, b2, c0, c1 = transform[i].to(dtype)
        k = c0 * xs + c1 * ys + 1.0
        x_in, y_in = (a0 * xs + a1 * ys + a2) / k, (b0 * xs + b1 * ys + b2) / k
        coords = [y_in[..., None].expand(height, width, channels),
                  x_in[..., None].expand(height, width, channels),
                  torch.arange(channels, dtype=dtype).expand(height, width, channels)]
        out.append(map_coordinates(x[i], coords, _ORDERS[interpolation], fill_mode, fill_value))
    return _restore(torch.stack(out), squeeze, data_format)


def _homography(start, end):
    """The 8 coefficients mapping output points (`end`) to input points (`start`)."""
    rows, targets = [], []
    for i in range(4):
        (sx, sy), (ex, ey) = start[:, i].unbind(-1), end[:, i].unbind(-1)
        one, zero = torch.ones_like(ex), torch.zeros_like(ex)
        rows.append(torch.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], -1))
        rows.append(torch.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], -1))
        targets += [sx, sy]
    matrix = torch.stack(rows, dim=1)
    vector = torch.stack(targets, dim=-1)[..., None]
    return torch.linalg.solve(matrix, vector)[..., 0]


@keras_op("image")
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps images so that `start_points` (4 corners, x/y) move to `end_points`."""
    data_format = standardize_data_format(data_format)
    _check(interpolation, "constant")
    x, squeeze = _channels_last_batch(images, data_format)
    start, end = _t(start_points), _t(end_points)
    start = start[None] if start.ndim == 2 else start
    end = end[None] if end.ndim == 2 else end
    if start.shape[-2:] != (4, 2) or start.shape != end.shape:
        raise ValueError("`start_points` and `end_points` must both have shape (4, 2) or "
                         f"(batch, 4, 2). Received {tuple(start.shape)} and {tuple(end.shape)}.")
    dtype = to_torch_dtype(result_type(start.dtype, end.dtype, float))
    coefficients = _homography(start.to(torch.float64), end.to(torch.float64)).to(dtype)
    coefficients = coefficients.expand(x.shape[0], 8)
    return affine_transform(_restore(x, squeeze, data_format), coefficients if not squeeze
                            else coefficients[0], interpolation, "constant", fill_value,
                            data_format)


def _gaussian_1d(size: int, sigma, dtype) -> torch.Tensor:
    x = torch.arange(size, dtype=dtype) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


@keras_op("image")
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Gaussian blur with a `kernel_size` window and standard deviations `sigma`."""
    data_format = standardize_data_format(data_format)
    x, squeeze = _channels_last_batch(images, data_format)
    kernel_size = tuple(int(k) for k in _t(kernel_size).reshape(-1).tolist())
    sigma = _t(sigma).reshape(-1).to(x.dtype)
    channels = x.shape[-1]
    kernel = torch.outer(_gaussian_1d(kernel_size[1], sigma[1], x.dtype),
                         _gaussian_1d(kernel_size[0], sigma[0], x.dtype))
    kernel = kernel.view(1, 1, *kernel_size).expand(channels, 1, *kernel_size)
    out = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel, padding=kernel_size[0] // 2,
                                     groups=channels)
    return _restore(out.permute(0, 2, 3, 1), squeeze, data_format)


@keras_op("image")
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Random elastic deformation (Gaussian-smoothed displacement fields scaled by `alpha`)."""
    data_format = standardize_data_format(data_format)
    _check(interpolation, fill_mode)
    x, squeeze = _channels_last_batch(images, data_format)
    batch, height, width, channels = x.shape
    generator = make_generator(seed if isinstance(seed, int) else None)
    size = int(6 * float(sigma)) | 1
    fields = []
    for _ in range(2):
        noise = torch.randn((batch, height, width, 1), generator=generator,
                            dtype=x.dtype if x.is_floating_point() else torch.float32) * sigma
        fields.append(gaussian_blur(noise, (size, size), (sigma, sigma))[..., 0])
    ys, xs = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    out = torch.zeros_like(x)
    for b in range(batch):
        dy, dx = ys + alpha * fields[1][b], xs + alpha * fields[0][b]
        for c in range(channels):
            out[b, ..., c] = map_coordinates(x[b, ..., c], [dy, dx], _ORDERS[interpolation],
                                             fill_mode, fill_value)
    return _restore(out, squeeze, data_format)


def _triangle(x):
    return torch.clamp(1 - torch.abs(x), min=0)


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, torch.zeros((), dtype=x.dtype), out)


def _lanczos(radius):
    def kernel(x):
        y = radius * torch.sin(np.pi * x) * torch.sin(np.pi * x / radius)
        out = torch.where(x > 1e-3, y / torch.where(x != 0, np.pi**2 * x**2, 1), 1)
        return torch.where(x > radius, 0.0, out)

    return kernel


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3),
            "lanczos5": _lanczos(5)}
_METHODS = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
            "triangle": "linear", "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic",
            "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _weights(in_size, out_size, scale, translation, kernel, antialias, dtype):
    inv = 1.0 / scale
    kernel_scale = torch.clamp(inv, min=1.0) if antialias else 1.0
    sample = (torch.arange(out_size, dtype=dtype) + 0.5) * inv - translation * inv - 0.5
    w = kernel(torch.abs(sample[None, :] - torch.arange(in_size, dtype=dtype)[:, None])
               / kernel_scale)
    total = w.sum(dim=0, keepdim=True)
    w = torch.where(torch.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                    w / torch.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return torch.where(inside[None, :], w, 0)


@keras_op("image")
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resamples `spatial_dims` with a scale and translation (as `jax.image`)."""
    if method not in _METHODS:
        raise ValueError(f"`method` must be one of {sorted(_METHODS)}. Received: {method!r}")
    x = _t(images)
    scale, translation = _t(scale), _t(translation)
    dtype = to_torch_dtype(result_type(scale.dtype, translation.dtype))
    out = x.float() if not x.is_floating_point() else x.clone()
    for i, d in enumerate(spatial_dims):
        d = d % x.ndim
        w = _weights(x.shape[d], output_shape[d], scale[i].to(dtype), translation[i].to(dtype),
                     _KERNELS[_METHODS[method]], antialias, dtype).to(out.dtype)
        out = torch.moveaxis(torch.tensordot(out, w, dims=((d,), (0,))), -1, d)
    if not x.is_floating_point():
        out = torch.clip(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out
