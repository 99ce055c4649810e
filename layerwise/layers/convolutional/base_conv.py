"""`BaseConv`: the N-D convolution behind `Conv1D`, `Conv2D` and `Conv3D`.

The kernel is stored in Keras' layout `(*kernel_size, in_channels // groups,
filters)` and permuted to torch's `(filters, in // groups, *kernel_size)` in
`call`; activations stay channels-last without copies (see
`layerwise.layers.convolutional._ops` for the measurements behind this).
"""

from __future__ import annotations

from typing import NamedTuple

from layerwise import activations as activations_module
from layerwise import regularizers as regularizers_module
from layerwise.backend.config import standardize_data_format
from layerwise.layers.convolutional import _fused, _ops, _winograd
from layerwise.layers.layer import Layer
from layerwise.layers.weight_config import (
    add_bias,
    add_kernel,
    kernel_bias_config,
    set_weight_args,
)


class ConfigLayout(NamedTuple):
    """A convolution's `get_config` entries besides the window arguments."""

    head: tuple[str, ...] = ()  # attributes before the window arguments
    tail: tuple[str, ...] = ()  # attributes after them
    kernels: tuple[str, ...] = ("kernel",)  # `<kernel>_initializer` ... arguments, then `bias_*`


class SpatialConv(Layer):
    """What every convolution shares: window arguments, data format, padding, activation."""

    _config_layout = ConfigLayout()

    def _init_spatial(self, rank: int, kernel_size, strides, padding, data_format,
                      dilation_rate, activation, use_bias, allow_causal: bool = False) -> None:
        self.rank = rank
        self.kernel_size = _ops.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = _ops.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = _ops.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = _ops.standardize_padding(padding, allow_causal=allow_causal)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations_module.get(activation)
        self.use_bias = bool(use_bias)
        self._padding_cache: dict = {}
        self.input_channels = None
        # 1D channels-last data runs through the 2D kernels (see `_ops`): torch
        # arguments get a leading unit axis.
        self._lift = rank == 1 and self.data_format == "channels_last"
        self._op_rank = 2 if self._lift else rank
        self._t_strides = self._lifted(self.strides, 1)
        self._t_dilation = self._lifted(self.dilation_rate, 1)

    @staticmethod
    def _check_positive(name: str, value) -> None:
        """Raises Keras' error unless the argument `name` is a strictly positive integer."""
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(
                f"Invalid value for argument `{name}`. Expected a strictly positive "
                f"integer. Received {name}={value!r}."
            )

    def _check_strides_dilation(self) -> None:
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )

    def _lifted(self, values, unit):
        """Torch arguments for the op: `values` with a leading `unit` when lifted to 2D."""
        if not self._lift or not isinstance(values, tuple):
            return values
        return (unit, *values)

    def _to_torch(self, inputs):
        return _ops.to_channels_first(inputs, self.data_format, self._lift)

    def _from_torch(self, outputs):
        return _ops.to_data_format(outputs, self.data_format, self._lift)

    def _torch_weight(self, kernel):
        """A Keras-layout kernel in torch's layout (a view), lifted to 2D when needed."""
        kernel = _ops.torch_kernel(kernel)
        return kernel.unsqueeze(2) if self._lift else kernel

    def _input_channels(self, input_shape) -> int:
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' ({type(self).__name__}) is incompatible: "
                f"expected ndim={self.rank + 2} (batch, {'spatial, ' * self.rank}channels in "
                f"{self.data_format} order), found ndim={len(input_shape)}. Full shape "
                f"received: {tuple(input_shape)}."
            )
        channels = _ops.channels_of(input_shape, self.data_format)
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel dimension of the inputs should be defined "
                f"(data_format={self.data_format!r}). Received input_shape={tuple(input_shape)}."
            )
        return int(channels)

    def _build_channels(self, input_shape) -> int:
        """Validates `build`'s input shape; records and returns its channel count."""
        channels = self._input_channels(input_shape)
        self._check_channel_count(channels, input_shape)
        self.input_channels = channels
        self.compute_output_shape(input_shape)  # validates the spatial sizes
        return channels

    def _check_channel_count(self, channels: int, input_shape) -> None:
        """Hook of `_build_channels`: raises when the layer cannot take `channels`."""

    def _check_input_compatibility(self, inputs):
        shape = tuple(inputs.shape)
        channels = self._input_channels(shape)
        if self.input_channels is not None and channels != self.input_channels:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible: expected "
                f"{self.input_channels} channels on axis "
                f"{-1 if self.data_format == 'channels_last' else 1}, found {channels}. "
                f"Full shape received: {shape}."
            )
        self.compute_output_shape(shape)

    def _check_channels(self, inputs) -> None:
        """Raises a Keras-style error (not torch's) on a wrong channel count or rank."""
        if inputs.ndim != self.rank + 2 or (
                inputs.shape[-1 if self.data_format == "channels_last" else 1]
                != self.input_channels):
            self._check_input_compatibility(inputs)

    def _pad(self, inputs):
        """Returns `(inputs, torch_padding)`: explicit padding only when asymmetric."""
        if self.padding == "valid":
            return inputs, 0
        spatial = _ops.spatial_shape(inputs.shape, self.data_format)
        cached = self._padding_cache.get(spatial)
        if cached is None:
            if self.padding == "causal":
                pads = [(self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)]
            else:
                pads = [_ops.same_padding(n, k, s, d) for n, k, s, d in zip(
                    spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True)]
            if self.padding == "same" and all(left == right for left, right in pads):
                cached = (None, self._lifted(tuple(left for left, _ in pads), 0))
            else:
                cached = (pads, 0)
            self._padding_cache[spatial] = cached
        pads, torch_padding = cached
        if pads is not None:
            inputs = _ops.pad_spatial(inputs, pads, self.data_format)
        return inputs, torch_padding

    def _activate(self, outputs):
        if self.activation is activations_module.linear:
            return outputs
        return self.activation(outputs)

    def _output_channels(self, input_shape):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = _ops.spatial_shape(input_shape, self.data_format)
        out = tuple(
            _ops.conv_output_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate,
                                  strict=True)
        )
        if any(d is not None and d <= 0 for d in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. "
                f"Received inputs shape={input_shape}, kernel_size={self.kernel_size}, "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}, "
                f"padding={self.padding!r}."
            )
        return _ops.with_spatial(input_shape, out, self._output_channels(input_shape),
                                 self.data_format)

    def get_config(self):
        layout = self._config_layout
        config = super().get_config()
        config.update({
            **{name: getattr(self, name) for name in layout.head},
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activity_regularizer": regularizers_module.serialize(self.activity_regularizer),
            **{name: getattr(self, name) for name in layout.tail},
            **kernel_bias_config(self, *layout.kernels),
        })
        return config


class BaseConv(SpatialConv):
    """Abstract N-D convolution layer (`rank` 1, 2 or 3).

    Args:
        rank: Number of spatial dimensions.
        filters: Number of output channels.
        kernel_size: Int or tuple of `rank` ints, the window size.
        strides: Int or tuple of `rank` ints. `strides > 1` is incompatible
            with `dilation_rate > 1`.
        padding: `"valid"` (no padding), `"same"` (output size
            `ceil(input / strides)`, the extra padding cell at the end as in
            Keras), or `"causal"` (1D only: left padding, for temporal models).
        data_format: `"channels_last"` (default from
            `keras.backend.image_data_format()`) or `"channels_first"`.
        dilation_rate: Int or tuple of `rank` ints, for dilated convolution.
        groups: Number of groups the input channels are split into; both the
            input channels and `filters` must be divisible by it.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.
    """

    _config_layout = ConfigLayout(head=("filters",), tail=("groups",))

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format: str | None = None, dilation_rate=1, groups: int = 1,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._check_positive("filters", filters)
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(
                f"The number of groups must be a positive integer. Received: groups={groups!r}."
            )
        if filters % groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={groups}, filters={filters}."
            )
        self.filters = filters
        self.groups = groups
        self._init_spatial(rank, kernel_size, strides, padding, data_format, dilation_rate,
                           activation, use_bias, allow_causal=rank == 1)
        set_weight_args(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._check_strides_dilation()
        self._conv = _ops.CONV_FNS[self._op_rank]

    def _check_channel_count(self, channels: int, input_shape) -> None:
        if channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {tuple(input_shape)})."
            )

    def build(self, input_shape):
        channels = self._build_channels(input_shape)
        self.kernel = add_kernel(
            self, (*self.kernel_size, channels // self.groups, self.filters))
        self.bias = add_bias(self, self.filters)
        self.built = True

    def call(self, inputs):
        self._check_channels(inputs)
        inputs, padding = self._pad(inputs)
        torch_inputs = self._to_torch(inputs)
        weight = self._torch_weight(self.kernel)
        post_op = _fused.fusable_activation(self.activation) if self._op_rank == 2 else None
        if _winograd.can_use(torch_inputs, weight, self.bias, self._t_strides, padding,
                             self._t_dilation, self.groups):
            outputs = self._from_torch(_winograd.conv2d_3x3(
                torch_inputs, weight, self.bias, padding, relu=post_op is not None))
            return outputs if post_op else self._activate(outputs)
        if _fused.can_fuse(torch_inputs, weight, self.bias, post_op):
            outputs = _fused.conv2d_pointwise(
                torch_inputs, weight, self.bias, self._t_strides, padding, self._t_dilation,
                self.groups, post_op,
            )
            return self._from_torch(outputs)
        outputs = self._conv(
            torch_inputs, weight, self.bias, self._t_strides, padding, self._t_dilation,
            self.groups,
        )
        return self._activate(self._from_torch(outputs))

    def _output_channels(self, input_shape):
        return self.filters
