"""`Embedding` (integer indices to dense vectors) and `Masking` (skip padded timesteps)."""

from __future__ import annotations

import torch

from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise.layers.layer import Layer
from layerwise.layers.masks import set_keras_mask


def _positive_int(layer: str, name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"{layer}: `{name}` must be a positive integer. Received: {name}={value!r} "
            f"(of type {type(value).__name__})."
        )
    return value


class Embedding(Layer):
    """Turns non-negative integers (indices) into dense vectors of fixed size.

    Args:
        input_dim: Size of the vocabulary (largest index + 1).
        output_dim: Dimension of the dense embedding.
        embeddings_initializer: Initializer of the `(input_dim, output_dim)` matrix
            (default `"uniform"`, as Keras).
        embeddings_regularizer: Optional penalty on the matrix.
        embeddings_constraint: Optional projection after each step.
        mask_zero: Whether index 0 is padding: the output then carries a mask
            (`False` where the input is 0) that recurrent, attention, pooling
            layers, losses and metrics honour.
        weights: Optional initial `(input_dim, output_dim)` matrix.

    Input shape: `(batch, ...)` integers. Output shape: `(batch, ..., output_dim)`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.Embedding(10, 3, mask_zero=True)
    >>> out = layer(torch.tensor([[1, 2, 0]]))
    >>> out.shape, layer.compute_mask(torch.tensor([[1, 2, 0]]))
    (torch.Size([1, 3, 3]), tensor([[ True,  True, False]]))
    """

    _cast_inputs = False

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = _positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers_module.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers_module.get(embeddings_regularizer)
        self.embeddings_constraint = constraints_module.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, torch.Tensor):
            inputs = torch.as_tensor(inputs)
        if inputs.is_floating_point() or inputs.dtype not in (torch.int64, torch.int32):
            inputs = inputs.to(torch.int64)
        return torch.nn.functional.embedding(inputs, self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return torch.as_tensor(inputs) != 0

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers_module.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers_module.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers_module.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints_module.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        })
        return config


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value` (and zeroes them).

    Args:
        mask_value: The padding value (default 0.0).

    Example:

    >>> import torch, layerwise as keras
    >>> x = torch.tensor([[[1.0], [0.0], [2.0]]])
    >>> keras.layers.Masking()(x)._keras_mask
    tensor([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return torch.any(inputs != self.mask_value, dim=-1)

    def call(self, inputs):
        keep = torch.any(inputs != self.mask_value, dim=-1, keepdim=True)
        outputs = torch.where(keep, inputs, torch.zeros((), dtype=inputs.dtype))
        set_keras_mask(outputs, keep.squeeze(-1))
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
