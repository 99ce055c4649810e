"""Shared plumbing of the plots: matplotlib on demand, saving, image arrays."""

from __future__ import annotations

import io
import os

import numpy as np

from layerwise.reports._inputs import to_numpy
from layerwise.utils.atomic import atomic_write

DPI = 100
RIGHT = "#1f5fbf"   # blue: a right prediction
WRONG = "#c62828"   # red: a wrong one


def new_figure(width: float, height: float):
    """A matplotlib `Figure` (no pyplot state, no GUI); a clear error without matplotlib."""
    try:
        # Lazy import: matplotlib is optional and only the plots need it.
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "The layerwise plots need matplotlib, which is not installed. Install it with "
            "`pip install matplotlib` (or `pip install layerwise[viz]`).") from error
    return Figure(figsize=(width, height), dpi=DPI)


def save(fig, to_file, dpi: int | None = None):
    """Writes `fig` to `to_file` (format from the extension, atomically); returns `fig`."""
    if to_file is None:
        return fig
    to_file = os.fspath(to_file)
    ext = os.path.splitext(to_file)[1].lower().lstrip(".") or "png"
    supported = fig.canvas.get_supported_filetypes()
    if ext not in supported:
        raise ValueError(
            f"`to_file` must end with an image extension ({', '.join(sorted(supported))}), "
            f"received {to_file!r}.")
    folder = os.path.dirname(os.path.abspath(to_file))
    os.makedirs(folder, exist_ok=True)
    with atomic_write(to_file, "wb") as handle:
        fig.savefig(handle, format=ext, dpi=dpi or fig.dpi)
    return fig


def png_bytes(fig, dpi: int | None = None) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or fig.dpi)
    return buffer.getvalue()


def as_images(images, name: str = "images") -> np.ndarray:
    """Images as `(n, h, w)` or `(n, h, w, 3|4)` floats in [0, 1] for `imshow`.

    Accepts channels-last batches, single-channel `(n, h, w, 1)`, and flat
    square images `(n, h*w)` (e.g. MNIST rows of 784).
    """
    x = to_numpy(images, name)
    if x.ndim == 2:
        side = int(round(np.sqrt(x.shape[1])))
        if side * side != x.shape[1]:
            raise ValueError(
                f"`{name}` of shape {x.shape} are flat rows that are not square images; pass "
                "them as (n, height, width) or (n, height, width, channels).")
        x = x.reshape(len(x), side, side)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[-1] not in (3, 4)):
        raise ValueError(
            f"`{name}` must be (n, height, width[, 1|3|4]) channels-last images, received "
            f"shape {x.shape}.")
    x = x.astype(np.float64)
    if x.size and (x.min() < 0 or x.max() > 1):
        low = x.min(axis=tuple(range(1, x.ndim)), keepdims=True)
        high = x.max(axis=tuple(range(1, x.ndim)), keepdims=True)
        x = (x - low) / np.where(high > low, high - low, 1.0)
    return x


def class_name(class_names, index) -> str:
    if class_names is None:
        return str(index)
    try:
        return str(class_names[int(index)])
    except (IndexError, ValueError, TypeError):
        return str(index)


def grid_shape(n: int, cols: int | None) -> tuple[int, int]:
    cols = cols or int(min(n, max(1, np.ceil(np.sqrt(n)))))
    return int(np.ceil(n / cols)), cols
