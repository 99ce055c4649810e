"""Recurrent cells: one timestep of `SimpleRNN`, `LSTM` and `GRU`, in Keras' weight layout.

A cell is a layer with `state_size` (and `output_size`) whose
`call(inputs, states, training=False)` returns `(output, new_states)`. The
`RNN` layer loops a cell over time, or hands the whole sequence to torch's
fused kernel (`layers/rnn/fused.py`) when the cell allows it.

Weights: `kernel (input_dim, k*units)`, `recurrent_kernel (units, k*units)`,
`bias`; gates in Keras' order: LSTM `i, f, c, o`, GRU `z, r, h` (with
`reset_after=True` the bias is `(2, 3*units)`: input bias, recurrent bias).
"""

from __future__ import annotations

import torch

from layerwise import activations as activations_module
from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise.layers.layer import Layer

_WEIGHT_ARGS = ("kernel", "recurrent", "bias")


class DropoutRNNCell:
    """Keras' dropout for cells: masks drawn once per call, reused at every timestep.

    With `implementation=1` (forced by `recurrent_dropout > 0`, as in Keras) the
    LSTM and GRU cells draw one mask per gate.
    """

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def _mask_count(self) -> int:
        return self.gates if getattr(self, "implementation", 2) == 1 else 1

    def _draw(self, like: torch.Tensor, rate: float):
        generator = None
        if self.seed is not None:
            generators = self.__dict__.setdefault("_generators", {})
            generator = generators.get(str(like.device))
            if generator is None:
                generator = torch.Generator(device=like.device)
                generator.manual_seed(int(self.seed))
                generators[str(like.device)] = generator
        masks = []
        for _ in range(self._mask_count()):
            keep = torch.rand(like.shape, dtype=like.dtype, device=like.device,
                              generator=generator)
            masks.append((keep >= rate).to(like.dtype) / (1.0 - rate))
        return masks

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and 0.0 < self.dropout < 1.0:
            self._dropout_mask = self._draw(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, state):
        if getattr(self, "_recurrent_dropout_mask", None) is None \
                and 0.0 < self.recurrent_dropout < 1.0:
            self._recurrent_dropout_mask = self._draw(state, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def _dropped(self, inputs, h_tm1, training):
        """`(inputs per gate, h_tm1 per gate)`, with this call's dropout masks applied."""
        count = self._mask_count()
        xs, hs = [inputs] * count, [h_tm1] * count
        if training:
            masks = self.get_dropout_mask(inputs)
            if masks is not None:
                xs = [inputs * m for m in masks]
            rec_masks = self.get_recurrent_dropout_mask(h_tm1)
            if rec_masks is not None:
                hs = [h_tm1 * m for m in rec_masks]
        return xs, hs

    def _project(self, per_gate: list, weight: torch.Tensor) -> torch.Tensor:
        """`x @ weight`, gate block by gate block when the gates saw different masks."""
        if len(per_gate) == 1:
            return torch.matmul(per_gate[0], weight)
        width = weight.shape[1] // len(per_gate)
        return torch.cat([torch.matmul(x, weight[:, g * width:(g + 1) * width])
                          for g, x in enumerate(per_gate)], dim=-1)


class _GatedCell(DropoutRNNCell, Layer):
    """Shared configuration of the three built-in cells (`gates` blocks of `units`)."""

    gates = 1
    _builtin = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"{type(self).__name__}: `units` must be a positive integer. "
                f"Received: units={units!r}"
            )
        self.units = units
        self.activation = activations_module.get(activation)
        self.recurrent_activation = activations_module.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.recurrent_initializer = initializers_module.get(recurrent_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)
        self.kernel_regularizer = regularizers_module.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers_module.get(recurrent_regularizer)
        self.bias_regularizer = regularizers_module.get(bias_regularizer)
        self.kernel_constraint = constraints_module.get(kernel_constraint)
        self.recurrent_constraint = constraints_module.get(recurrent_constraint)
        self.bias_constraint = constraints_module.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        # Keras: recurrent dropout forces implementation 1 (one dropout mask per gate).
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        self.state_size = units
        self.output_size = units

    def _add_kernels(self, input_dim: int) -> None:
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None) -> None:
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape, name="bias", initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        device = self.kernel.device if self.built else None
        return [torch.zeros((batch_size, s), dtype=self.torch_dtype, device=device)
                for s in sizes]

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations_module.serialize(self.activation),
            "recurrent_activation": activations_module.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers_module.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers_module.serialize(self.recurrent_initializer),
            "bias_initializer": initializers_module.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers_module.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers_module.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers_module.serialize(self.bias_regularizer),
            "kernel_constraint": constraints_module.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints_module.serialize(self.recurrent_constraint),
            "bias_constraint": constraints_module.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config


class SimpleRNNCell(_GatedCell):
    """Cell of `SimpleRNN`: `h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)`.

    Example:

    >>> import torch, layerwise as keras
    >>> cell = keras.layers.SimpleRNNCell(4)
    >>> out, states = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
    >>> out.shape
    torch.Size([2, 4])
    """

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)
        self.implementation = 2  # one dropout mask: a single gate

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        self._add_bias((self.units,))
        self.built = True

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        xs, hs = self._dropped(inputs, prev, training)
        h = torch.matmul(xs[0], self.kernel)
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + torch.matmul(hs[0], self.recurrent_kernel))
        return output, ([output] if isinstance(states, (list, tuple)) else output)

    def get_config(self):
        config = super().get_config()
        del config["recurrent_activation"]
        return config


class LSTMCell(_GatedCell):
    """Cell of `LSTM` (gates `i, f, c, o` in the kernels' columns).

    Args:
        units: Dimension of the output and of both states `[h, c]`.
        unit_forget_bias: Add 1 to the forget gate's bias at initialization.
        (see `LSTM` for the others)

    Example:

    >>> import torch, layerwise as keras
    >>> cell = keras.layers.LSTMCell(4)
    >>> out, (h, c) = cell(torch.ones(2, 3), [torch.zeros(2, 4), torch.zeros(2, 4)])
    >>> cell.kernel.shape
    torch.Size([3, 16])
    """

    gates = 4

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        initializer = None
        if self.unit_forget_bias:
            base, units = self.bias_initializer, self.units

            def initializer(shape, dtype=None):
                ones = initializers_module.get("ones")
                return torch.cat([torch.as_tensor(base((units,), dtype=dtype)),
                                  torch.as_tensor(ones((units,), dtype=dtype)),
                                  torch.as_tensor(base((2 * units,), dtype=dtype))])
        self._add_bias((4 * self.units,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        xs, hs = self._dropped(inputs, h_tm1, training)
        z = self._project(xs, self.kernel) + self._project(hs, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = torch.chunk(z, 4, dim=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRUCell(_GatedCell):
    """Cell of `GRU` (gates `z, r, h`).

    Args:
        units: Dimension of the output and the state.
        reset_after: Apply the reset gate after the recurrent matrix product
            (Keras 3 default, cuDNN- and torch-compatible; bias `(2, 3*units)`),
            or before it (`False`, bias `(3*units,)`).
        (see `GRU` for the others)

    Example:

    >>> import torch, layerwise as keras
    >>> cell = keras.layers.GRUCell(4)
    >>> out, h = cell(torch.ones(2, 3), torch.zeros(2, 4))
    >>> cell.bias.shape
    torch.Size([2, 12])
    """

    gates = 3

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = reset_after

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        xs, hs = self._dropped(inputs, h_tm1, training)
        units = self.units
        input_bias = recurrent_bias = None
        if self.bias is not None:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after \
                else (self.bias, None)
        matrix_x = self._project(xs, self.kernel)
        if input_bias is not None:
            matrix_x = matrix_x + input_bias
        x_z, x_r, x_h = torch.chunk(matrix_x, 3, dim=-1)
        if self.reset_after:
            inner = self._project(hs, self.recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
        else:
            inner = self._project(hs[:2] if len(hs) > 1 else hs,
                                  self.recurrent_kernel[:, :2 * units])
        z = self.recurrent_activation(x_z + inner[:, :units])
        r = self.recurrent_activation(x_r + inner[:, units:2 * units])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * units:]
        else:
            recurrent_h = torch.matmul(r * hs[-1], self.recurrent_kernel[:, 2 * units:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config
