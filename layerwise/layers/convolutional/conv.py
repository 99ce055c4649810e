"""`Conv1D`, `Conv2D`, `Conv3D`: Keras convolutions on torch kernels."""

from __future__ import annotations

from layerwise.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution (temporal convolution).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 int, the window length.
        strides: Int or tuple of 1 int.
        padding: `"valid"`, `"same"` or `"causal"` (output `t` only sees
            inputs `<= t`: the input is left-padded by
            `dilation_rate * (kernel_size - 1)`).
        data_format: `"channels_last"` (`(batch, steps, channels)`, default)
            or `"channels_first"` (`(batch, channels, steps)`).
        dilation_rate: Int or tuple of 1 int.
        groups: Number of channel groups.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kernel_size, in_channels // groups, filters)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Conv1D(8, 3, padding="causal")(torch.ones(4, 10, 3)).shape
    torch.Size([4, 10, 8])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class Conv2D(BaseConv):
    """2D convolution (spatial convolution over images).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints, the window height and width.
        strides: Int or tuple of 2 ints.
        padding: `"valid"` or `"same"` (output size `ceil(input / strides)`;
            an odd total padding puts the extra row/column at the bottom/right,
            exactly as Keras, also for even kernels).
        data_format: `"channels_last"` (`(batch, height, width, channels)`,
            default) or `"channels_first"` (`(batch, channels, height, width)`).
        dilation_rate: Int or tuple of 2 ints.
        groups: Number of channel groups.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kh, kw, in_channels // groups, filters)`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.Conv2D(32, 3, activation="relu")
    >>> layer(torch.ones(2, 28, 28, 1)).shape
    torch.Size([2, 26, 26, 32])
    >>> tuple(layer.kernel.shape)
    (3, 3, 1, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class Conv3D(BaseConv):
    """3D convolution (spatial convolution over volumes).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 3 ints.
        strides: Int or tuple of 3 ints.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (`(batch, d1, d2, d3, channels)`,
            default) or `"channels_first"` (`(batch, channels, d1, d2, d3)`).
        dilation_rate: Int or tuple of 3 ints.
        groups: Number of channel groups.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(k1, k2, k3, in_channels // groups, filters)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Conv3D(4, 3, padding="same")(torch.ones(2, 5, 6, 7, 3)).shape
    torch.Size([2, 5, 6, 7, 4])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
