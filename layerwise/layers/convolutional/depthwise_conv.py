"""`DepthwiseConv1D`, `DepthwiseConv2D`: one (or `depth_multiplier`) filters per input channel."""

from __future__ import annotations

import torch

from layerwise.layers.convolutional import _ops
from layerwise.layers.convolutional.base_conv import ConfigLayout, SpatialConv
from layerwise.layers.weight_config import (
    add_bias,
    add_kernel,
    set_weight_args,
)


def depthwise_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """Keras depthwise kernel `(*k, in, mult)` as a grouped conv kernel `(*k, 1, in * mult)`.

    Output channel `c * mult + m` is input channel `c` convolved with
    `kernel[..., c, m]`, in Keras and in torch's `groups=in` convolution alike.
    """
    rank = kernel.ndim - 2
    return kernel.reshape(*kernel.shape[:rank], 1, kernel.shape[-2] * kernel.shape[-1])


class BaseDepthwiseConv(SpatialConv):
    """Abstract depthwise convolution: each input channel gets its own filters.

    Args:
        rank: Number of spatial dimensions.
        depth_multiplier: Output channels per input channel (output channels:
            `in_channels * depth_multiplier`).
        kernel_size, strides, padding, data_format, dilation_rate: As in `Conv2D`.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector of `in_channels * depth_multiplier`.
        depthwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, bias_constraint: Optional projections after each step.
    """

    _config_layout = ConfigLayout(head=("depth_multiplier",), kernels=("depthwise",))

    def __init__(self, rank: int, depth_multiplier: int = 1, kernel_size=3, strides=1,
                 padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._check_positive("depth_multiplier", depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self._init_spatial(rank, kernel_size, strides, padding, data_format, dilation_rate,
                           activation, use_bias)
        set_weight_args(
            self, depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint)
        self._conv = _ops.CONV_FNS[self._op_rank]

    def build(self, input_shape):
        channels = self._build_channels(input_shape)
        self.kernel = add_kernel(
            self, (*self.kernel_size, channels, self.depth_multiplier), args="depthwise")
        self.bias = add_bias(self, channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        self._check_channels(inputs)
        inputs, padding = self._pad(inputs)
        outputs = self._conv(
            self._to_torch(inputs), self._torch_weight(depthwise_kernel(self.kernel)), self.bias,
            self._t_strides, padding, self._t_dilation, self.kernel.shape[-2],
        )
        return self._activate(self._from_torch(outputs))

    def _output_channels(self, input_shape):
        channels = _ops.channels_of(input_shape, self.data_format)
        return None if channels is None else channels * self.depth_multiplier


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution: each input channel is convolved with its own filters.

    Args:
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int.
        padding: `"valid"` or `"same"`.
        depth_multiplier: Output channels per input channel.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 1 int.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        depthwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kernel_size, in_channels, depth_multiplier)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.DepthwiseConv1D(3, depth_multiplier=2)(torch.ones(4, 10, 3)).shape
    torch.Size([4, 8, 6])
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            1, depth_multiplier, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint,
            **kwargs)


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: each input channel is convolved with its own filters.

    Args:
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints.
        padding: `"valid"` or `"same"`.
        depth_multiplier: Output channels per input channel.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 2 ints.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        depthwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kh, kw, in_channels, depth_multiplier)`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.DepthwiseConv2D(3, padding="same")
    >>> layer(torch.ones(2, 8, 8, 16)).shape
    torch.Size([2, 8, 8, 16])
    >>> tuple(layer.kernel.shape)
    (3, 3, 16, 1)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            2, depth_multiplier, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint,
            **kwargs)
