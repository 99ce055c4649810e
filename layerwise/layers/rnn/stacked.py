"""`StackedRNNCells`: several cells run as one (each feeds the next within a timestep)."""

from __future__ import annotations

import torch

from layerwise.layers.layer import Layer
from layerwise.registry.serialization import (
    clean_layer_config,
    deserialize_keras_object,
    serialize_keras_object,
)


def _call_cell(cell, inputs, states, training):
    if isinstance(cell, Layer) and cell._call_signature_flags()[0]:
        return cell(inputs, states, training=training)
    return cell(inputs, states)


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    Args:
        cells: List of cells (each with `state_size` and `call(inputs, states)`).

    Example:

    >>> import torch, layerwise as keras
    >>> cells = [keras.layers.LSTMCell(4), keras.layers.GRUCell(3)]
    >>> layer = keras.layers.RNN(keras.layers.StackedRNNCells(cells))
    >>> layer(torch.ones(2, 5, 6)).shape
    torch.Size([2, 3])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(
                    "StackedRNNCells: every cell needs a `call` method and a `state_size` "
                    f"attribute. Received: {cell!r}"
                )
        self.cells = torch.nn.ModuleList(cells)

    def _direct_sublayers(self) -> list[Layer]:
        return [c for c in self.cells if isinstance(c, Layer)]

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) \
                    else [cell.state_size]
                zeros = [torch.zeros((batch_size, d), dtype=self.torch_dtype) for d in sizes]
                states.append(zeros if isinstance(cell.state_size, (list, tuple)) else zeros[0])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._build_input_shape = (None, *tuple(input_shape)[1:])
                cell.build(input_shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) \
                    else cell.state_size
            input_shape = (tuple(input_shape)[0], size)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if is_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training)
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **clean_layer_config(config))
