"""`layerwise.initializers`: how weights start.

Example:

>>> import layerwise as keras
>>> init = keras.initializers.get("glorot_uniform")
>>> tuple(init((3, 4)).shape)
(3, 4)
"""

from __future__ import annotations

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
from layerwise.initializers.initializers import RandomNormal as RandomNormal
from layerwise.initializers.initializers import RandomUniform as RandomUniform
from layerwise.initializers.initializers import TruncatedNormal as TruncatedNormal
from layerwise.initializers.initializers import VarianceScaling as VarianceScaling
from layerwise.initializers.initializers import Zeros as Zeros
from layerwise.initializers.initializers import compute_fans as compute_fans
from layerwise.saving import object_registry

_CLASSES = [Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal,
            LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, Zeros]
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal, "orthogonal": Orthogonal, "identity": Identity,
    "variance_scaling": VarianceScaling,
}
_REGISTRY = {**ALL_OBJECTS, **_ALIASES}


def get(identifier):
    """Returns an initializer from a name, config dict, instance or callable."""
    return object_registry.lookup("initializer", identifier, _REGISTRY, Initializer)


def serialize(initializer):
    return object_registry.serialize(initializer)


def deserialize(config, custom_objects=None):
    return object_registry.deserialize("initializer", config, _REGISTRY, custom_objects)


# Keras-style lowercase aliases: keras.initializers.glorot_uniform(...)
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal, identity, variance_scaling = Orthogonal, Identity, VarianceScaling
