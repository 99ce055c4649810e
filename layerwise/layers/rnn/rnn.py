"""`RNN`: runs a cell over the time axis (torch's fused kernel when it computes the same)."""

from __future__ import annotations

import torch

from layerwise.layers.layer import Layer
from layerwise.layers.rnn import fused
from layerwise.layers.rnn.loop import flatten, pack_like, rnn_loop
from layerwise.layers.rnn.stacked import StackedRNNCells
from layerwise.layers.rnn.wrapping import NestedLayersMixin
from layerwise.registry.serialization import serialize_keras_object


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


class RNN(NestedLayersMixin, Layer):
    """Base class for recurrent layers: loops `cell` over the timesteps of its input.

    Args:
        cell: An RNN cell (a layer with `state_size` and
            `call(inputs, states) -> (output, new_states)`), or a list of
            cells (stacked with `StackedRNNCells`).
        return_sequences: Return the whole output sequence, not only the last output.
        return_state: Also return the final states (`[output, *states]`).
        go_backwards: Process the sequence backwards (outputs in processed order).
        stateful: Keep the final states of each batch as the initial states of
            the next (fixed batch size; `reset_states()` zeroes them).
        unroll: Accepted for Keras compatibility; the result is identical.
        zero_output_for_mask: Output zeros (not the previous output) at masked steps.

    Call arguments:
        sequences: `(batch, timesteps, ...)`.
        initial_state: Optional list of initial state tensors.
        mask: Optional boolean `(batch, timesteps)`; `False` steps are skipped
            (states carried over). Set automatically by `Embedding(mask_zero=True)`
            or `Masking`.
        training: Enables dropout.

    Which implementation runs is described in `docs/recurrent.md`: torch's fused
    kernel for the built-in cells with default activations, else this loop.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.RNN(keras.layers.LSTMCell(4), return_sequences=True)
    >>> layer(torch.ones(2, 5, 3)).shape
    torch.Size([2, 5, 4])
    """

    _nested_keys = ("cell",)

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        kwargs.pop("time_major", None)  # Keras 2 configs; always batch-major here
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or getattr(cell, "state_size", None) is None:
            raise ValueError(
                "RNN: `cell` must have a `call` method and a `state_size` attribute (an int "
                f"or a list of ints, one per state). Received: cell={cell!r}"
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None
        size = cell.state_size
        self.state_size = [size] if isinstance(size, int) else list(size)
        self.single_state = isinstance(size, int)

    # ------------------------------------------------------------------ shapes
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.state_size[0]
        return size

    def _state_shapes(self, batch):
        shapes = []
        for size in self.state_size:
            if isinstance(size, (list, tuple)):
                shapes.extend((batch, s) for s in size)
            else:
                shapes.append((batch, size))
        return shapes

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        batch = shape[0]
        size = self._output_size()
        size = tuple(size) if isinstance(size, (list, tuple)) else (size,)
        output = (batch, shape[1], *size) if self.return_sequences else (batch, *size)
        if self.return_state:
            return [output, *self._state_shapes(batch)]
        return output

    def compute_mask(self, inputs, mask):
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_shapes(None))
        return output_mask

    def build(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            step_shape = (shape[0], *shape[2:])
            self.cell._build_input_shape = (None, *shape[2:])
            self.cell._build_device = self._build_device
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful and shape[0] is None:
            raise ValueError(
                f"RNN '{self.name}': `stateful=True` needs a fixed batch size. Pass "
                "`batch_size=` (or `batch_shape=`) to `Input`. Received sequences of shape "
                f"{shape}."
            )
        self.built = True

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size):
        if hasattr(self.cell, "get_initial_state"):
            state = self.cell.get_initial_state(batch_size=batch_size)
            return _as_list(state)
        return [torch.zeros((batch_size, d), dtype=self.torch_dtype) for d in self.state_size]

    def reset_states(self, states=None) -> None:
        """Zeroes the states of a stateful layer (or sets them to `states`)."""
        if self.states is None:
            return
        if states is None:
            self.states = pack_like(self.states, [torch.zeros_like(s)
                                                  for s in flatten(self.states)])
        else:
            values = [torch.as_tensor(v, dtype=self.torch_dtype) for v in _as_list(states)]
            self.states = pack_like(self.states, values)

    def reset_state(self) -> None:
        self.reset_states()

    # -------------------------------------------------------------------- call
    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is not None:
            states = _as_list(initial_state)
        elif self.stateful and self.states is not None:
            states = self.states
        else:
            states = self.get_initial_state(batch)
        if self.stateful and self.states is not None:
            expected = flatten(self.states)[0].shape[0]
            if expected != batch:
                raise ValueError(
                    f"RNN '{self.name}' is stateful with batch size {expected}; received a "
                    f"batch of {batch}. Feed batches of exactly {expected} samples (e.g. "
                    "drop the last partial batch) or call `reset_states()` after changing it."
                )
        device, dtype = sequences.device, sequences.dtype
        return pack_like(states, [torch.as_tensor(s).to(device=device, dtype=dtype)
                                  for s in flatten(states)])

    def _step_fn(self, training):
        cell = self.cell
        takes_training = isinstance(cell, Layer) and cell._call_signature_flags()[0]
        direct = getattr(cell, "_builtin", False)

        def step(x_t, states):
            if direct:
                output, new_states = cell.call(x_t, states, training=training)
            elif takes_training:
                output, new_states = cell(x_t, states, training=training)
            else:
                output, new_states = cell(x_t, states)
            return output, _as_list(new_states)

        return step

    def _fused_plan(self, mask, training):
        """`(kind, lengths)` when torch's kernel gives Keras' result, else `None`."""
        kind = fused.fused_kind(self.cell)
        if kind is None:
            return None
        if training and (self.cell.recurrent_dropout > 0
                         or (self.cell.dropout > 0 and self.cell._mask_count() > 1)):
            return None
        if mask is None:
            return kind, None
        lengths = fused.right_padded_lengths(mask.bool())
        return None if lengths is None else (kind, lengths)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Returns `(last_output, outputs, states)` (Keras' `backend.rnn` contract)."""
        plan = self._fused_plan(mask, training)
        if plan is not None:
            kind, lengths = plan
            x = sequences
            if training and self.cell.dropout > 0:
                x = x * self.cell.get_dropout_mask(sequences[:, 0])[0][:, None]
            return fused.run(kind, self.cell, x, initial_state, lengths, self.go_backwards,
                             self.zero_output_for_mask, bool(training))
        return rnn_loop(self._step_fn(training), sequences, initial_state, mask,
                        self.go_backwards, self.zero_output_for_mask, self.return_sequences)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        states = self._initial_states(sequences, initial_state)
        try:
            last_output, outputs, states = self.inner_loop(sequences, states, mask, training)
        finally:
            _reset_dropout(self.cell)
        if self.stateful:
            self.states = pack_like(states, [s.detach() for s in flatten(states)])
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output, *flatten(states)]
        return output

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        })
        return config


def _reset_dropout(cell) -> None:
    if hasattr(cell, "reset_dropout_mask"):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for sub in getattr(cell, "cells", []):
        _reset_dropout(sub)
