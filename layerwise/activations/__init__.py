"""`layerwise.activations`: activation functions by name or as callables.

Example:

>>> import torch, layerwise as keras
>>> keras.activations.get("relu")(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> keras.activations.serialize(keras.activations.swish)
'silu'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from layerwise.activations.activations import celu as celu
from layerwise.activations.activations import elu as elu
from layerwise.activations.activations import exponential as exponential
from layerwise.activations.activations import gelu as gelu
from layerwise.activations.activations import glu as glu
from layerwise.activations.activations import hard_shrink as hard_shrink
from layerwise.activations.activations import hard_sigmoid as hard_sigmoid
from layerwise.activations.activations import hard_silu as hard_silu
from layerwise.activations.activations import hard_swish as hard_swish
from layerwise.activations.activations import hard_tanh as hard_tanh
from layerwise.activations.activations import leaky_relu as leaky_relu
from layerwise.activations.activations import linear as linear
from layerwise.activations.activations import log_sigmoid as log_sigmoid
from layerwise.activations.activations import log_softmax as log_softmax
from layerwise.activations.activations import mish as mish
from layerwise.activations.activations import relu as relu
from layerwise.activations.activations import relu6 as relu6
from layerwise.activations.activations import selu as selu
from layerwise.activations.activations import sigmoid as sigmoid
from layerwise.activations.activations import silu as silu
from layerwise.activations.activations import soft_shrink as soft_shrink
from layerwise.activations.activations import softmax as softmax
from layerwise.activations.activations import softplus as softplus
from layerwise.activations.activations import softsign as softsign
from layerwise.activations.activations import sparse_plus as sparse_plus
from layerwise.activations.activations import sparse_sigmoid as sparse_sigmoid
from layerwise.activations.activations import sparsemax as sparsemax
from layerwise.activations.activations import squareplus as squareplus
from layerwise.activations.activations import swish as swish
from layerwise.activations.activations import tanh as tanh
from layerwise.activations.activations import tanh_shrink as tanh_shrink
from layerwise.activations.activations import threshold as threshold
from layerwise.registry import object_registry
from layerwise.registry.names import register_names
from layerwise.registry.object_registry import unknown_name_error
from layerwise.registry.registration import (
    active_custom_objects,
    get_registered_name,
    is_registered,
)

ALL_OBJECTS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu,
               hard_tanh, leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu,
               sigmoid, silu, soft_shrink, softmax, softplus, softsign, sparse_plus,
               sparse_sigmoid, sparsemax, squareplus, tanh, tanh_shrink, threshold)
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
_REGISTRY = register_names("activation", {**ALL_OBJECTS, **_ALIASES})


def get(identifier) -> Callable:
    """Returns an activation function from a name, a config, or any callable.

    Args:
        identifier: `None` (gives `linear`), a name (`"relu"`, case-insensitive),
            a serialized config, or a callable (a torch function such as
            `torch.relu`, a module, a layer) returned as it is.

    Returns:
        A callable.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.activations.get(None) is keras.activations.linear
    True
    >>> keras.activations.get(torch.tanh) is torch.tanh
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        fn = _REGISTRY.get(identifier) or _REGISTRY.get(identifier.lower())
        if fn is None:  # registered / `custom_object_scope` functions
            fn = active_custom_objects().get(identifier)
        if fn is None:
            raise unknown_name_error("activation", identifier, _REGISTRY.keys())
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier: {identifier!r}. Pass a name such as "
        "'relu', or a callable."
    )


def serialize(activation) -> str | dict:
    """Returns the name of a built-in activation, as Keras does (`swish` gives `"silu"`).

    Other functions give their `__name__`; objects with `get_config` give a
    `{"module", "class_name", "config", "registered_name"}` dict.
    """
    for name, fn in ALL_OBJECTS.items():
        if fn is activation:
            return name
    if hasattr(activation, "get_config") and not isinstance(activation, type):
        return object_registry.serialize(activation)
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(
            f"Cannot serialize activation {activation!r}: it has no name and no `get_config`."
        )
    if is_registered(activation):  # Keras' form for a registered function
        return {"module": getattr(activation, "__module__", None), "class_name": "function",
                "config": name, "registered_name": get_registered_name(activation)}
    return name


def deserialize(config, custom_objects=None) -> Callable:
    """Returns the activation named by `config` (a name or a Keras config dict)."""
    custom_objects = active_custom_objects(custom_objects)
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return get(config)
    if isinstance(config, Mapping):
        inner = config.get("config")
        class_name = config.get("class_name")
        name = inner if isinstance(inner, str) else class_name
        if isinstance(inner, Mapping) and "name" in inner and class_name in (None, "function"):
            name = inner["name"]
        if custom_objects:
            for key in (config.get("registered_name"), name, class_name):
                if key in custom_objects:
                    found = custom_objects[key]
                    if isinstance(found, type) and isinstance(inner, Mapping):
                        return found.from_config(dict(inner)) if hasattr(
                            found, "from_config") else found(**inner)
                    return found
        if isinstance(name, str):
            return get(name)
    raise ValueError(f"Could not interpret activation config: {config!r}")
