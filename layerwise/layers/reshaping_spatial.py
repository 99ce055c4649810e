"""Spatial reshaping layers: `ZeroPadding1D/2D/3D`, `Cropping1D/2D/3D`, `UpSampling1D/2D/3D`."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import standardize_data_format
from layerwise.layers._shape_inference import check_input_ndim
from layerwise.layers.convolutional import _ops
from layerwise.layers.layer import Layer


def _pairs(value, rank: int, name: str) -> tuple[tuple[int, int], ...]:
    """`int` -> same on every side; `(a, b, ...)` -> symmetric per axis; `((l, r), ...)` as is."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"`{name}` should be an int or a tuple. Received: {name}={value!r}.") \
            from None
    if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
        pair = _ops.standardize_tuple(items, 2, name, allow_zero=True)
        return (pair,)
    if len(items) != rank:
        raise ValueError(
            f"`{name}` should have {rank} elements (one per spatial axis). "
            f"Received: {name}={value!r}."
        )
    return tuple(_ops.standardize_tuple(v, 2, f"entry {i} of {name}", allow_zero=True)
                 for i, v in enumerate(items))


class _SpatialLayer(Layer):
    _rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def get_config(self):
        config = super().get_config()
        if self._rank == 1:  # Keras' 1D layers save the one entry, not a 1-tuple
            key = self._config_keys[0]
            config[key] = config[key][0]
        return config

    def _check_input_compatibility(self, inputs):
        check_input_ndim(self, inputs, self._rank + 2)
        self.compute_output_shape(tuple(inputs.shape))

    def _spatial_axes(self, ndim: int) -> list[int]:
        if self.data_format == "channels_last":
            return list(range(1, ndim - 1))
        return list(range(2, ndim))


# ---------------------------------------------------------------------- padding
class _ZeroPadding(_SpatialLayer):
    _config_keys = ("padding", "data_format")

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self._rank, "padding")

    def call(self, inputs):
        return _ops.pad_spatial(inputs, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (left, right) in zip(self._spatial_axes(len(shape)), self.padding, strict=True):
            if shape[axis] is not None:
                shape[axis] += left + right
        return tuple(shape)


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis with zeros.

    Args:
        padding: Int (both sides) or `(left, right)`.
        data_format: `"channels_last"` (`(batch, steps, features)`, default) or
            `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ZeroPadding1D((1, 2))(torch.ones(2, 3, 4)).shape
    torch.Size([2, 6, 4])
    """

    _rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Pads the rows and columns of images with zeros.

    Args:
        padding: Int (all sides), `(rows, cols)` (symmetric) or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ZeroPadding2D(((1, 0), (2, 1)))(torch.ones(2, 4, 4, 3)).shape
    torch.Size([2, 5, 7, 3])
    """

    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    Args:
        padding: Int, 3 ints (symmetric per axis) or 3 `(before, after)` pairs.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ZeroPadding3D(1)(torch.ones(1, 2, 3, 4, 5)).shape
    torch.Size([1, 4, 5, 6, 5])
    """

    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


# --------------------------------------------------------------------- cropping
class _Cropping(_SpatialLayer):
    _config_keys = ("cropping", "data_format")

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self._rank, "cropping")

    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for axis, (left, right) in zip(self._spatial_axes(inputs.ndim), self.cropping, strict=True):
            if left + right >= inputs.shape[axis]:
                raise ValueError(
                    f"Layer '{self.name}': values in `cropping` should be smaller than the "
                    f"corresponding spatial dimension of the input. Received: "
                    f"inputs.shape={tuple(inputs.shape)}, cropping={self.cropping}"
                )
            index[axis] = slice(left, inputs.shape[axis] - right)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (left, right) in zip(self._spatial_axes(len(shape)), self.cropping, strict=True):
            if shape[axis] is not None:
                if left + right >= shape[axis]:
                    raise ValueError(
                        f"Layer '{self.name}': values in `cropping` should be smaller than the "
                        f"corresponding spatial dimension of the input. Received: "
                        f"input_shape={tuple(input_shape)}, cropping={self.cropping}"
                    )
                shape[axis] -= left + right
        return tuple(shape)


class Cropping1D(_Cropping):
    """Crops the steps axis of `(batch, steps, features)` inputs.

    Args:
        cropping: Int (both sides) or `(start, end)`: steps removed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Cropping1D((1, 2))(torch.ones(2, 6, 4)).shape
    torch.Size([2, 3, 4])
    """

    _rank = 1
    _config_keys = ("cropping",)

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, "channels_last", **kwargs)


class Cropping2D(_Cropping):
    """Crops the rows and columns of images.

    Args:
        cropping: Int (all sides), `(rows, cols)` (symmetric) or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Cropping2D(((2, 2), (4, 4)))(torch.ones(2, 28, 28, 3)).shape
    torch.Size([2, 24, 20, 3])
    """

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: Int, 3 ints (symmetric per axis) or 3 `(before, after)` pairs.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Cropping3D(1)(torch.ones(1, 4, 5, 6, 2)).shape
    torch.Size([1, 2, 3, 4, 2])
    """

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


# ------------------------------------------------------------------- upsampling
def _repeat_spatial(x: torch.Tensor, sizes, axes) -> torch.Tensor:
    """Nearest-neighbour upsampling by integer factors: one expand + one copy."""
    shape = list(x.shape)
    view, expand, final = [], [], []
    for axis, n in enumerate(shape):
        view.append(n)
        expand.append(n)
        if axis in axes:
            factor = sizes[axes.index(axis)]
            view.append(1)
            expand.append(factor)
            final.append(n * factor)
        else:
            final.append(n)
    return x.reshape(view).expand(expand).reshape(final)


class _UpSampling(_SpatialLayer):
    _interpolations = ("nearest",)
    _config_keys = ("size", "data_format")

    def __init__(self, size, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = _ops.standardize_tuple(size, self._rank, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in self._interpolations:
            raise ValueError(
                f"`interpolation` must be one of {self._interpolations}. "
                f"Received: interpolation={interpolation!r}"
            )

    def call(self, inputs):
        axes = self._spatial_axes(inputs.ndim)
        if self.interpolation == "nearest":
            return _repeat_spatial(inputs, self.size, axes)
        x = _ops.to_channels_first(inputs, self.data_format)
        out_size = [x.shape[2 + i] * s for i, s in enumerate(self.size)]
        y = F.interpolate(x, size=out_size, mode=self.interpolation, align_corners=False)
        return _ops.to_data_format(y, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._spatial_axes(len(shape)), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)


class UpSampling1D(_UpSampling):
    """Repeats each step `size` times along the steps axis.

    Args:
        size: Int, the upsampling factor.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.UpSampling1D(2)(torch.tensor([[[1.0], [2.0]]])).flatten()
    tensor([1., 1., 2., 2.])
    """

    _rank = 1
    _config_keys = ("size",)

    def __init__(self, size=2, **kwargs):
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        super().__init__(size, "channels_last", **kwargs)


class UpSampling2D(_UpSampling):
    """Upsamples images by integer factors (nearest neighbour or bilinear).

    Args:
        size: Int or `(rows, cols)`: the upsampling factors.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        interpolation: `"nearest"` (repeat rows and columns), `"bilinear"` or
            `"bicubic"` (half-pixel centers, no antialiasing, as Keras).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.UpSampling2D((2, 3))(torch.ones(1, 2, 2, 3)).shape
    torch.Size([1, 4, 6, 3])
    """

    _rank = 2
    _interpolations = ("nearest", "bilinear", "bicubic")
    _config_keys = ("size", "data_format", "interpolation")

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format, interpolation, **kwargs)


class UpSampling3D(_UpSampling):
    """Upsamples volumes by repeating each axis' entries (nearest neighbour).

    Args:
        size: Int or 3 ints: the upsampling factors.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.UpSampling3D(2)(torch.ones(1, 2, 2, 2, 3)).shape
    torch.Size([1, 4, 4, 4, 3])
    """

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)
