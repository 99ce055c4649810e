"""What the layers that wrap other layers share (`RNN`'s cell, `TimeDistributed`'s
layer, `Bidirectional`'s two): the check of a layer argument and `from_config`."""

from __future__ import annotations

from layerwise.layers.layer import Layer
from layerwise.registry.serialization import clean_layer_config, deserialize_keras_object


def check_layer_argument(owner: str, argument: str, value, example: str = "") -> None:
    """Raises a `ValueError` where `value`, the argument `argument` of `owner`, is not a
    layer instance (`example` names one in the message)."""
    if not isinstance(value, Layer):
        such_as = f" such as {example}" if example else ""
        raise ValueError(
            f"{owner}: `{argument}` must be a layer instance{such_as}. "
            f"Received: {argument}={value!r}"
        )


class NestedLayersMixin:
    """`from_config` of a wrapper: the config entries `_nested_keys` are serialized layers;
    the first is the wrapper's first argument, the others are optional keywords."""

    _nested_keys: tuple[str, ...] = ("layer",)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        first, *others = cls._nested_keys
        nested = deserialize_keras_object(config.pop(first), custom_objects=custom_objects)
        for key in others:
            value = config.pop(key, None)
            if value is not None:
                value = deserialize_keras_object(value, custom_objects=custom_objects)
            config[key] = value
        return cls(nested, **clean_layer_config(config))
