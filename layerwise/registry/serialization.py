"""Keras-format configs for layers and models: `to_json`, `model_from_json`, `from_config`.

Configs are written as Keras 3 writes them (`"module": "keras.layers"`,
`"registered_name": None` for built-ins), so Keras reads layerwise configs and
layerwise reads Keras configs. Only classes layerwise knows (built-ins and
`custom_objects`) can be named: nothing is imported from a name in a file.
"""

from __future__ import annotations

import inspect
import json
import re
import traceback
from typing import Any

import numpy as np
import torch

from layerwise.registry.layer_config import clean_layer_config as clean_layer_config
from layerwise.registry.names import names
from layerwise.registry.object_registry import unknown_name_error
from layerwise.registry.registration import (
    CustomObjectScope,
    active_custom_objects,
    get_registered_name,
    is_registered,
)


def _layer_registry() -> dict:
    """Layer classes by name: those `layers` (with Keras' mask `ops` nodes) and `models`
    registered (`Model` is `Functional`)."""
    return dict(names("layer"))


def _keras_module(obj) -> str:
    table = names("layer")
    if isinstance(obj, table["Functional"]):
        return "keras.src.models.functional"
    if isinstance(obj, table["Sequential"]):
        return "keras"
    return "keras.layers"


def _op_layer_class():
    """`ops`' layer class for `ops.relu(x)` in functional graphs (registered by `ops`)."""
    return names("op").get("OpLayer")


def serialize_keras_object(obj) -> dict:
    """Returns the Keras-format dict of a layer or model."""
    op_layer = _op_layer_class()
    if op_layer is not None and isinstance(obj, op_layer):  # `ops.relu(x)` in a functional graph, written as Keras does
        return {"module": type(obj)._keras_module, "class_name": type(obj).__name__,
                "config": obj.get_config(), "registered_name": type(obj).__name__}
    registry = _layer_registry()
    # A functional subclass (`CustomModel(inputs, outputs)`) is written as the user's class.
    cls = type(obj).__dict__.get("_functional_origin", type(obj))
    builtin = registry.get(cls.__name__) is cls
    out: dict[str, Any] = {
        "module": _keras_module(obj) if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": serialize_config_values(obj.get_config()),
        "registered_name": ("Functional" if cls.__name__ == "Functional" else None)
        if builtin else get_registered_name(cls),
    }
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config and cls.__name__ not in ("InputLayer", "Functional", "Sequential"):
        out["build_config"] = build_config
    return out


# Keras' module for objects of layerwise's families, by the package they are defined in.
_FAMILY_MODULES = {"activations": "keras.activations", "constraints": "keras.constraints",
                   "initializers": "keras.initializers", "losses": "keras.losses",
                   "metrics": "keras.metrics", "optimizers": "keras.optimizers",
                   "regularizers": "keras.regularizers", "layers": "keras.layers",
                   "models": "keras.models"}


def keras_module_of(cls) -> str | None:
    """The module Keras writes for a built-in class (`"keras.initializers"`), else None."""
    parts = getattr(cls, "__module__", "").split(".")
    if len(parts) < 2 or parts[0] != "layerwise" or parts[1] not in _FAMILY_MODULES:
        return None
    if parts[1] == "optimizers" and "schedules" in parts:
        return "keras.optimizers.schedules"
    return _FAMILY_MODULES[parts[1]]


def user_overrides(obj, method: str) -> bool:
    """Whether `method` of `obj` is defined by a user class, not by layerwise (saving hooks
    such as `get_compile_config` / `compile_from_config` are then called as Keras does)."""
    for cls in type(obj).__mro__:
        if method in cls.__dict__:
            return not cls.__module__.startswith("layerwise.")
    return False


def serialize_config_values(value):
    """Makes a `get_config()` result JSON-ready as Keras does: nested layers, models,
    initializers, regularizers, ... become their Keras-format dicts, NumPy scalars
    Python numbers, arrays `{"class_name": "__numpy__", ...}`."""
    if isinstance(value, dict):
        return {k: serialize_config_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(serialize_config_values(v) for v in value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, torch.dtype):
        return str(value).replace("torch.", "")
    if isinstance(value, _layer_base()):
        return serialize_keras_object(value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        cls = type(value)
        module = keras_module_of(cls) if not is_registered(cls) else None
        return {"module": module or cls.__module__, "class_name": cls.__name__,
                "config": serialize_config_values(value.get_config()),
                "registered_name": None if module else get_registered_name(cls)}
    if callable(value) and not isinstance(value, type) and is_registered(value):
        return {"module": getattr(value, "__module__", None), "class_name": "function",
                "config": value.__name__, "registered_name": get_registered_name(value)}
    if callable(value) and hasattr(value, "__name__") and keras_module_of(value):
        return value.__name__  # a built-in function (activation, loss): its name
    return value


def deserialize_keras_object(config: dict, custom_objects: dict | None = None):
    """Builds a layer or model from its Keras-format dict (Keras 2 or 3 configs).

    Only classes layerwise knows can be named: built-ins, classes registered
    with `register_keras_serializable`, those of an active `custom_object_scope`
    and `custom_objects`. The `module` written in the config is never imported.

    Args:
        config: `{"class_name": ..., "config": {...}, ...}`.
        custom_objects: `{name: class}` for classes that are not built in.

    Returns:
        The layer or model, built when the config says how (`build_config`).
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            "A layer config must be a dict with a 'class_name' string. Received: "
            f"{str(config)[:200]}"
        )
    custom = active_custom_objects(custom_objects)
    class_name = config["class_name"]
    registered = config.get("registered_name")
    cls = custom.get(registered) if isinstance(registered, str) else None
    if cls is None and str(config.get("module", "")).startswith("keras.src.ops"):
        cls = names("op")["op_class"](class_name)
    cls = cls or custom.get(class_name) or _layer_registry().get(class_name)
    if cls is None:
        error = unknown_name_error("layer class", class_name, _layer_registry().keys())
        raise ValueError(
            f"{error} Custom classes must be registered with "
            "`@layerwise.saving.register_keras_serializable()` or passed in `custom_objects=`."
        )
    if not (isinstance(cls, type) and issubclass(cls, _layer_base())):
        raise ValueError(
            f"{class_name!r} names {cls!r}, which is not a layer class: a layer config can "
            "only name subclasses of `keras.layers.Layer`."
        )
    custom_objects = custom or None
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(
            f"The 'config' of layer class {class_name!r} must be a dict. Received: "
            f"{str(inner)[:200]}"
        )
    if custom_objects:
        # Nested objects (activations, initializers, losses, ...) see them too.
        with CustomObjectScope(custom_objects):
            return _instantiate(cls, inner, config, custom_objects)
    return _instantiate(cls, inner, config, custom_objects)


class ConfigError(ValueError):
    """A layer config that cannot be rebuilt; the message names the layer and the key."""


# What a constructor can raise on a bad config value; wrapped into `ConfigError`.
_CONFIG_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
                  ZeroDivisionError, AssertionError, LookupError, NotImplementedError)


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def suspect_keys(cls, inner: dict, error: BaseException) -> list[str]:
    """The config keys an error most likely comes from: named in it, else of an odd type."""
    candidates = [k for k in inner if isinstance(k, str) and k != "name"]
    text = str(error)
    keys = [k for k in candidates if re.search(rf"\b{re.escape(k)}\b", text)]
    if keys:
        return keys[:4]
    # The source lines where it failed, innermost first: `if not 0 <= rate <= 1:` names `rate`.
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", frame.line or ""))
        keys = [k for k in candidates if k in words]
        if keys:
            return keys[:4]
    try:
        parameters = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    for key, value in inner.items():
        parameter = parameters.get(key)
        default = getattr(parameter, "default", inspect.Parameter.empty)
        if default in (None, inspect.Parameter.empty) or value is None:
            continue
        if _kind(value) != _kind(default) and not (
                _kind(default) == "number" and isinstance(value, (int, float))):
            keys.append(key)
    return keys[:4]


def _config_error(cls, inner: dict, error: BaseException) -> ConfigError:
    name = inner.get("name")
    keys = suspect_keys(cls, inner, error)
    where = f"layer {name!r} ({cls.__name__})" if isinstance(name, str) else cls.__name__
    if keys:
        shown = ", ".join(f"{k!r}={str(inner[k])[:60]}" for k in keys)
        where += f", config key {shown}"
    detail = str(error) if isinstance(error, ValueError) else \
        f"{type(error).__name__}: {error}"
    return ConfigError(f"Invalid config for {where}: {detail}")


def _instantiate(cls, inner: dict, config: dict, custom_objects):
    try:
        return _instantiate_unchecked(cls, inner, config, custom_objects)
    except ConfigError:
        raise  # already names the innermost layer and key
    except _CONFIG_ERRORS as error:
        raise _config_error(cls, inner, error) from error


def _instantiate_unchecked(cls, inner: dict, config: dict, custom_objects):
    if hasattr(cls, "from_config"):
        try:
            obj = cls.from_config(inner, custom_objects=custom_objects)
        except TypeError as error:
            if "custom_objects" not in str(error):
                raise
            obj = cls.from_config(inner)
    else:
        obj = cls(**inner)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not obj.built:
        obj.build_from_config(build_config)
    return obj


def _layer_base():
    return names("layer")["Layer"]


def model_to_json(model, **kwargs) -> str:
    """Returns the model's Keras-format JSON (architecture only, no weights)."""
    return json.dumps(serialize_keras_object(model), **kwargs)
