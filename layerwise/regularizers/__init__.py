"""`layerwise.regularizers`: weight penalties added to the training loss.

Example:

>>> import torch, layerwise as keras
>>> float(keras.regularizers.L2(0.1)(torch.ones(2, 2)))
0.4000000059604645
>>> keras.regularizers.serialize(keras.regularizers.L1L2(l1=0.5))
{'module': 'keras.regularizers', 'class_name': 'L1L2', 'config': {'l1': 0.5, 'l2': 0.0}, 'registered_name': None}
"""

from __future__ import annotations

from layerwise.backend.naming import to_snake_case
from layerwise.registry.family import Family
from layerwise.regularizers.regularizers import L1 as L1
from layerwise.regularizers.regularizers import L1L2 as L1L2
from layerwise.regularizers.regularizers import L2 as L2
from layerwise.regularizers.regularizers import OrthogonalRegularizer as OrthogonalRegularizer
from layerwise.regularizers.regularizers import Regularizer as Regularizer

# Keras 3 exports these lowercase names as the classes themselves.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_REGISTRY = {
    **ALL_OBJECTS,
    **{to_snake_case(c.__name__): c for c in _CLASSES},
    # Keras 2's name of L1L2 (Keras 3 only knows "l1l2").
    "l1_l2": L1L2,
}
_FAMILY = Family("regularizer", _REGISTRY, Regularizer, module="keras.regularizers",
                 builtins=ALL_OBJECTS)


def get(identifier):
    """Returns a regularizer from a name (`"l2"`), a config dict, an instance or a callable.

    Example:

    >>> import layerwise as keras
    >>> keras.regularizers.get("l2").get_config()
    {'l2': 0.01}
    """
    return _FAMILY.get(identifier)


def serialize(regularizer):
    """Returns Keras 3's config dict for a regularizer."""
    return _FAMILY.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """Returns the regularizer described by `config` (a name or a `serialize` dict)."""
    return _FAMILY.deserialize(config, custom_objects)
