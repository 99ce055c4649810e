"""Geometric transforms of the legacy API (rotation, shift, shear, zoom) on one image,
with Keras' argument conventions, run by the batched warp of `backend/affine.py`."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend import affine as _affine


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


def _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order,
                   **transform):
    """`apply_affine_transform` of the drawn `transform`, with the `random_*` arguments."""
    return apply_affine_transform(x, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order, **transform)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates one image by a random angle in `(-rg, rg)` degrees."""
    theta = np.random.uniform(-rg, rg)
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval,
                          interpolation_order, theta=theta)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts one image by random fractions `(-hrg, hrg)` and `(-wrg, wrg)`."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval,
                          interpolation_order, tx=tx, ty=ty)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears one image by a random angle in `(-intensity, intensity)` degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval,
                          interpolation_order, shear=shear)


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
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval,
                          interpolation_order, zx=zx, zy=zy)


def transform_matrix_offset_center(matrix, x, y):
    """Centres a 3x3 transform on an image of size `(x, y)` (Keras' helper)."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return np.dot(np.dot(offset, matrix), reset)
