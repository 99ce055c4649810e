"""Functional subclasses: `class CustomModel(keras.Model)` built as `CustomModel(inputs, outputs)`.

Keras 3 lets a `Model` subclass (typically one overriding `train_step` or adding
methods) be built from a graph. layerwise creates, once per class, a variant
`CustomModel` whose bases are `(CustomModel, Functional)`: the user's methods come
first, `Functional` supplies the graph. The variant has the same name and module,
serializes as the user's class, pickles and deep-copies, and the user's class itself
is left untouched (plain `CustomModel()` still builds a subclassed model).
"""

from __future__ import annotations

import inspect

from layerwise.models.functional import Functional, functional_from_config
from layerwise.models.model import Model

_VARIANTS: dict[type, type] = {}
_FUNCTIONAL_CONFIG_KEYS = ("name", "layers", "input_layers", "output_layers")


def functional_variant(cls: type) -> type:
    """The class used for `cls(inputs, outputs)`: `cls` itself when it already is a
    `Functional`, else its functional variant."""
    if issubclass(cls, Functional):
        return cls
    variant = _VARIANTS.get(cls)
    if variant is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                     "__doc__": cls.__doc__, "_functional_origin": cls,
                     "__reduce_ex__": _reduce_ex}
        variant = type(cls)(cls.__name__, (cls, Functional), namespace)
        _VARIANTS[cls] = variant
    return variant


def origin_class(cls: type) -> type:
    """The user's class behind a functional variant (`cls` itself otherwise)."""
    return cls.__dict__.get("_functional_origin", cls)


def _new_variant_instance(origin: type):
    """Unpickling helper: an empty instance of `origin`'s functional variant."""
    variant = functional_variant(origin)
    return variant.__new__(variant)


def _reduce_ex(self, protocol):
    # Pickle by the user's class (importable by name), not by the generated variant.
    reduced = Functional.__reduce_ex__(self, protocol)
    return (_new_variant_instance, (self._functional_origin,), *reduced[2:])


def is_functional_config(config) -> bool:
    return isinstance(config, dict) and all(k in config for k in _FUNCTIONAL_CONFIG_KEYS)


def _revivable_as_functional(cls: type) -> bool:
    if cls is Model or issubclass(cls, Functional) or cls.__init__ is Model.__init__:
        return True
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    kinds = {p.kind for p in params}
    if inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds:
        return True
    return [p.name for p in params[:2]] == ["inputs", "outputs"]


def revive_functional(cls: type, config, custom_objects=None):
    """`cls.from_config(config)` for a functional config (else `None`), as Keras 3's
    `Model.from_config`: the graph is rebuilt and `cls(inputs, outputs)` called."""
    if not is_functional_config(config) or not _revivable_as_functional(cls):
        return None
    return functional_from_config(Functional if cls is Model else cls, config,
                                  custom_objects=custom_objects)
