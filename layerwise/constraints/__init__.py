"""`layerwise.constraints`: projections applied to weights after each optimizer step.

Example:

>>> import torch, layerwise as keras
>>> keras.constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> keras.constraints.serialize(keras.constraints.MaxNorm(3))
{'module': 'keras.constraints', 'class_name': 'MaxNorm', 'config': {'max_value': 3, 'axis': 0}, 'registered_name': None}
"""

from __future__ import annotations

from layerwise.backend.naming import to_snake_case
from layerwise.constraints.constraints import Constraint as Constraint
from layerwise.constraints.constraints import MaxNorm as MaxNorm
from layerwise.constraints.constraints import MinMaxNorm as MinMaxNorm
from layerwise.constraints.constraints import NonNeg as NonNeg
from layerwise.constraints.constraints import UnitNorm as UnitNorm
from layerwise.registry.family import Family

max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_REGISTRY = {
    **ALL_OBJECTS,
    **{to_snake_case(c.__name__): c for c in _CLASSES},
    # Keras 2 spellings.
    "nonneg": NonNeg, "maxnorm": MaxNorm, "unitnorm": UnitNorm,
}
_FAMILY = Family("constraint", _REGISTRY, Constraint, module="keras.constraints",
                 builtins=ALL_OBJECTS)


def get(identifier):
    """Returns a constraint from a name (`"max_norm"`), a config dict, an instance or a callable.

    Example:

    >>> import layerwise as keras
    >>> keras.constraints.get("non_neg")
    NonNeg({})
    """
    return _FAMILY.get(identifier)


def serialize(constraint):
    """Returns Keras 3's config dict for a constraint."""
    return _FAMILY.serialize(constraint)


def deserialize(config, custom_objects=None):
    """Returns the constraint described by `config` (a name or a `serialize` dict)."""
    return _FAMILY.deserialize(config, custom_objects)
