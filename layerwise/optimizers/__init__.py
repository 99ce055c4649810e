"""`layerwise.optimizers`: update rules, by Keras name.

Example:

>>> import layerwise as keras
>>> keras.optimizers.get("adam").learning_rate
0.001
"""

from __future__ import annotations

from layerwise.optimizers import schedules as schedules
from layerwise.optimizers.adam import Adam as Adam
from layerwise.optimizers.optimizer import Optimizer as Optimizer
from layerwise.optimizers.rmsprop import RMSprop as RMSprop
from layerwise.optimizers.sgd import SGD as SGD
from layerwise.saving import object_registry

ALL_OBJECTS = {c.__name__: c for c in (SGD, RMSprop, Adam)}
_REGISTRY = {**ALL_OBJECTS, "sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier) -> Optimizer:
    """Returns an optimizer from a name (`"adam"`), config dict or instance."""
    optimizer = object_registry.lookup("optimizer", identifier, _REGISTRY, Optimizer)
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Pass a name such as "
            "'adam' or an optimizer instance such as `keras.optimizers.Adam(1e-3)`."
        )
    return optimizer


def serialize(optimizer):
    return object_registry.serialize(optimizer)


def deserialize(config, custom_objects=None):
    return object_registry.deserialize("optimizer", config, _REGISTRY, custom_objects)
