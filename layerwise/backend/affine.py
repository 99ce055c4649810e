"""Batched affine warps for image augmentation, on torch.

One call warps a whole batch: output pixel `(r, c)` of image `b` reads the input at
`M[b] @ (r, c, 1)`, interpolated (order 0 or 1) with one of the fill modes below.
Two conventions for what happens outside the image, because Keras has two:

- `"scipy"` (the legacy `ImageDataGenerator`, which calls
  `scipy.ndimage.affine_transform` per channel): `constant` gives `cval` for any
  sample point outside `[0, n - 1]`, `nearest` clamps, `reflect` is half-sample
  symmetric (`d c b a | a b c d | d c b a`), `wrap` has period `n - 1`.
- `"grid"` (Keras 3 preprocessing layers, JAX-style `map_coordinates`): each of the
  interpolation neighbours is fixed separately, so `constant` blends into
  `fill_value` at the border, `wrap` has period `n`, and `mirror` is whole-sample
  symmetric (`d c b | a b c d | c b a`).

Orders 0 and 1 are vectorised; higher spline orders (legacy only) fall back to
SciPy per image when it is installed.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

LEGACY_FILL_MODES = ("constant", "nearest", "reflect", "wrap")
GRID_FILL_MODES = ("constant", "nearest", "reflect", "wrap", "mirror")


# ------------------------------------------------------------------ matrices
def legacy_transform_matrices(theta, tx, ty, shear, zx, zy, h, w, swap=True) -> np.ndarray:
    """The matrices the legacy `apply_affine_transform` builds, for a batch of parameters.

    Composes rotation (degrees), shift, shear (degrees) and zoom in Keras' order,
    centres them with Keras' offsets `(h / 2 - 0.5, w / 2 - 0.5)`, then swaps the two
    spatial axes as Keras does when the column axis comes after the row axis.

    Returns:
        float64 array `(batch, 3, 3)` mapping output `(row, col, 1)` to input coordinates.
    """
    theta = np.deg2rad(np.asarray(theta, dtype=np.float64).reshape(-1))
    n = theta.shape[0]

    def vec(v):
        return np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), (n,))

    tx, ty, zx, zy = vec(tx), vec(ty), vec(zx), vec(zy)
    shear = np.deg2rad(vec(shear))
    eye = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    m = eye.copy()
    rot = eye.copy()
    rot[:, 0, 0], rot[:, 0, 1] = np.cos(theta), -np.sin(theta)
    rot[:, 1, 0], rot[:, 1, 1] = np.sin(theta), np.cos(theta)
    shift = eye.copy()
    shift[:, 0, 2], shift[:, 1, 2] = tx, ty
    sh = eye.copy()
    sh[:, 0, 1], sh[:, 1, 1] = -np.sin(shear), np.cos(shear)
    zoom = eye.copy()
    zoom[:, 0, 0], zoom[:, 1, 1] = zx, zy
    # Keras multiplies only the non-trivial factors; multiplying by an exact identity is exact.
    m = rot @ shift @ sh @ zoom
    o_x, o_y = float(h) / 2 - 0.5, float(w) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]], dtype=np.float64)
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]], dtype=np.float64)
    m = offset @ m @ reset
    if swap:
        m[:, :, [0, 1]] = m[:, :, [1, 0]]
        m[:, [0, 1]] = m[:, [1, 0]]
    return m


def is_identity(matrices: np.ndarray) -> np.ndarray:
    """Per-matrix flag: exactly the identity (the warp can be skipped)."""
    return np.all(matrices[:, :2, :] == np.eye(3)[:2], axis=(1, 2))


# ------------------------------------------------------------------ coordinates
def _coordinates(matrices: torch.Tensor, h: int, w: int):
    """Input (row, col) coordinates, `(batch, h, w)` each, in the matrices' dtype/device."""
    m = matrices
    rows = torch.arange(h, dtype=m.dtype, device=m.device).view(1, h, 1)
    cols = torch.arange(w, dtype=m.dtype, device=m.device).view(1, 1, w)

    def coef(i, j):
        return m[:, i, j].view(-1, 1, 1)

    r_in = (coef(0, 0) * rows + coef(0, 1) * cols) + coef(0, 2)
    c_in = (coef(1, 0) * rows + coef(1, 1) * cols) + coef(1, 2)
    return r_in, c_in


def _scipy_wrap(coord: torch.Tensor, n: int) -> torch.Tensor:
    """SciPy's `wrap` for points outside `[0, n - 1]`: period `n - 1`."""
    if n <= 1:
        return torch.zeros_like(coord)
    sz = float(n - 1)
    low = coord + sz * (torch.trunc(-coord / sz) + 1)
    high = coord - sz * torch.trunc(coord / sz)
    return torch.where(coord < 0, low, torch.where(coord > sz, high, coord))


def _scipy_reflect(coord: torch.Tensor, n: int) -> torch.Tensor:
    """SciPy's `reflect` (half-sample symmetric) for continuous coordinates."""
    if n <= 1:
        return torch.zeros_like(coord)
    sz2 = float(2 * n)
    neg = sz2 * torch.trunc(-coord / sz2) + coord
    neg = torch.where(neg < -n, neg + sz2, -neg - 1)
    pos = coord - sz2 * torch.trunc(coord / sz2)
    pos = torch.where(pos >= n, sz2 - pos - 1, pos)
    return torch.where(coord < 0, neg, torch.where(coord > n - 1, pos, coord))


def _fix_index(index: torch.Tensor, n: int, mode: str) -> torch.Tensor:
    """Maps integer neighbour indices into `[0, n)` (grid convention)."""
    if mode in ("constant", "nearest"):
        return index.clamp(0, n - 1)
    if mode == "wrap":
        return torch.remainder(index, n)
    if mode == "mirror":
        if n == 1:
            return torch.zeros_like(index)
        s = n - 1
        return torch.abs(torch.remainder(index + s, 2 * s) - s)
    # reflect: half-sample symmetric
    period = torch.remainder(index, 2 * n)
    return torch.where(period >= n, 2 * n - 1 - period, period)


# ------------------------------------------------------------------ sampling
def _to_nchw(images, channels_last):
    return images.permute(0, 3, 1, 2) if channels_last else images


def _from_nchw(images, channels_last):
    return images.permute(0, 2, 3, 1) if channels_last else images


def _grid_sample(images_nchw, r_in, c_in, padding_mode, align_corners, mode="bilinear"):
    """Samples at pixel coordinates `(r_in, c_in)` (float64 tensors)."""
    h, w = images_nchw.shape[-2:]
    dtype = images_nchw.dtype if images_nchw.dtype == torch.float64 else torch.float32
    grid = torch.empty(*r_in.shape, 2, dtype=dtype, device=r_in.device)
    if align_corners:
        grid[..., 0] = c_in * (2.0 / (w - 1)) - 1 if w > 1 else 0.0
        grid[..., 1] = r_in * (2.0 / (h - 1)) - 1 if h > 1 else 0.0
    else:
        grid[..., 0] = (2 * c_in + 1) / w - 1
        grid[..., 1] = (2 * r_in + 1) / h - 1
    return _sample(images_nchw, grid, padding_mode, align_corners, mode)


def _affine_grid_sample(images_nchw, matrices, padding_mode, align_corners):
    """Bilinear samples at `matrices @ (row, col, 1)`: the normalized grid is affine in
    `(row, col)` too, so it is written straight into a float32 grid (coefficients in
    float64), without materializing pixel coordinates."""
    h, w = images_nchw.shape[-2:]
    dtype = images_nchw.dtype if images_nchw.dtype == torch.float64 else torch.float32
    m = matrices
    rows = torch.arange(h, dtype=m.dtype, device=m.device).view(1, h, 1)
    cols = torch.arange(w, dtype=m.dtype, device=m.device).view(1, 1, w)
    grid = torch.empty(m.shape[0], h, w, 2, dtype=dtype, device=m.device)
    for out_axis, (row, size) in enumerate(((1, w), (0, h))):
        if align_corners:
            scale = 2.0 / (size - 1) if size > 1 else 0.0
            coef = m[:, row, :] * scale
            offset = coef[:, 2] - 1 if size > 1 else torch.zeros_like(coef[:, 2])
        else:
            coef = m[:, row, :] * (2.0 / size)
            offset = coef[:, 2] + (1.0 / size - 1)
        grid[..., out_axis] = (coef[:, 0].view(-1, 1, 1) * rows
                               + coef[:, 1].view(-1, 1, 1) * cols) + offset.view(-1, 1, 1)
    return _sample(images_nchw, grid, padding_mode, align_corners, "bilinear")


def _sample(images_nchw, grid, padding_mode, align_corners, mode):
    src = images_nchw if images_nchw.dtype == grid.dtype else images_nchw.to(grid.dtype)
    return F.grid_sample(src, grid, mode=mode, padding_mode=padding_mode,
                         align_corners=align_corners)


def _gather(images_nchw, rows_idx, cols_idx):
    """`images[b, :, rows_idx[b], cols_idx[b]]` for index tensors `(batch, h, w)`."""
    b, c, h, w = images_nchw.shape
    flat = images_nchw.reshape(b, c, h * w)
    index = (rows_idx * w + cols_idx).reshape(b, 1, -1).expand(b, c, -1)
    return torch.gather(flat, 2, index).reshape(b, c, *rows_idx.shape[1:])


def warp(images: torch.Tensor, matrices, *, fill_mode="nearest", fill_value=0.0, order=1,
         convention="scipy", channels_last=True) -> torch.Tensor:
    """Warps a batch of images with per-image affine matrices.

    Args:
        images: Float tensor `(batch, h, w, c)` (`channels_last`) or `(batch, c, h, w)`.
        matrices: `(batch, 2, 3)` or `(batch, 3, 3)` mapping output `(row, col, 1)` to
            input coordinates (NumPy or torch; computed in float64).
        fill_mode: See the module docstring.
        fill_value: Value outside the image for `"constant"`.
        order: 0 (nearest neighbour) or 1 (bilinear).
        convention: `"scipy"` (legacy `ImageDataGenerator`) or `"grid"` (Keras 3 layers).
        channels_last: Layout of `images`.

    Returns:
        The warped images, same shape and dtype.
    """
    if images.shape[0] == 0:
        return images
    modes = LEGACY_FILL_MODES if convention == "scipy" else GRID_FILL_MODES
    if fill_mode not in modes:
        raise ValueError(
            f"Invalid `fill_mode` {fill_mode!r}: expected one of {modes}."
        )
    # Coordinates in float64 (float32 on Apple MPS, which has no float64), on the
    # images' device.
    coord_dtype = torch.float32 if images.device.type == "mps" else torch.float64
    matrices = torch.as_tensor(np.asarray(matrices) if not isinstance(matrices, torch.Tensor)
                               else matrices, dtype=torch.float64)
    matrices = matrices.to(device=images.device, dtype=coord_dtype)
    if order not in (0, 1):
        if convention == "scipy":
            return _scipy_fallback(images, matrices, fill_mode, fill_value, order,
                                   channels_last)
        raise ValueError(f"Interpolation `order` must be 0 or 1. Received: order={order}")
    in_dtype = images.dtype
    x = _to_nchw(images, channels_last)
    if not x.dtype.is_floating_point:
        x = x.to(torch.float32)
    h, w = x.shape[-2:]
    fill_value = float(fill_value)
    if order == 1 and fill_mode in ("nearest", "reflect", "mirror") or (
            order == 1 and fill_mode == "constant" and convention == "grid"):
        out = _fast_bilinear(x, matrices, fill_mode, fill_value, convention)
    else:
        r_in, c_in = _coordinates(matrices, h, w)
        if convention == "scipy":
            out = _warp_scipy(x, r_in, c_in, fill_mode, fill_value, order, h, w)
        else:
            out = _warp_grid(x, r_in, c_in, fill_mode, fill_value, order, h, w)
    out = _from_nchw(out, channels_last)
    if out.dtype != in_dtype:
        if not in_dtype.is_floating_point:
            out = out.round()
        out = out.to(in_dtype)
    return out


def _fast_bilinear(x, matrices, fill_mode, fill_value, convention):
    """Bilinear warps whose fill mode is a `grid_sample` padding mode."""
    if fill_mode == "nearest":
        out = _affine_grid_sample(x, matrices, "border", False)
    elif fill_mode == "reflect":
        out = _affine_grid_sample(x, matrices, "reflection", False)
    elif fill_mode == "mirror":
        out = _affine_grid_sample(x, matrices, "reflection", True)
    else:  # grid-convention constant: neighbours outside count as `fill_value`
        shifted = x - fill_value if fill_value else x
        out = _affine_grid_sample(shifted, matrices, "zeros", False)
        out = out + fill_value if fill_value else out
    return out.to(x.dtype)


def _warp_scipy(x, r_in, c_in, fill_mode, cval, order, h, w):
    mask = None
    if fill_mode == "constant":
        mask = (r_in >= 0) & (r_in <= h - 1) & (c_in >= 0) & (c_in <= w - 1)
    elif fill_mode == "wrap":
        r_in, c_in = _scipy_wrap(r_in, h), _scipy_wrap(c_in, w)
    if order == 1:
        padding = "reflection" if fill_mode == "reflect" else "border"
        out = _grid_sample(x, r_in, c_in, padding, align_corners=False)
    else:
        if fill_mode == "reflect":
            r_in, c_in = _scipy_reflect(r_in, h), _scipy_reflect(c_in, w)
        ri = torch.floor(r_in + 0.5).clamp(0, h - 1).long()
        ci = torch.floor(c_in + 0.5).clamp(0, w - 1).long()
        out = _gather(x, ri, ci)
    if out.dtype != x.dtype:
        out = out.to(x.dtype)
    if mask is not None:
        out = torch.where(mask.unsqueeze(1), out, cval)
    return out


def _warp_grid(x, r_in, c_in, fill_mode, fill_value, order, h, w):
    if order == 1 and fill_mode != "wrap":
        if fill_mode == "constant":
            # Neighbours outside the image count as `fill_value`.
            shifted = x - fill_value if fill_value else x
            out = _grid_sample(shifted, r_in, c_in, "zeros", align_corners=False)
            out = out + fill_value if fill_value else out
        elif fill_mode == "nearest":
            out = _grid_sample(x, r_in, c_in, "border", align_corners=False)
        elif fill_mode == "reflect":
            out = _grid_sample(x, r_in, c_in, "reflection", align_corners=False)
        else:  # mirror
            out = _grid_sample(x, r_in, c_in, "reflection", align_corners=True)
        return out.to(x.dtype)
    if order == 0:
        nodes = [(torch.round(r_in).long(), None)], [(torch.round(c_in).long(), None)]
    else:
        r0, c0 = torch.floor(r_in), torch.floor(c_in)
        fr, fc = (r_in - r0).to(x.dtype), (c_in - c0).to(x.dtype)
        r0, c0 = r0.long(), c0.long()
        nodes = [(r0, 1 - fr), (r0 + 1, fr)], [(c0, 1 - fc), (c0 + 1, fc)]
    total = None
    for ri, wr in nodes[0]:
        for ci, wc in nodes[1]:
            values = _gather(x, _fix_index(ri, h, fill_mode), _fix_index(ci, w, fill_mode))
            if fill_mode == "constant":
                valid = (ri >= 0) & (ri < h) & (ci >= 0) & (ci < w)
                values = torch.where(valid.unsqueeze(1), values, fill_value)
            weight = None
            if wr is not None:
                weight = (wr * wc).unsqueeze(1)
            term = values if weight is None else values * weight
            total = term if total is None else total + term
    assert total is not None  # `nodes` has 1 or 2 entries per axis: at least one term
    return total


def _scipy_fallback(images, matrices, fill_mode, cval, order, channels_last):
    try:
        from scipy import ndimage  # optional library, loaded only for spline orders > 1
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"`interpolation_order={order}` needs SciPy (`pip install scipy`); orders 0 and 1 "
            "are built in."
        ) from e
    array = images.detach().cpu().numpy()
    out = np.empty_like(array)
    mats = matrices.detach().cpu().to(torch.float64).numpy()
    for b in range(array.shape[0]):
        image = array[b] if not channels_last else np.moveaxis(array[b], -1, 0)
        warped = np.stack([
            ndimage.affine_transform(ch, mats[b, :2, :2], mats[b, :2, 2], order=order,
                                     mode=fill_mode, cval=cval)
            for ch in image])
        out[b] = warped if not channels_last else np.moveaxis(warped, 0, -1)
    return torch.from_numpy(out).to(images.device)
