"""Functional helpers shared by the convolution and pooling layers.

Layout: how channels-last data meets torch's channels-first kernels
--------------------------------------------------------------------

Keras' default is channels-last (`(batch, height, width, channels)`, "NHWC"),
while torch's `conv2d` / `max_pool2d` take tensors *shaped* channels-first
(`(batch, channels, height, width)`, "NCHW"). Three ways to bridge the two
were measured on the W5 CNN train step (Conv2D(32, 3) -> MaxPool(2) ->
Conv2D(64, 3) -> MaxPool(2) -> Flatten -> Dense(10), Adam, batch 128, forward
+ backward + update, 1 CPU thread, torch 2.13, oneDNN; median of 5 x 10 steps):

=====================================================  ============
variant                                                ms / step
=====================================================  ============
hand-written PyTorch, NCHW data, torch-layout weights  40.9
permute per layer *as a view* (channels_last strides)  40.2 - 40.9
  (same, kernel permuted + `.contiguous()` per call)   40.2
  (same, kernel kept in torch layout, no permute)      40.5
permute once at the model boundary, NCHW inside        39.7
permute per layer + `.contiguous()` (Keras 3 torch)    66.6
=====================================================  ============

The choice: **per-layer permutes that are free views, with activations in
`torch.channels_last` memory format.** `x.permute(0, 3, 1, 2)` of a contiguous
NHWC tensor *is* an NCHW-shaped tensor with `channels_last` strides, which
`conv2d`, `max_pool2d`, `avg_pool2d` and `batch_norm` accept natively (oneDNN
channels-last kernels), and their outputs come back `channels_last`, so
`.permute(0, 2, 3, 1)` back to NHWC is again a free view. No activation is
ever copied for a layout change, each layer stays self-contained (works in
`Sequential`, functional models, subclassed models and plain torch code) and
the step costs the same as the hand-written NCHW loop. Copying to contiguous
NCHW per layer, which Keras 3's torch backend does, costs 1.65x. Permuting
once at the model boundary is within noise of the view approach but would
need every layer (Flatten, Dense on feature maps, custom layers) to know
about a hidden internal layout, so it was not worth it. 3D data works the
same way (`channels_last_3d`). End to end through `fit` (W5, interleaved in
one process, fastest rounds): layerwise 21.6-23.4 ms/step, the hand-written
PyTorch loop 23.4-25.1, Keras 3's torch backend 77.8-85.1.

1D channels-last data goes one step further: `(N, L, C)` is viewed as the 2D
channels_last tensor `(N, C, 1, L)` and runs through the 2D kernels, because
torch's 1D kernels have no channels-last path and copy their input. Measured
(forward + backward, 1 thread, `(64, 200, 32 or 64)` input): conv 10.6 ->
4.7 ms, depthwise conv 6.7 -> 1.9 ms, transposed conv 11.4 -> 4.4 ms, max
pooling 5.1 -> 3.0 ms, average pooling 3.5 -> 3.7 ms (same).

Weights are stored in Keras' layout (Conv2D kernel `(kh, kw, in, out)`,
depthwise `(kh, kw, in, multiplier)`, transposed conv `(kh, kw, out, in)`), so
`get_weights` / `set_weights`, saved files and optimizer slots are Keras'
layout with no conversion, and the kernel is permuted to torch's
`(out, in, kh, kw)` inside `call` (a differentiable view of a small tensor;
the table shows no measurable cost against storing torch's layout).

Keras' "same" padding is copied exactly: the total padding
`max(0, (ceil(n / s) - 1) * s + k_eff - n)` is split with the extra cell at
the end (right / bottom). When both sides are equal it is passed to the torch
op directly; otherwise the input is padded explicitly (zeros for convolutions,
`-inf` for max pooling) before a "valid" op.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

CONV_FNS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE_FNS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL_FNS = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL_FNS = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """Returns `value` as a tuple of `n` ints (an int is repeated `n` times)."""
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(
                f"The `{name}` argument must be an int or a tuple of {n} ints. "
                f"Received: {name}={value!r}"
            ) from None
        if len(values) != n or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise ValueError(
                f"The `{name}` argument must be an int or a tuple of {n} ints. "
                f"Received: {name}={value!r}"
            )
    minimum = 0 if allow_zero else 1
    if any(v < minimum for v in values):
        raise ValueError(
            f"The `{name}` argument must contain only "
            f"{'non-negative' if allow_zero else 'positive'} integers. "
            f"Received: {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def standardize_padding(value, allow_causal: bool = False) -> str:
    """Returns `"valid"`, `"same"` (or `"causal"` when allowed), lower-cased."""
    padding = str(value).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {allowed}. Received: padding={value!r}"
        )
    return padding


def to_channels_first(x: torch.Tensor, data_format: str, lift: bool = False) -> torch.Tensor:
    """A channels-first view of `x` (no copy: NHWC data becomes channels_last strides).

    With `lift=True` (1D channels-last data), `(N, L, C)` becomes the 2D
    channels_last view `(N, C, 1, L)`, for the 2D kernels (see the module docstring).
    """
    if data_format == "channels_first":
        return x
    if lift:
        return x.unsqueeze(1).permute(0, 3, 1, 2)
    return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))


def to_data_format(y: torch.Tensor, data_format: str, lift: bool = False) -> torch.Tensor:
    """Undoes `to_channels_first` on an op's channels-first output (a view)."""
    if data_format == "channels_first":
        return y
    if lift:
        return y.permute(0, 2, 3, 1).squeeze(1)
    return y.permute(0, *range(2, y.ndim), 1)


def torch_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """Keras kernel `(*spatial, a, b)` as torch's `(b, a, *spatial)` (a view)."""
    rank = kernel.ndim - 2
    return kernel.permute(rank + 1, rank, *range(rank))


def same_padding(length: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Keras' `(left, right)` "same" padding of one spatial axis (extra cell on the right)."""
    effective = (kernel - 1) * dilation + 1
    if stride == 1:
        total = effective - 1
    else:
        out = (length + stride - 1) // stride
        total = max(0, (out - 1) * stride + effective - length)
    left = total // 2
    return left, total - left


def pad_spatial(x: torch.Tensor, pads: Sequence[tuple[int, int]], data_format: str,
                value: float = 0.0) -> torch.Tensor:
    """Pads the spatial axes of `x` (in its own layout, so NHWC stays contiguous)."""
    flat: list[int] = [0, 0] if data_format == "channels_last" else []
    for left, right in reversed(pads):
        flat.extend((left, right))
    return F.pad(x, tuple(flat), value=value)


def spatial_shape(shape, data_format: str) -> tuple:
    """The spatial dimensions of a full (batch-first) shape."""
    shape = tuple(shape)
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def with_spatial(shape, spatial, channels, data_format: str) -> tuple:
    """A full shape from the batch size of `shape`, new spatial dims and channels."""
    if data_format == "channels_last":
        return (shape[0], *spatial, channels)
    return (shape[0], channels, *spatial)


def channels_of(shape, data_format: str):
    return shape[-1] if data_format == "channels_last" else shape[1]


def conv_output_length(length, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Keras' output length of a convolution or pooling along one axis."""
    if length is None:
        return None
    if padding == "valid":
        effective = (kernel - 1) * dilation + 1
        return (length - effective) // stride + 1
    return (length - 1) // stride + 1  # "same" and "causal"


def transpose_padding(kernel: int, stride: int, dilation: int, padding: str,
                      output_padding) -> tuple[int, int]:
    """Keras' `(left, right)` padding of the dilated input of a transposed convolution."""
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = max(effective, stride) - effective
        return effective - 1, effective - 1 + output_padding
    if output_padding is None:
        total = stride + effective - 2
    else:
        total = effective + effective % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, effective - 1)
    return left, total - left


def transpose_output_length(length, kernel: int, stride: int, padding: str,
                            output_padding, dilation: int = 1):
    """Keras' output length of a transposed convolution along one axis."""
    if length is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = max(effective, stride) - effective
        return (length - 1) * stride + effective + output_padding
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + effective % 2 + output_padding


