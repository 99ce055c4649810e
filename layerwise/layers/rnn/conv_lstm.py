"""`ConvLSTM1D/2D/3D`: LSTMs whose input and recurrent transformations are convolutions."""

from __future__ import annotations

import torch

from layerwise.layers.convolutional import _ops
from layerwise.layers.rnn.cells import LSTMCell
from layerwise.layers.rnn.recurrent import _CellLayer


class ConvLSTMCell(LSTMCell):
    """One timestep of `ConvLSTM{rank}D` (Keras layout: kernel `(*kernel_size, in, 4*filters)`).

    Gates `i, f, c, o` as in `LSTMCell`; dropout masks are drawn per gate, as Keras does.
    """

    _builtin = True

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(filters, **kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = _ops.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = _ops.standardize_tuple(strides, rank, "strides")
        self.padding = _ops.standardize_padding(padding)
        self.data_format = data_format or "channels_last"
        self.dilation_rate = _ops.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.implementation = 1  # Keras: one dropout mask per gate

    def build(self, input_shape):
        shape = tuple(input_shape)
        self.spatial_dims = _ops.spatial_shape(shape, self.data_format)
        if None in self.spatial_dims:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial dimension. "
                f"Received invalid input shape: input_shape={shape}"
            )
        self.input_dim = _ops.channels_of(shape, self.data_format)
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, self.input_dim, width), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        units, base = self.filters, self.bias_initializer
        initializer = None
        if self.unit_forget_bias:
            def initializer(shape, dtype=None):
                ones = torch.ones(units, dtype=dtype)
                return torch.cat([torch.as_tensor(base((units,), dtype=dtype)), ones,
                                  torch.as_tensor(base((2 * units,), dtype=dtype))])
        self._add_bias((width,), initializer)
        self.built = True

    def _conv(self, x, kernel, strides, padding, dilation):
        fmt = self.data_format
        x = _ops.to_channels_first(x, fmt)
        if padding == "same":
            pads = [_ops.same_padding(n, k, s, d) for n, k, s, d in
                    zip(x.shape[2:], kernel.shape[:self.rank], strides, dilation)]
            x = _ops.pad_spatial(x, pads, "channels_first")
        out = _ops.CONV_FNS[self.rank](x, _ops.torch_kernel(kernel), None, strides, 0, dilation)
        return _ops.to_data_format(out, fmt)

    def _bias_view(self, bias):
        if self.data_format == "channels_last":
            return bias
        return bias.reshape(-1, *([1] * self.rank))

    def _gates(self, per_gate, kernel, bias, strides, padding, dilation):
        axis = -1 if self.data_format == "channels_last" else 1
        if len(per_gate) == 1 or all(x is per_gate[0] for x in per_gate):
            out = self._conv(per_gate[0], kernel, strides, padding, dilation)
            if bias is not None:
                out = out + self._bias_view(bias)
            return torch.chunk(out, 4, dim=axis)
        kernels = torch.chunk(kernel, 4, dim=-1)
        biases = torch.chunk(bias, 4) if bias is not None else [None] * 4
        outs = []
        for x, k, b in zip(per_gate, kernels, biases):
            out = self._conv(x, k, strides, padding, dilation)
            outs.append(out + self._bias_view(b) if b is not None else out)
        return outs

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        xs, hs = self._dropped(inputs, h_tm1, training)
        x_i, x_f, x_c, x_o = self._gates(xs, self.kernel, self.bias, self.strides,
                                         self.padding, self.dilation_rate)
        ones = (1,) * self.rank
        h_i, h_f, h_c, h_o = self._gates(hs, self.recurrent_kernel, None, ones, "same", ones)
        i = self.recurrent_activation(x_i + h_i)
        f = self.recurrent_activation(x_f + h_f)
        c = f * c_tm1 + i * self.activation(x_c + h_c)
        o = self.recurrent_activation(x_o + h_o)
        h = o * self.activation(c)
        return h, [h, c]

    def output_spatial(self):
        return tuple(_ops.conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                     zip(self.spatial_dims, self.kernel_size, self.strides,
                         self.dilation_rate))

    def get_initial_state(self, batch_size=None):
        shape = _ops.with_spatial((batch_size,), self.output_spatial(), self.filters,
                                  self.data_format)
        return [torch.zeros(shape, dtype=self.torch_dtype, device=self.kernel.device)
                for _ in range(2)]

    def get_config(self):
        config = super().get_config()
        del config["units"]
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
        })
        return config


class _ConvLSTM(_CellLayer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, **kwargs):
        self._conv_args = dict(filters=filters, kernel_size=kernel_size, strides=strides,
                               padding=padding, data_format=data_format,
                               dilation_rate=dilation_rate)
        super().__init__(filters, **kwargs)

    def cell_class(self, units, **kwargs):  # noqa: D102 - builds the ConvLSTMCell
        args = dict(self._conv_args)
        args.pop("filters")
        return ConvLSTMCell(self.rank, units, **args, **kwargs)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        cell = self._modules["cell"]
        spatial = tuple(_ops.conv_output_length(n, k, s, cell.padding, d) for n, k, s, d in zip(
            _ops.spatial_shape((shape[0], *shape[2:]), cell.data_format), cell.kernel_size,
            cell.strides, cell.dilation_rate))
        step = _ops.with_spatial((shape[0],), spatial, cell.filters, cell.data_format)
        output = (shape[0], shape[1], *step[1:]) if self.return_sequences else step
        if self.return_state:
            return [output, step, step]
        return output

    def get_config(self):
        config = super().get_config()
        config.pop("rank", None)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("rank", None)
        return super().from_config(config, custom_objects)


class ConvLSTM1D(_ConvLSTM):
    """1D convolutional LSTM: inputs `(batch, time, steps, channels)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ConvLSTM1D(4, 3)(torch.ones(2, 5, 8, 3)).shape
    torch.Size([2, 6, 4])
    """

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """2D convolutional LSTM: inputs `(batch, time, rows, cols, channels)`.

    Args:
        filters: Output channels. kernel_size, strides, padding, data_format,
        dilation_rate: As in `Conv2D` (the recurrent convolution is "same",
        stride 1). The others as in `LSTM`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    >>> layer(torch.ones(2, 5, 6, 6, 3)).shape
    torch.Size([2, 5, 6, 6, 4])
    """

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """3D convolutional LSTM: inputs `(batch, time, d1, d2, d3, channels)`."""

    rank = 3
