"""`TimeDistributed`: applies a layer to every timestep of its input."""

from __future__ import annotations

import torch

from layerwise.layers.layer import Layer
from layerwise.layers.normalization import BatchNormalization
from layerwise.layers.rnn.wrapping import NestedLayersMixin, check_layer_argument
from layerwise.registry.serialization import serialize_keras_object


class TimeDistributed(NestedLayersMixin, Layer):
    """Applies `layer` to every temporal slice (axis 1) of the input.

    Timesteps are folded into the batch (`(batch * time, ...)`) for one call of
    `layer`; a layer holding `BatchNormalization` is called timestep by timestep
    instead, as Keras does, so its batch statistics match.

    Args:
        layer: A layer instance.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.TimeDistributed(keras.layers.Dense(8))
    >>> layer(torch.ones(32, 10, 16)).shape
    torch.Size([32, 10, 8])
    """

    def __init__(self, layer, **kwargs):
        check_layer_argument("TimeDistributed", "layer", layer, "Dense(8)")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}' needs inputs with at least 3 dimensions "
                f"(batch, time, ...). Received input_shape={shape}."
            )
        return (shape[0], *shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            child = self._child_shape(input_shape)
            self.layer._build_input_shape = (None, *child[1:])
            self.layer._build_device = self._build_device
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], tuple(input_shape)[1], *child[1:])

    def _per_step(self) -> bool:
        return any(isinstance(sub, BatchNormalization)
                   for sub in self.layer._flatten_layers(include_self=True))

    def call(self, inputs, training=None, mask=None):
        if mask is not None and tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(
                f"TimeDistributed '{self.name}': the mask of shape {tuple(mask.shape)} does "
                f"not match the input's (batch, timesteps) {tuple(inputs.shape[:2])}."
            )
        flags = self.layer._call_signature_flags()
        kwargs = {"training": training} if flags[0] else {}
        if self._per_step():
            steps = []
            for t in range(inputs.shape[1]):
                if flags[1] and mask is not None:
                    kwargs["mask"] = mask[:, t]
                steps.append(self.layer(inputs[:, t], **kwargs))
            return torch.stack(steps, dim=1)
        batch, steps = inputs.shape[0], inputs.shape[1]
        if flags[1] and mask is not None:
            kwargs["mask"] = mask.reshape(batch * steps, *mask.shape[2:])
        folded = inputs.reshape(batch * steps, *inputs.shape[2:])
        out = self.layer(folded, **kwargs)
        return out.reshape(batch, steps, *out.shape[1:])

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config
