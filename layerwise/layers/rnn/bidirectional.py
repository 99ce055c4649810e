"""`Bidirectional`: a recurrent layer run forwards and backwards, outputs merged."""

from __future__ import annotations

import torch

from layerwise.layers.layer import Layer
from layerwise.layers.rnn.wrapping import NestedLayersMixin, check_layer_argument
from layerwise.registry.serialization import deserialize_keras_object, serialize_keras_object

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_layer(layer, name: str, **changes):
    config = serialize_keras_object(layer)
    config["config"]["name"] = name
    config["config"].update(changes)
    return deserialize_keras_object(config)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(NestedLayersMixin, Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: An `RNN` instance (`LSTM`, `GRU`, ...); a fresh copy runs forwards.
        merge_mode: How forward and backward outputs combine: `"concat"`
            (default), `"sum"`, `"mul"`, `"ave"`, or `None` (a list of both).
        backward_layer: Optional layer for the backward direction (must have
            `go_backwards=True`); default: a copy of `layer` going backwards.

    With `return_sequences`, the backward outputs are flipped back to time
    order and masked steps output zeros (Keras' `zero_output_for_mask`).

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))
    >>> layer(torch.ones(2, 5, 3)).shape
    torch.Size([2, 5, 8])
    """

    _nested_keys = ("layer", "backward_layer")

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        check_layer_argument("Bidirectional", "layer", layer, "LSTM(64)")
        if backward_layer is not None:
            check_layer_argument("Bidirectional", "backward_layer", backward_layer)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one of "
                '"sum", "mul", "ave", "concat" or None.'
            )
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy_layer(
                layer, f"backward_{_strip(layer.name, 'backward_')}",
                go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Bidirectional: forward and backward layers need opposite `go_backwards`. "
                f"Received go_backwards={self.forward_layer.go_backwards} for both."
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, attr) != getattr(self.backward_layer, attr):
                raise ValueError(
                    f"Bidirectional: forward and backward layers must agree on `{attr}`. "
                    f"Received {getattr(self.forward_layer, attr)} and "
                    f"{getattr(self.backward_layer, attr)}."
                )
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction._build_input_shape = (None, *tuple(sequences_shape)[1:])
                direction._build_device = self._build_device
                direction.build(sequences_shape)
                direction.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = (*shape[:-1], None if shape[-1] is None else shape[-1] * 2)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else shape

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return torch.cat([y, y_rev], dim=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask[0] if isinstance(mask, (list, tuple)) else mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = torch.flip(y_rev, dims=(1,))
        output = self._merge(y, y_rev)
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            count = 2 * len(self.forward_layer._state_shapes(None))
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * count
        return output_mask

    def reset_states(self, states=None) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config
