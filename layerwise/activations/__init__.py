"""`layerwise.activations`: activation functions by name or as callables.

Example:

>>> import torch, layerwise as keras
>>> keras.activations.get("relu")(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

from collections.abc import Callable

from layerwise.activations.activations import celu as celu
from layerwise.activations.activations import elu as elu
from layerwise.activations.activations import exponential as exponential
from layerwise.activations.activations import gelu as gelu
from layerwise.activations.activations import glu as glu
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
from layerwise.activations.activations import squareplus as squareplus
from layerwise.activations.activations import swish as swish
from layerwise.activations.activations import tanh as tanh
from layerwise.activations.activations import tanh_shrink as tanh_shrink
from layerwise.saving.object_registry import unknown_name_error

ALL_OBJECTS = {
    fn.__name__: fn
    for fn in (celu, elu, exponential, gelu, glu, hard_sigmoid, hard_silu, hard_tanh, leaky_relu,
               linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
               soft_shrink, softmax, softplus, softsign, sparse_plus, squareplus, tanh,
               tanh_shrink)
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
_REGISTRY = {**ALL_OBJECTS, **_ALIASES}


def get(identifier) -> Callable:
    """Returns an activation function from a name, a config dict, or any callable.

    `None` gives `linear`. Torch functions (`torch.relu`) and modules are accepted as they are.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = identifier.get("config", identifier.get("class_name"))
        if isinstance(identifier, dict):
            identifier = identifier.get("name")
    if isinstance(identifier, str):
        fn = _REGISTRY.get(identifier.lower())
        if fn is None:
            raise unknown_name_error("activation", identifier, _REGISTRY.keys())
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier: {identifier!r}. Pass a name such as "
        "'relu', or a callable."
    )


def serialize(activation) -> str:
    """Returns the name of a built-in activation (or the callable's `__name__`)."""
    for name, fn in ALL_OBJECTS.items():
        if fn is activation:
            return name
    return getattr(activation, "__name__", type(activation).__name__)


def deserialize(config, custom_objects=None) -> Callable:
    if custom_objects and isinstance(config, str) and config in custom_objects:
        return custom_objects[config]
    return get(config)
