"""Name lookup shared by every family (`optimizers.get("adam")`, `losses.get("mse")`, ...).

Each family keeps a dict from Keras names (and Keras 2 aliases) to classes or
functions; this module resolves identifiers against it and produces clear
errors that list close matches.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from layerwise.backend.naming import to_snake_case
from layerwise.registry.layer_config import clean_layer_config
from layerwise.registry.registration import (
    active_custom_objects,
    get_registered_name,
    is_registered,
)


def unknown_name_error(family: str, name: str, known) -> ValueError:
    """A `ValueError` for an unknown `name`, suggesting the closest known names."""
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(
        f"Unknown {family}: {name!r}.{hint} Known {family} names: {', '.join(known)}."
    )


def check_known(family: str, identifier: Any, registry: Mapping[str, Any]) -> None:
    """Raises the unknown-name error for a string `identifier` not in `registry`.

    Unlike `lookup`, creates nothing (so default names like `auc_1` are not used up).
    """
    if isinstance(identifier, str) and identifier not in registry and \
            to_snake_case(identifier) not in registry:
        raise unknown_name_error(family, identifier, registry.keys())


def lookup(family: str, identifier: Any, registry: Mapping[str, Any], base_class=None):
    """Resolves `identifier` (None, name, config dict, class, instance or callable).

    Args:
        family: Human name of the family, used in error messages (`"loss"`).
        identifier: What the user passed.
        registry: Map from accepted names to classes or functions.
        base_class: Instances of this class are returned as they are, and
            registry classes are instantiated when looked up by name.

    Returns:
        `None`, an instance of `base_class`, or a callable.
    """
    if identifier is None:
        return None
    if base_class is not None and isinstance(identifier, base_class):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(family, identifier, registry)
    if isinstance(identifier, str):
        obj = registry.get(identifier)
        if obj is None:
            obj = registry.get(to_snake_case(identifier))
        if obj is None:  # registered / `custom_object_scope` objects
            obj = _custom_objects().get(identifier)
        if obj is None:
            raise unknown_name_error(family, identifier, registry.keys())
        if isinstance(obj, type):
            return obj()
        return obj
    if isinstance(identifier, type) and base_class is not None and issubclass(identifier, base_class):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret {family} identifier: {identifier!r}. Pass a name, a config "
        f"dict, an instance or a callable."
    )


def deserialize(family: str, config: Mapping, registry: Mapping[str, Any], custom_objects=None):
    """Builds an object from `{"class_name": ..., "config": {...}}`."""
    if "class_name" not in config:
        raise ValueError(
            f"A {family} config must have a 'class_name' key. Received: {dict(config)!r}"
        )
    class_name = config["class_name"]
    table = dict(registry)
    custom = _custom_objects(custom_objects)
    table.update(custom)
    if class_name == "function" and isinstance(config.get("config"), str):
        # Keras' form for plain functions: {"class_name": "function", "config": name}.
        name = config["config"]
        fn = table.get(config.get("registered_name") or name) or table.get(name)
        if fn is None:
            raise unknown_name_error(family, name, registry.keys())
        return fn
    inner = clean_layer_config(dict(config.get("config") or {}), strict=False)
    registered = config.get("registered_name")
    cls = (table.get(registered) if registered and registered in custom else None)
    cls = cls or table.get(class_name) or table.get(to_snake_case(class_name))
    if cls is None:
        raise unknown_name_error(family, class_name, registry.keys())
    if isinstance(cls, type):
        from_config = getattr(cls, "from_config", None)
        return from_config(inner) if from_config else cls(**inner)
    return cls


def _custom_objects(custom_objects=None) -> dict:
    """Registered objects, those of active `custom_object_scope`s, then `custom_objects`."""
    return active_custom_objects(custom_objects)


def serialize(obj, module: str | None = None, registry: Mapping[str, Any] | None = None) -> Any:
    """Returns `{"module", "class_name", "config", "registered_name"}` for objects
    with `get_config`, else the name.

    Args:
        obj: The object.
        module: Keras' module name for the family (`"keras.losses"`): built-in
            classes (those in `registry`) are written as Keras writes them, with
            this module and `registered_name=None`.
        registry: The family's map from names to built-in classes.
    """
    if obj is None:
        return None
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        cls = type(obj)
        builtin = module is not None and registry is not None and registry.get(cls.__name__) is cls
        return {"module": module if builtin else cls.__module__, "class_name": cls.__name__,
                "config": obj.get_config(),
                "registered_name": None if builtin else get_registered_name(cls)}
    name = getattr(obj, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize {obj!r}: it has no `get_config` and no name.")
    if is_registered(obj):  # Keras' form for a registered function
        return {"module": getattr(obj, "__module__", None), "class_name": "function",
                "config": name, "registered_name": get_registered_name(obj)}
    return name


def function_name(fn: Callable) -> str:
    """The name a function is known by (`"mean_squared_error"`)."""
    return getattr(fn, "__name__", type(fn).__name__)
