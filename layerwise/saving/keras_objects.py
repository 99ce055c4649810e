"""`serialize_keras_object` / `deserialize_keras_object` for every family, as Keras 3.

Layers and models, losses, metrics, optimizers, learning-rate schedules,
initializers, regularizers, constraints and activations all serialize to Keras'
dict form (`{"module", "class_name", "config", "registered_name"}`), and any of
these dicts (written by layerwise or by Keras 3) deserializes to the right family:
by the `module` Keras wrote, else by the class name. Nothing is ever imported from
a name in a config: only built-ins, registered classes and `custom_objects`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from layerwise import (
    activations,
    constraints,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
)
from layerwise.layers.layer import Layer
from layerwise.optimizers import schedules
from layerwise.registry import serialization
from layerwise.registry.object_registry import unknown_name_error
from layerwise.registry.registration import CustomObjectScope, active_custom_objects
from layerwise.registry.safe_mode import SafeModeScope, in_safe_mode

# Families by the word that names them in a Keras module path (first match wins:
# "keras.optimizers.schedules" is a schedule, "keras.src.backend.torch.optimizers.torch_adam"
# an optimizer).
_FAMILIES = (("schedules", schedules), ("optimizers", optimizers), ("losses", losses),
             ("metrics", metrics), ("initializers", initializers),
             ("regularizers", regularizers), ("constraints", constraints),
             ("activations", activations))
_LAYER_WORDS = ("layers", "models", "engine")
# Where a function written without a family (`"module": "builtins"`) is looked for.
_FUNCTION_FAMILIES = (activations, losses, metrics)


def serialize_keras_object(obj) -> Any:
    """Returns the Keras-format serialization of any layerwise object.

    Layers and models give their full dict (nested objects included), objects with
    `get_config` (losses, metrics, optimizers, schedules, initializers, regularizers,
    constraints) `{"module", "class_name", "config", "registered_name"}`, functions
    Keras' `{"class_name": "function", ...}` form, and plain values themselves.

    Example:

    >>> import layerwise as keras
    >>> config = keras.saving.serialize_keras_object(keras.regularizers.L1(0.5))
    >>> config["class_name"], config["config"]
    ('L1', {'l1': 0.5})
    >>> keras.saving.deserialize_keras_object(config).l1
    0.5
    """
    if isinstance(obj, Layer):
        return serialization.serialize_keras_object(obj)
    if callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__"):
        value = serialization.serialize_config_values(obj)
        if isinstance(value, str):  # a built-in function: written exactly as Keras 3 does
            return {"module": "builtins", "class_name": "function", "config": value,
                    "registered_name": "function"}
        return value
    return serialization.serialize_config_values(obj)


def deserialize_keras_object(config, custom_objects: dict | None = None,
                             safe_mode: bool = True, **kwargs) -> Any:
    """Builds the object described by `config` (from `serialize_keras_object` or Keras 3).

    Args:
        config: A Keras-format dict, a list of them, or a plain value (returned as is).
        custom_objects: `{name: class or function}` for what is not built in.
        safe_mode: Refuse configs that carry code (`Lambda` lambdas) unless `False`.

    Returns:
        The layer, model, loss, metric, optimizer, schedule, initializer,
        regularizer, constraint or function.
    """
    kwargs.pop("module_objects", None)  # Keras' legacy argument: the families are known here.
    if kwargs:
        raise ValueError(
            f"Unexpected keyword argument(s) to `deserialize_keras_object`: {sorted(kwargs)}."
        )
    outer = in_safe_mode()  # a loader's scope (`load_model(..., safe_mode=False)`) wins
    with SafeModeScope(safe_mode if outer is None else outer):
        return _deserialize(config, custom_objects)


def _deserialize(config, custom_objects):
    if config is None or isinstance(config, (str, bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not deserialize {config!r}: expected a dict, list or value.")
    if "class_name" not in config:
        return {k: _deserialize(v, custom_objects) for k, v in config.items()}
    class_name, inner = config["class_name"], config.get("config")
    if class_name in ("__numpy__", "__tuple__"):
        if not isinstance(inner, dict):
            raise TypeError(f"Could not deserialize {config!r}: `{class_name}` needs a "
                            "`config` dict holding its `value`.")
        if class_name == "__numpy__":
            return np.array(inner["value"], dtype=inner["dtype"])
        return tuple(_deserialize(v, custom_objects) for v in inner["value"])
    if class_name == "function":
        return _function(config, custom_objects)
    family = _family(config.get("module"))
    if family == "layers":
        return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
    if family is not None:
        return _family_deserialize(family, config, custom_objects)
    return _by_class_name(config, custom_objects)


def _family(module) -> Any:
    if not isinstance(module, str):
        return None
    words = module.split(".")
    if words[0] not in ("keras", "tf_keras", "tensorflow", "layerwise"):
        return None  # a user module: found by class name among custom objects
    for word, family in _FAMILIES:
        if word in words:
            return family
    if any(word in words for word in _LAYER_WORDS) or module == "keras":
        return "layers"
    return None


def _family_deserialize(family, config: dict, custom_objects):
    with CustomObjectScope(custom_objects or {}):
        return family.deserialize(config, custom_objects=custom_objects)


def _by_class_name(config: dict, custom_objects) -> Any:
    """A config without a known family: a custom class, or a built-in by its class name."""
    custom = active_custom_objects(custom_objects)
    class_name, registered = config["class_name"], config.get("registered_name")
    cls = custom.get(registered) if isinstance(registered, str) else None
    cls = cls or custom.get(class_name)
    if cls is None:
        if class_name in serialization._layer_registry():
            return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
        for _, family in _FAMILIES:
            if class_name in family.ALL_OBJECTS:
                return _family_deserialize(family, config, custom_objects)
        raise ValueError(
            f"{unknown_name_error('class', class_name, _known_names())} Custom classes must be "
            "registered with `@keras.saving.register_keras_serializable()` or passed in "
            "`custom_objects=`."
        )
    if isinstance(cls, type) and issubclass(cls, Layer):
        return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(cls, type):
        return cls
    inner = dict(config.get("config") or {})
    with CustomObjectScope(custom_objects or {}):
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


def _function(config: dict, custom_objects):
    name = config.get("config")
    custom = active_custom_objects(custom_objects)
    registered = config.get("registered_name")
    if isinstance(registered, str) and registered in custom:
        return custom[registered]
    if name in custom:
        return custom[name]
    family = _family(config.get("module"))
    candidates = (family,) if family not in (None, "layers") else _FUNCTION_FAMILIES
    for family in candidates:
        fn = family.ALL_OBJECTS.get(name) or getattr(family, "FUNCTIONS", {}).get(name)
        if callable(fn) and not isinstance(fn, type):
            return fn
    raise ValueError(
        f"Unknown function {name!r}. Custom functions must be registered with "
        "`@keras.saving.register_keras_serializable()` or passed in `custom_objects=`."
    )


def _known_names() -> list[str]:
    names = list(serialization._layer_registry())
    for _, family in _FAMILIES:
        names.extend(family.ALL_OBJECTS)
    return names
