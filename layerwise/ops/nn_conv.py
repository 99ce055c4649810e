"""Convolution and pooling ops of `keras.ops.nn`, channels-last by default.

Kernels are in Keras layout (`spatial..., in_channels, out_channels`); `"same"`
padding is Keras'/TensorFlow's (extra padding on the right/bottom).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import standardize_data_format
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.ops._symbolic import keras_op

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints. Received: {value}")
    return value


def _spatial_dims(inputs: torch.Tensor) -> int:
    n = inputs.ndim - 2
    if n not in (1, 2, 3):
        raise ValueError("Inputs must have ndim 3, 4 or 5 (1D, 2D or 3D, with batch and "
                         f"channels). Received shape {tuple(inputs.shape)}.")
    return n


def _to_channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return torch.movedim(x, -1, 1) if data_format == "channels_last" else x


def _from_channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return torch.movedim(x, 1, -1) if data_format == "channels_last" else x


def _same_padding(x, kernel, strides, dilation, mode="constant"):
    """Pads channels-first `x` as Keras' "same" (returns x and torch's symmetric padding)."""
    pads = []
    for size, k, s, d in zip(x.shape[2:], kernel, strides, dilation):
        effective = (k - 1) * d + 1
        out = -(-size // s)
        total = max(0, (out - 1) * s + effective - size)
        pads.append((total // 2, total - total // 2))
    if all(a == b for a, b in pads):
        return x, [a for a, _ in pads]
    flat = [v for pair in reversed(pads) for v in pair]
    return F.pad(x, flat, mode=mode), 0


@keras_op("nn")
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; `kernel` is `(*spatial, in_channels / groups, out_channels)`."""
    inputs, kernel = _t(inputs), _t(kernel)
    n = _spatial_dims(inputs)
    data_format = standardize_data_format(data_format)
    strides, dilation = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    x = _to_channels_first(inputs, data_format)
    weight = torch.permute(kernel, (n + 1, n, *range(n)))
    if x.shape[1] % weight.shape[1] != 0:
        raise ValueError(f"Input channels ({x.shape[1]}) must be a multiple of the kernel's "
                         f"input channels ({weight.shape[1]}).")
    groups = x.shape[1] // weight.shape[1]
    torch_padding = 0
    if str(padding).lower() == "same":
        x, torch_padding = _same_padding(x, weight.shape[2:], strides, dilation)
    elif str(padding).lower() != "valid":
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    out = _CONV[n](x, weight, stride=strides, padding=torch_padding, dilation=dilation,
                   groups=groups)
    return _from_channels_first(out, data_format)


@keras_op("nn")
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution; `kernel` is `(*spatial, in_channels, multiplier)`."""
    kernel = _t(kernel)
    kernel = kernel.reshape(*kernel.shape[:-2], 1, kernel.shape[-2] * kernel.shape[-1])
    return conv(inputs, kernel, strides, padding, data_format, dilation_rate)


@keras_op("nn")
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a pointwise (1x1) convolution."""
    hidden = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                            dilation_rate)
    return conv(hidden, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def _transpose_crops(size, k, s, d, padding, output_padding):
    effective = (k - 1) * d + 1
    if padding == "valid":
        extra = max(effective, s) - effective if output_padding is None else output_padding
        left, right = effective - 1, effective - 1 + extra
    else:
        pad_len = s + effective - 2 if output_padding is None else \
            effective + effective % 2 - 2 + output_padding
        left = min(pad_len // 2 + pad_len % 2, effective - 1)
        right = pad_len - left
    return effective - 1 - left, effective - 1 - right


@keras_op("nn")
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; `kernel` is `(*spatial, out_channels, in_channels)`."""
    inputs, kernel = _t(inputs), _t(kernel)
    n = _spatial_dims(inputs)
    data_format = standardize_data_format(data_format)
    padding = str(padding).lower()
    strides, dilation = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    out_pad = [None] * n if output_padding is None else list(_tuple(output_padding, n,
                                                                    "output_padding"))
    x = _to_channels_first(inputs, data_format)
    weight = torch.permute(kernel, (n + 1, n, *range(n)))
    out = _CONV_T[n](x, weight, stride=strides, dilation=dilation)
    crops = [_transpose_crops(x.shape[2 + i], kernel.shape[i], strides[i], dilation[i],
                              padding, out_pad[i]) for i in range(n)]
    index = [slice(None), slice(None)] + [slice(max(0, a), -b if b > 0 else None)
                                          for a, b in crops]
    out = out[tuple(index)]
    if any(a < 0 or b < 0 for a, b in crops):
        flat = [v for a, b in reversed(crops) for v in (max(0, -a), max(0, -b))]
        out = F.pad(out, flat)
    return _from_channels_first(out, data_format)


def _pool(inputs, pool_size, strides, padding, data_format, table, **kwargs):
    inputs = _t(inputs)
    n = _spatial_dims(inputs)
    data_format = standardize_data_format(data_format)
    pool_size = _tuple(pool_size, n, "pool_size")
    strides = pool_size if strides is None else _tuple(strides, n, "strides")
    x = _to_channels_first(inputs, data_format)
    torch_padding = 0
    if str(padding).lower() == "same":
        x, torch_padding = _same_padding(x, pool_size, strides, (1,) * n, mode="replicate")
    out = table[n](x, kernel_size=pool_size, stride=strides, padding=torch_padding, **kwargs)
    return _from_channels_first(out, data_format)


@keras_op("nn")
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1, 2 or 3 spatial dimensions."""
    return _pool(inputs, pool_size, strides, padding, data_format, _MAX)


@keras_op("nn")
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling (padding excluded from the averages)."""
    return _pool(inputs, pool_size, strides, padding, data_format, _AVG,
                 count_include_pad=False)


def _adaptive(inputs, output_size, data_format, kind):
    inputs = _t(inputs)
    n = _spatial_dims(inputs)
    data_format = standardize_data_format(data_format)
    size = _tuple(output_size, n, "output_size")
    x = _to_channels_first(inputs, data_format)
    fn = getattr(F, f"adaptive_{kind}_pool{n}d")
    out = fn(x, size[0] if n == 1 else size)
    return _from_channels_first(out[0] if isinstance(out, tuple) else out, data_format)


@keras_op("nn")
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed output size."""
    return _adaptive(inputs, output_size, data_format, "avg")


@keras_op("nn")
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size."""
    return _adaptive(inputs, output_size, data_format, "max")


@keras_op("nn")
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extracts sliding blocks of a channels-first 4-D tensor (as `torch.nn.Unfold`)."""
    return F.unfold(_t(x), kernel_size, dilation=dilation, padding=padding, stride=stride)


@keras_op("nn")
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combines sliding blocks into a channels-first tensor (as `torch.nn.Fold`)."""
    return F.fold(_t(x), output_size, kernel_size, dilation=dilation, padding=padding,
                  stride=stride)


@keras_op("nn")
def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves depth into spatial blocks (pixel shuffle)."""
    x = _t(x)
    if standardize_data_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, block_size)
    # TensorFlow's depth-to-space orders the channels (block_y, block_x, channel).
    n, h, w, c = x.shape
    out = x.reshape(n, h, w, block_size, block_size, c // block_size**2)
    return out.permute(0, 1, 3, 2, 4, 5).reshape(n, h * block_size, w * block_size, -1)


@keras_op("nn")
def space_to_depth(x, block_size, data_format="channels_last"):
    """Moves spatial blocks into depth (inverse of `depth_to_space`)."""
    x = _t(x)
    data_format = standardize_data_format(data_format)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        out = x.reshape(n, h // block_size, block_size, w // block_size, block_size, c)
        return out.permute(0, 1, 3, 2, 4, 5).reshape(n, h // block_size, w // block_size, -1)
    return F.pixel_unshuffle(x, block_size)
