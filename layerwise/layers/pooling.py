"""Pooling layers: `MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D` and the global poolings.

Channels-last inputs reach torch's pooling kernels as channels-first *views*
with `channels_last` strides (no copy; see `layerwise.layers.convolutional._ops`).
"same" padding follows Keras: the extra cell goes at the end, max pooling
never picks a padded cell and average pooling divides by the number of valid
(unpadded) cells in each window.
"""

from __future__ import annotations

import math

import torch

from layerwise.backend.config import standardize_data_format
from layerwise.layers._shape_inference import check_input_ndim
from layerwise.layers.convolutional import _ops
from layerwise.layers.layer import Layer


class BasePooling(Layer):
    """Abstract N-D max or average pooling.

    Args:
        pool_size: Int or tuple of `rank` ints, the window size.
        strides: Int or tuple of `rank` ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (output size `ceil(input / strides)`).
        data_format: `"channels_last"` (default) or `"channels_first"`.
    """

    _mode = "max"

    def __init__(self, rank: int, pool_size, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_size = _ops.standardize_tuple(pool_size, rank, "pool_size")
        strides = self.pool_size if strides is None else strides
        self.strides = _ops.standardize_tuple(strides, rank, "strides")
        self.padding = _ops.standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        # 1D channels-last data runs through the 2D kernels (see `_ops`).
        self._lift = rank == 1 and self.data_format == "channels_last"
        fns = _ops.MAX_POOL_FNS if self._mode == "max" else _ops.AVG_POOL_FNS
        self._pool = fns[2 if self._lift else rank]
        self._t_pool_size = (1, *self.pool_size) if self._lift else self.pool_size
        self._t_strides = (1, *self.strides) if self._lift else self.strides
        self._plan_cache: dict = {}

    def _check_input_compatibility(self, inputs):
        check_input_ndim(self, inputs, self.rank + 2)
        self.compute_output_shape(tuple(inputs.shape))

    def _plan(self, spatial):
        """`(pads or None, torch_padding)` for this spatial shape."""
        plan = self._plan_cache.get(spatial)
        if plan is None:
            if self.padding == "valid":
                plan = (None, 0)
            else:
                pads = [_ops.same_padding(n, k, s) for n, k, s in
                        zip(spatial, self.pool_size, self.strides, strict=True)]
                if all(left == right for left, right in pads):
                    padding = tuple(left for left, _ in pads)
                    plan = (None, (0, *padding) if self._lift else padding)
                else:
                    plan = (pads, 0)
            self._plan_cache[spatial] = plan
        return plan

    def call(self, inputs):
        if inputs.ndim != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' expects inputs of rank {self.rank + 2}, received shape "
                f"{tuple(inputs.shape)}."
            )
        pads, padding = self._plan(_ops.spatial_shape(inputs.shape, self.data_format))
        if self._mode == "max":
            if pads is not None:
                inputs = _ops.pad_spatial(inputs, pads, self.data_format, value=-math.inf)
            outputs = self._pool(self._to_torch(inputs), self._t_pool_size, self._t_strides,
                                 padding)
        elif pads is None:
            outputs = self._pool(self._to_torch(inputs), self._t_pool_size, self._t_strides,
                                 padding, count_include_pad=False)
        else:
            outputs = self._asymmetric_average(inputs, pads)
        return _ops.to_data_format(outputs, self.data_format, self._lift)

    def _to_torch(self, inputs):
        return _ops.to_channels_first(inputs, self.data_format, self._lift)

    def _asymmetric_average(self, inputs, pads):
        """Average over the valid cells of each window, with uneven "same" padding."""
        padded = _ops.pad_spatial(inputs, pads, self.data_format)
        sums = self._pool(self._to_torch(padded), self._t_pool_size, self._t_strides, 0)
        # The fraction of valid cells in each window: the same pooling of a padded mask.
        spatial = _ops.spatial_shape(inputs.shape, self.data_format)
        ones = torch.ones((1, *spatial, 1), dtype=inputs.dtype, device=inputs.device)
        ones = _ops.pad_spatial(ones, pads, "channels_last")
        fraction = self._pool(_ops.to_channels_first(ones, "channels_last", self._lift),
                              self._t_pool_size, self._t_strides, 0)
        return sums / fraction

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = _ops.spatial_shape(input_shape, self.data_format)
        out = tuple(_ops.conv_output_length(n, k, s, self.padding)
                    for n, k, s in zip(spatial, self.pool_size, self.strides, strict=True))
        if any(d is not None and d <= 0 for d in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. "
                f"Received: inputs.shape={input_shape}, pool_size={self.pool_size}, "
                f"strides={self.strides}, padding={self.padding!r}."
            )
        channels = _ops.channels_of(input_shape, self.data_format)
        return _ops.with_spatial(input_shape, out, channels, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        })
        return config


class MaxPooling1D(BasePooling):
    """Max pooling over steps: the maximum of each `pool_size` window.

    Args:
        pool_size: Int, the window length (default 2).
        strides: Int (default: `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (`(batch, steps, features)`, default) or
            `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    >>> keras.layers.MaxPooling1D(2, strides=1)(x).flatten()
    tensor([2., 3., 4., 5.])
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(1, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over images: the maximum of each `pool_size` window.

    Args:
        pool_size: Int or tuple of 2 ints (default `(2, 2)`).
        strides: Int or tuple of 2 ints (default: `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.MaxPooling2D()(torch.ones(2, 26, 26, 32)).shape
    torch.Size([2, 13, 13, 32])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(BasePooling):
    """Max pooling over volumes: the maximum of each `pool_size` window.

    Args:
        pool_size: Int or tuple of 3 ints (default `(2, 2, 2)`).
        strides: Int or tuple of 3 ints (default: `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.MaxPooling3D()(torch.ones(1, 4, 4, 4, 3)).shape
    torch.Size([1, 2, 2, 2, 3])
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(3, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """Average pooling over steps.

    Args:
        pool_size: Int, the window length.
        strides: Int (default: `pool_size`).
        padding: `"valid"` or `"same"` (windows over the border average only
            their valid cells).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    >>> keras.layers.AveragePooling1D(2, padding="same")(x).flatten()
    tensor([1.5000, 3.5000, 5.0000])
    """

    _mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(1, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over images.

    Args:
        pool_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (windows over the border average only
            their valid cells).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.AveragePooling2D(2)(torch.ones(2, 8, 8, 3)).shape
    torch.Size([2, 4, 4, 3])
    """

    _mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    """Average pooling over volumes.

    Args:
        pool_size: Int or tuple of 3 ints.
        strides: Int or tuple of 3 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (windows over the border average only
            their valid cells).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.AveragePooling3D(2)(torch.ones(1, 4, 4, 4, 3)).shape
    torch.Size([1, 2, 2, 2, 3])
    """

    _mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(3, pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """Abstract global pooling: reduces all spatial axes.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the spatial axes with length 1.
    """

    _rank = 2

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        rank = self._rank
        self._axes = tuple(range(1, rank + 1)) if self.data_format == "channels_last" \
            else tuple(range(2, rank + 2))

    def _check_input_compatibility(self, inputs):
        check_input_ndim(self, inputs, self._rank + 2)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            if self.keepdims:
                return (input_shape[0], *(1,) * self._rank, input_shape[-1])
            return (input_shape[0], input_shape[-1])
        if self.keepdims:
            return (input_shape[0], input_shape[1], *(1,) * self._rank)
        return (input_shape[0], input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs):
        return torch.amax(inputs, dim=self._axes, keepdim=self.keepdims)


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs):
        return torch.mean(inputs, dim=self._axes, keepdim=self.keepdims)


class GlobalMaxPooling1D(_GlobalMax):
    """Maximum over the steps axis.

    Args:
        data_format: `"channels_last"` (`(batch, steps, features)`, default) or
            `"channels_first"`.
        keepdims: Keep the steps axis with length 1.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalMaxPooling1D()(torch.ones(2, 5, 3)).shape
    torch.Size([2, 3])
    """

    _rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    """Maximum over the height and width axes.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the spatial axes with length 1.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalMaxPooling2D(keepdims=True)(torch.ones(2, 4, 5, 3)).shape
    torch.Size([2, 1, 1, 3])
    """

    _rank = 2


class GlobalMaxPooling3D(_GlobalMax):
    """Maximum over the three spatial axes.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the spatial axes with length 1.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalMaxPooling3D()(torch.ones(2, 3, 4, 5, 6)).shape
    torch.Size([2, 6])
    """

    _rank = 3


class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over the steps axis (masked steps excluded when a mask is given).

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the steps axis with length 1.

    Call arguments:
        inputs: `(batch, steps, features)` (channels_last).
        mask: Optional boolean `(batch, steps)`: `False` steps are ignored.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalAveragePooling1D()(torch.ones(2, 5, 3)).shape
    torch.Size([2, 3])
    """

    _rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return torch.mean(inputs, dim=self._axes, keepdim=self.keepdims)
        steps_axis = self._axes[0]
        weights = mask.to(inputs.dtype).unsqueeze(2 if steps_axis == 1 else 1)
        total = torch.sum(inputs * weights, dim=steps_axis, keepdim=self.keepdims)
        return total / torch.sum(weights, dim=steps_axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalAverage):
    """Mean over the height and width axes.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the spatial axes with length 1.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalAveragePooling2D()(torch.ones(2, 4, 5, 3)).shape
    torch.Size([2, 3])
    """

    _rank = 2


class GlobalAveragePooling3D(_GlobalAverage):
    """Mean over the three spatial axes.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`.
        keepdims: Keep the spatial axes with length 1.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GlobalAveragePooling3D()(torch.ones(2, 3, 4, 5, 6)).shape
    torch.Size([2, 6])
    """

    _rank = 3


# Keras' short aliases.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
