"""`layerwise.initializers`: how weights start.

With an integer `seed`, every random initializer returns the values Keras 3
returns on its torch backend, bit for bit.

Example:

>>> import layerwise as keras
>>> init = keras.initializers.get("glorot_uniform")
>>> tuple(init((3, 4)).shape)
(3, 4)
>>> keras.initializers.serialize(keras.initializers.HeNormal(seed=1))["config"]
{'seed': 1, 'input_axes': None, 'output_axes': None}
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from layerwise.backend.naming import to_snake_case
from layerwise.initializers.initializer import standardize_dtype
from layerwise.initializers.initializers import Constant as Constant
from layerwise.initializers.initializers import GlorotNormal as GlorotNormal
from layerwise.initializers.initializers import GlorotUniform as GlorotUniform
from layerwise.initializers.initializers import HeNormal as HeNormal
from layerwise.initializers.initializers import HeUniform as HeUniform
from layerwise.initializers.initializers import Identity as Identity
from layerwise.initializers.initializers import Initializer as Initializer
from layerwise.initializers.initializers import LecunNormal as LecunNormal
from layerwise.initializers.initializers import LecunUniform as LecunUniform
from layerwise.initializers.initializers import Ones as Ones
from layerwise.initializers.initializers import Orthogonal as Orthogonal
from layerwise.initializers.initializers import RandomInitializer as RandomInitializer
from layerwise.initializers.initializers import RandomNormal as RandomNormal
from layerwise.initializers.initializers import RandomUniform as RandomUniform
from layerwise.initializers.initializers import TruncatedNormal as TruncatedNormal
from layerwise.initializers.initializers import VarianceScaling as VarianceScaling
from layerwise.initializers.initializers import Zeros as Zeros
from layerwise.initializers.initializers import compute_fans as compute_fans
from layerwise.registry.family import Family
from layerwise.registry.object_registry import unknown_name_error
from layerwise.registry.registration import active_custom_objects

_CLASSES = [Initializer, Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity,
            LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling, Zeros]
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_REGISTRY = {
    **ALL_OBJECTS,
    **{to_snake_case(c.__name__): c for c in _CLASSES},
    # Keras 3's aliases.
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
    "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros,
}
_FAMILY = Family("initializer", _REGISTRY, Initializer, module="keras.initializers",
                 builtins=ALL_OBJECTS)


def get(identifier):
    """Returns an initializer from a name, a config dict, an instance, a callable or values.

    Args:
        identifier: `None`; a name (`"glorot_uniform"`, `"GlorotUniform"`,
            `"zeros"`); a config dict (`serialize`'s output); an `Initializer`
            class or instance; a callable `fn(shape, dtype=None)`; or a tensor
            or NumPy array, which becomes an initializer returning those values
            (for that shape only).

    Returns:
        An initializer (or the callable).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.initializers.get(np.ones((2,)))((2,))
    tensor([1., 1.])
    """
    if isinstance(identifier, (torch.Tensor, np.ndarray, np.generic)):
        values = identifier

        def initialize_fn(shape, dtype=None):
            if tuple(shape) != tuple(values.shape):
                raise ValueError(
                    "When providing a tensor or array as the initializer, the shape must match: "
                    f"received shape={tuple(shape)}, values of shape {tuple(values.shape)}."
                )
            return torch.as_tensor(np.asarray(values) if not isinstance(values, torch.Tensor)
                                   else values.detach().clone()).to(standardize_dtype(dtype))

        return initialize_fn
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    return _FAMILY.get(identifier)


def serialize(initializer):
    """Returns Keras 3's config dict for an initializer (or the name of a function)."""
    return _FAMILY.serialize(initializer)


def deserialize(config, custom_objects=None):
    """Returns the initializer described by `config` (a name or a `serialize` dict)."""
    if isinstance(config, str):
        custom_objects = active_custom_objects(custom_objects)
        if config in custom_objects:
            found = custom_objects[config]
            return found() if isinstance(found, type) else found
        return get(config)
    if not isinstance(config, Mapping):
        raise ValueError(f"Could not interpret initializer config: {config!r}")
    if "class_name" not in config:
        raise ValueError(f"An initializer config must have a 'class_name' key. Received: {config!r}")
    # Resolved here rather than by `object_registry.deserialize`, whose layer-config
    # cleaning refuses `input_axes`/`output_axes`, which initializers do support.
    table = {**_REGISTRY, **active_custom_objects(custom_objects)}
    class_name = config["class_name"]
    cls = (table.get(config.get("registered_name") or class_name) or table.get(class_name)
           or table.get(to_snake_case(class_name)))
    if cls is None:
        raise unknown_name_error("initializer", class_name, _REGISTRY.keys())
    inner = dict(config.get("config") or {})
    if isinstance(cls, type):
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
    return cls


# Keras-style lowercase aliases: keras.initializers.glorot_uniform(seed=1).
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal, identity, variance_scaling = Orthogonal, Identity, VarianceScaling
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal
