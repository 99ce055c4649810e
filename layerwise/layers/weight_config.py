"""The kernel / bias pieces that Dense and the convolutions share: one bias weight, one config.

Example:

>>> import layerwise as keras
>>> from layerwise.layers.weight_config import kernel_bias_config
>>> sorted(kernel_bias_config(keras.layers.Dense(2)))[:3]
['activation', 'bias_constraint', 'bias_initializer']
"""

from __future__ import annotations

from layerwise import activations, constraints, initializers, regularizers


def kernel_bias_config(layer, kernel: str = "kernel") -> dict:
    """`activation`, `use_bias` and the `<kernel>_*` / `bias_*` entries of `get_config`,
    in Keras' order."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        f"{kernel}_initializer": initializers.serialize(getattr(layer, f"{kernel}_initializer")),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        f"{kernel}_regularizer": regularizers.serialize(getattr(layer, f"{kernel}_regularizer")),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        f"{kernel}_constraint": constraints.serialize(getattr(layer, f"{kernel}_constraint")),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }


def add_bias(layer, size: int):
    """The layer's `bias` weight of shape `(size,)`, or `None` when `use_bias` is off."""
    if not layer.use_bias:
        return None
    return layer.add_weight(
        name="bias", shape=(size,), initializer=layer.bias_initializer,
        regularizer=layer.bias_regularizer, constraint=layer.bias_constraint,
    )
