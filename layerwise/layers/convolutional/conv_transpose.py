"""`Conv1DTranspose`, `Conv2DTranspose`, `Conv3DTranspose` (a.k.a. deconvolutions)."""

from __future__ import annotations

import torch.nn.functional as F

from layerwise.layers.convolutional import _ops
from layerwise.layers.convolutional.base_conv import ConfigLayout, SpatialConv
from layerwise.layers.weight_config import (
    add_bias,
    add_kernel,
    set_weight_args,
)


class BaseConvTranspose(SpatialConv):
    """Abstract N-D transposed convolution.

    The kernel has Keras' layout `(*kernel_size, filters, in_channels)`, which
    permutes to torch's `conv_transpose` layout `(in_channels, filters,
    *kernel_size)`. Keras' output sizes and "same" padding are reproduced by
    torch's `padding` / `output_padding` when they can express them, and by
    cropping (or zero-extending) the full output otherwise, as Keras' torch
    backend does.

    Args:
        rank: Number of spatial dimensions.
        filters: Number of output channels.
        kernel_size: Int or tuple of `rank` ints.
        strides: Int or tuple of `rank` ints.
        padding: `"valid"` or `"same"` (output size `input * strides`).
        output_padding: Int or tuple of `rank` ints, each `< strides`: extra
            size added to one side of the output (`None`: inferred).
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of `rank` ints.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.
    """

    _config_layout = ConfigLayout(head=("filters",), tail=("output_padding",))

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._check_positive("filters", filters)
        self.filters = filters
        self._init_spatial(rank, kernel_size, strides, padding, data_format, dilation_rate,
                           activation, use_bias)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = _ops.standardize_tuple(
                output_padding, rank, "output_padding", allow_zero=True)
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides, strict=True)):
                if op >= s:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {op} but `strides` "
                        f"is {s}. Received: output_padding={self.output_padding}, "
                        f"strides={self.strides}"
                    )
        self._check_strides_dilation()
        set_weight_args(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._conv_transpose = _ops.CONV_TRANSPOSE_FNS[self._op_rank]
        self._plan = self._make_plan()

    def _make_plan(self):
        """Torch arguments for Keras' geometry: `(padding, output_padding, crops)`.

        `crops` is `None` when torch's symmetric `padding` plus right-side
        `output_padding` express Keras' padding; otherwise the full output
        (`padding=0`) is cropped by `crops[i] = (left, right)` (negative: zero-extend).
        """
        crops = []
        for i in range(self.rank):
            op = None if self.output_padding is None else self.output_padding[i]
            left, right = _ops.transpose_padding(
                self.kernel_size[i], self.strides[i], self.dilation_rate[i], self.padding, op)
            effective = (self.kernel_size[i] - 1) * self.dilation_rate[i] + 1
            crops.append((effective - 1 - left, effective - 1 - right))
        limits = [max(s, d) for s, d in zip(self.strides, self.dilation_rate, strict=True)]
        if all(cl >= 0 and cr >= 0 and 0 <= cl - cr < lim
               for (cl, cr), lim in zip(crops, limits, strict=True)):
            return (self._lifted(tuple(cl for cl, _ in crops), 0),
                    self._lifted(tuple(cl - cr for cl, cr in crops), 0), None)
        return 0, 0, [(0, 0), *crops] if self._lift else crops

    def build(self, input_shape):
        channels = self._build_channels(input_shape)
        self.kernel = add_kernel(self, (*self.kernel_size, self.filters, channels))
        self.bias = add_bias(self, self.filters)
        self.built = True

    def call(self, inputs):
        self._check_channels(inputs)
        padding, output_padding, crops = self._plan
        extend = crops is not None and any(c < 0 for pair in crops for c in pair)
        bias = None if extend else self.bias
        outputs = self._conv_transpose(
            self._to_torch(inputs), self._torch_weight(self.kernel), bias, self._t_strides,
            padding, output_padding, 1, self._t_dilation)
        if crops is not None:
            index = [slice(None), slice(None)]
            index += [slice(max(0, left), -right if right > 0 else None) for left, right in crops]
            outputs = outputs[tuple(index)]
            if extend:
                pads: list[int] = []
                for left, right in reversed(crops):
                    pads += [max(0, -left), max(0, -right)]
                outputs = F.pad(outputs, pads)
                if self.bias is not None:
                    outputs = outputs + self.bias.view(-1, *(1,) * (outputs.ndim - 2))
        return self._activate(self._from_torch(outputs))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = _ops.spatial_shape(input_shape, self.data_format)
        out = tuple(
            _ops.transpose_output_length(
                n, self.kernel_size[i], self.strides[i], self.padding,
                None if self.output_padding is None else self.output_padding[i],
                self.dilation_rate[i])
            for i, n in enumerate(spatial)
        )
        if any(d is not None and d <= 0 for d in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. "
                f"Received inputs shape={input_shape}."
            )
        return _ops.with_spatial(input_shape, out, self.filters, self.data_format)


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution (upsamples sequences).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int.
        padding: `"valid"` or `"same"`.
        output_padding: Int or tuple of 1 int smaller than the stride (`None`: inferred).
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 1 int.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kernel_size, filters, in_channels)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Conv1DTranspose(8, 3, strides=2, padding="same")(
    ...     torch.ones(4, 10, 3)).shape
    torch.Size([4, 20, 8])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (upsamples images).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints.
        padding: `"valid"` or `"same"`.
        output_padding: Int or tuple of 2 ints smaller than the strides (`None`: inferred).
        data_format: `"channels_last"` (default) or `"channels_first"`.
        dilation_rate: Int or tuple of 2 ints.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(kh, kw, filters, in_channels)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same")(
    ...     torch.ones(2, 7, 7, 16)).shape
    torch.Size([2, 14, 14, 8])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            2, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution (upsamples volumes).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 3 ints.
        strides: Int or tuple of 3 ints.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        output_padding: Int or tuple of 3 ints smaller than the strides (`None`: inferred).
        dilation_rate: Int or tuple of 3 ints.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Kernel shape (Keras layout): `(k1, k2, k3, filters, in_channels)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Conv3DTranspose(4, 2, strides=2)(torch.ones(1, 3, 3, 3, 2)).shape
    torch.Size([1, 6, 6, 6, 4])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            3, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
