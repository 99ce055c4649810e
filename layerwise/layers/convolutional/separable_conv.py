"""`SeparableConv1D`, `SeparableConv2D`: a depthwise convolution followed by a 1x1 convolution."""

from __future__ import annotations

from layerwise.layers.convolutional import _ops
from layerwise.layers.convolutional.base_conv import ConfigLayout, SpatialConv
from layerwise.layers.convolutional.depthwise_conv import depthwise_kernel
from layerwise.layers.weight_config import (
    add_bias,
    add_kernel,
    set_weight_args,
)


class BaseSeparableConv(SpatialConv):
    """Abstract separable convolution: depthwise (per channel) then pointwise (1x1).

    Args:
        rank: Number of spatial dimensions.
        depth_multiplier: Depthwise output channels per input channel.
        filters: Output channels of the pointwise convolution.
        kernel_size, strides, padding, data_format, dilation_rate: Of the
            depthwise step, as in `Conv2D`.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector after the pointwise step.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: Penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, pointwise_constraint, bias_constraint: Projections.
    """

    _config_layout = ConfigLayout(head=("depth_multiplier", "filters"),
                                  kernels=("depthwise", "pointwise"))

    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._check_positive("filters", filters)
        self._check_positive("depth_multiplier", depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self._init_spatial(rank, kernel_size, strides, padding, data_format, dilation_rate,
                           activation, use_bias)
        set_weight_args(
            self, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint)
        self._conv = _ops.CONV_FNS[self._op_rank]

    def build(self, input_shape):
        channels = self._build_channels(input_shape)
        self.depthwise_kernel = add_kernel(
            self, (*self.kernel_size, channels, self.depth_multiplier), "depthwise_kernel",
            "depthwise")
        self.pointwise_kernel = add_kernel(
            self, (*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            "pointwise_kernel", "pointwise")
        self.bias = add_bias(self, self.filters)
        self.built = True

    def call(self, inputs):
        self._check_channels(inputs)
        inputs, padding = self._pad(inputs)
        x = self._conv(self._to_torch(inputs),
                       self._torch_weight(depthwise_kernel(self.depthwise_kernel)), None,
                       self._t_strides, padding, self._t_dilation,
                       self.depthwise_kernel.shape[-2])
        x = self._conv(x, self._torch_weight(self.pointwise_kernel), self.bias)
        return self._activate(self._from_torch(x))

    def _output_channels(self, input_shape):
        return self.filters


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution: a depthwise convolution, then a pointwise (1x1) one.

    Args:
        filters: Output channels.
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 1 int.
        depth_multiplier: Depthwise output channels per input channel.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: Penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, pointwise_constraint, bias_constraint: Projections.

    Weights (Keras layout): `depthwise_kernel` `(k, in, depth_multiplier)`,
    `pointwise_kernel` `(1, in * depth_multiplier, filters)`, `bias` `(filters,)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.SeparableConv1D(8, 3)(torch.ones(4, 10, 3)).shape
    torch.Size([4, 8, 8])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            1, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint, **kwargs)


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution: a depthwise convolution, then a pointwise (1x1) one.

    Args:
        filters: Output channels.
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 2 ints.
        depth_multiplier: Depthwise output channels per input channel.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: Penalties.
        activity_regularizer: Optional penalty on the output.
        depthwise_constraint, pointwise_constraint, bias_constraint: Projections.

    Weights (Keras layout): `depthwise_kernel` `(kh, kw, in, depth_multiplier)`,
    `pointwise_kernel` `(1, 1, in * depth_multiplier, filters)`, `bias` `(filters,)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.SeparableConv2D(16, 3, padding="same")(torch.ones(2, 8, 8, 4)).shape
    torch.Size([2, 8, 8, 16])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            2, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint, **kwargs)


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
