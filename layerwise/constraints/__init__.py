"""`layerwise.constraints`: projections applied to weights after each optimizer step.

Example:

>>> import torch, layerwise as keras
>>> keras.constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> keras.constraints.serialize(keras.constraints.MaxNorm(3))
{'module': 'keras.constraints', 'class_name': 'MaxNorm', 'config': {'max_value': 3, 'axis': 0}, 'registered_name': None}
"""

from __future__ import annotations

from collections.abc import Mapping

from layerwise.backend.naming import to_snake_case
from layerwise.constraints.constraints import Constraint as Constraint
from layerwise.constraints.constraints import MaxNorm as MaxNorm
from layerwise.constraints.constraints import MinMaxNorm as MinMaxNorm
from layerwise.constraints.constraints import NonNeg as NonNeg
from layerwise.constraints.constraints import UnitNorm as UnitNorm
from layerwise.saving import object_registry

max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_REGISTRY = {
    **ALL_OBJECTS,
    **{to_snake_case(c.__name__): c for c in _CLASSES},
    # Keras 2 spellings.
    "nonneg": NonNeg, "maxnorm": MaxNorm, "unitnorm": UnitNorm,
}


def get(identifier):
    """Returns a constraint from a name (`"max_norm"`), a config dict, an instance or a callable.

    Example:

    >>> import layerwise as keras
    >>> keras.constraints.get("non_neg")
    NonNeg({})
    """
    return object_registry.lookup("constraint", identifier, _REGISTRY, Constraint)


def serialize(constraint):
    """Returns Keras 3's config dict for a constraint."""
    return object_registry.serialize(constraint, module="keras.constraints",
                                     registry=ALL_OBJECTS)


def deserialize(config, custom_objects=None):
    """Returns the constraint described by `config` (a name or a `serialize` dict)."""
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            found = custom_objects[config]
            return found() if isinstance(found, type) else found
        return get(config)
    if not isinstance(config, Mapping):
        raise ValueError(f"Could not interpret constraint config: {config!r}")
    return object_registry.deserialize("constraint", config, _REGISTRY, custom_objects)
