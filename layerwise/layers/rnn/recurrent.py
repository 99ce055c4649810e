"""`SimpleRNN`, `LSTM`, `GRU`: an `RNN` over the matching built-in cell, configured flat."""

from __future__ import annotations

from layerwise.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell
from layerwise.layers.rnn.rnn import RNN
from layerwise.registry.serialization import clean_layer_config

_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
             "zero_output_for_mask")
_BASE_ARGS = ("name", "dtype", "trainable", "input_shape", "batch_input_shape", "batch_size",
              "input_dim", "activity_regularizer", "input_length", "time_major")


class _CellLayer(RNN):
    """An `RNN` whose cell is built from the layer's own arguments."""

    cell_class = SimpleRNNCell

    def __init__(self, units, **kwargs):
        use_cudnn = kwargs.pop("use_cudnn", "auto")
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{type(self).__name__}: `use_cudnn` must be 'auto', True or False. "
                f"Received: use_cudnn={use_cudnn!r}"
            )
        layer_kwargs = {k: kwargs.pop(k) for k in _RNN_ARGS + _BASE_ARGS if k in kwargs}
        cell = self.cell_class(units, name=f"{type(self).__name__.lower()}_cell",
                               dtype=layer_kwargs.get("dtype"),
                               trainable=layer_kwargs.get("trainable", True), **kwargs)
        super().__init__(cell, **layer_kwargs)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        # `layer.units`, `layer.kernel`-style access forwards to the cell, as in Keras.
        if name in ("units", "activation", "recurrent_activation", "use_bias", "dropout",
                    "recurrent_dropout", "unit_forget_bias", "reset_after", "seed",
                    "kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint",
                    "implementation"):
            return getattr(self._modules["cell"], name)
        return super().__getattr__(name)

    def get_config(self):
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype", "batch_input_shape"):
            cell_config.pop(key, None)
        config.update(cell_config)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("implementation", None)
        return cls(**clean_layer_config(config))


class SimpleRNN(_CellLayer):
    """Fully-connected RNN where the output is fed back to the input.

    Args:
        units: Dimension of the output space.
        activation: Default `"tanh"` (`"relu"` also runs torch's fused kernel).
        use_bias, kernel_initializer, recurrent_initializer (default
            `"orthogonal"`), bias_initializer, *_regularizer, *_constraint:
            as in `Dense`, for `kernel`, `recurrent_kernel` and `bias`.
        dropout: Fraction of the inputs dropped (one mask for all timesteps).
        recurrent_dropout: Fraction of the recurrent state dropped (runs the loop).
        seed: Seed of the dropout masks.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.SimpleRNN(4)(torch.ones(2, 10, 8)).shape
    torch.Size([2, 4])
    """

    cell_class = SimpleRNNCell


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997), Keras' weights and results.

    Runs torch's fused LSTM kernel when `activation="tanh"`,
    `recurrent_activation="sigmoid"` (the defaults), no `recurrent_dropout`
    and a right-padded (or no) mask; else the timestep loop. Both give Keras'
    numbers; see `docs/recurrent.md`.

    Args:
        units: Dimension of the output space.
        activation, recurrent_activation: Defaults `"tanh"`, `"sigmoid"`.
        unit_forget_bias: Initialize the forget gate's bias to 1 (default True).
        dropout, recurrent_dropout, seed: Dropout of inputs / recurrent state.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.
        use_cudnn: Accepted for Keras compatibility (the fused kernel is chosen
            automatically).
        (initializers, regularizers and constraints as in `SimpleRNN`)

    Example:

    >>> import torch, layerwise as keras
    >>> out, h, c = keras.layers.LSTM(4, return_state=True)(torch.ones(2, 10, 8))
    >>> out.shape, h.shape, c.shape
    (torch.Size([2, 4]), torch.Size([2, 4]), torch.Size([2, 4]))
    """

    cell_class = LSTMCell


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al. 2014), Keras' weights and results.

    Runs torch's fused GRU kernel with `reset_after=True` (the default),
    default activations and no `recurrent_dropout`; `reset_after=False` (Keras 2's
    original GRU, bias `(3*units,)`) runs the loop.

    Args:
        units: Dimension of the output space.
        reset_after: Reset gate after the recurrent matrix product (default True).
        (the others as in `LSTM`)

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GRU(4, return_sequences=True)(torch.ones(2, 10, 8)).shape
    torch.Size([2, 10, 4])
    """

    cell_class = GRUCell
