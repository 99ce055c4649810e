"""Custom objects: `register_keras_serializable`, `custom_object_scope`, lookups.

A config can only name classes and functions that layerwise knows: the
built-ins, the ones registered with `register_keras_serializable`, the ones in
an active `custom_object_scope` and the `custom_objects=` given to a loader.
Nothing is ever imported from a module name written in a file.

Registered objects are written with Keras' `registered_name` (`"package>Name"`),
so the same configs work in Keras when the class is registered there too.

Example:

>>> import layerwise as keras
>>> @keras.saving.register_keras_serializable(package="demo")
... class Scale(keras.layers.Layer):
...     def call(self, x):
...         return 2 * x
>>> keras.saving.get_registered_name(Scale)
'demo>Scale'
>>> keras.saving.get_registered_object("demo>Scale") is Scale
True
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPE = threading.local()


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Registers a class or function for serialization, under `"package>name"`.

    Args:
        package: The package the object belongs to (first part of the key).
        name: The name to register it under (default: the object's `__name__`).

    Returns:
        A decorator that registers the class or function and returns it unchanged.

    Raises:
        ValueError: for a class without `get_config`, or a `package` / `name`
            containing `">"`.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(
            f"`package` must be a string without '>'. Received: package={package!r}"
        )
    if name is not None and (not isinstance(name, str) or ">" in name):
        raise ValueError(f"`name` must be a string without '>'. Received: name={name!r}")

    def decorator(arg):
        class_name = name if name is not None else getattr(arg, "__name__", None)
        if not class_name:
            raise ValueError(f"Cannot register {arg!r}: it has no `__name__`; pass `name=`.")
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError(
                f"Cannot register class {arg.__name__!r}: it has no `get_config()` method."
            )
        registered_name = f"{package}>{class_name}"
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj) -> str:
    """The name `obj` is registered under (`"package>Name"`), else its `__name__`."""
    try:
        if obj in _GLOBAL_CUSTOM_NAMES:
            return _GLOBAL_CUSTOM_NAMES[obj]
    except TypeError:  # unhashable
        pass
    return getattr(obj, "__name__", type(obj).__name__)


def is_registered(obj) -> bool:
    """Whether `obj` was registered with `register_keras_serializable`."""
    try:
        return obj in _GLOBAL_CUSTOM_NAMES
    except TypeError:
        return False


def _scope_objects() -> dict:
    stack = getattr(_SCOPE, "stack", None)
    merged: dict = {}
    for objects in stack or []:
        merged.update(objects)
    return merged


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None):
    """Returns the object known as `name`, or `None`.

    Looks in the active `custom_object_scope`s, then the registered objects, then
    `custom_objects`, then `module_objects` (Keras' order).
    """
    scope = _scope_objects()
    if name in scope:
        return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects() -> dict:
    """The live global dict of registered objects (`{"package>Name": object}`).

    Adding an entry to it makes the object known to every loader, as Keras does.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def active_custom_objects(custom_objects: dict | None = None) -> dict:
    """Every custom object known right now, for name lookups during loading.

    Registered objects are known by their `"package>Name"` key; objects of
    `custom_object_scope`s and `custom_objects` by their keys. On a clash,
    `custom_objects` wins over scopes, which win over registrations.
    """
    table = dict(_GLOBAL_CUSTOM_OBJECTS)
    table.update(_scope_objects())
    _add_objects(table, custom_objects,
                 "`custom_objects` must be a dict mapping names to classes or functions.")
    return table


def _add_objects(table: dict, objects, message: str) -> None:
    """Adds the `{name: object}` dict `objects` to `table` (nothing for `None` or `{}`);
    anything else is refused with `message`."""
    if not objects:
        return
    if not isinstance(objects, dict):
        raise ValueError(f"{message} Received: {type(objects).__name__}")
    table.update(objects)


class CustomObjectScope:
    """Makes custom classes and functions known to deserialization inside a `with` block.

    Args:
        custom_objects: `{name: class_or_function}` (several dicts may be given).

    Example:

    >>> import layerwise as keras
    >>> def my_act(x):
    ...     return x
    >>> with keras.saving.custom_object_scope({"my_act": my_act}):
    ...     layer = keras.layers.Dense.from_config(
    ...         {"name": "d", "units": 2, "activation": "my_act"})
    """

    def __init__(self, *custom_objects: dict | None):
        merged: dict = {}
        for objects in custom_objects:
            _add_objects(merged, objects,
                         "`custom_object_scope` takes dicts mapping names to objects.")
        self.custom_objects = merged

    def __enter__(self) -> CustomObjectScope:
        stack = getattr(_SCOPE, "stack", None)
        if stack is None:
            stack = _SCOPE.stack = []
        stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc) -> None:
        _SCOPE.stack.pop()


custom_object_scope = CustomObjectScope
