"""One family's `get` / `serialize` / `deserialize`, written once for all of them.

A family (losses, metrics, initializers, ...) builds one `Family` from its name table; its
public `get`, `serialize` and `deserialize` functions call the `Family`'s methods. Creating
the `Family` registers the table in `registry.names`.

Example:

>>> from layerwise.registry.family import Family
>>> def double(x):
...     return 2 * x
>>> family = Family("demo function", {"double": double})
>>> family.get("double")(3)
6
>>> family.serialize(double)
'double'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layerwise.registry import object_registry
from layerwise.registry.names import register_names

_FAMILIES: dict[str, Family] = {}


def family(name: str) -> Family:
    """The `Family` registered as `name` (`"loss"`), for lookups from inside a family.

    A module of a family (`losses/loss.py`) cannot import its own package's `get` without
    an import cycle; it asks the registry instead.
    """
    try:
        return _FAMILIES[name]
    except KeyError:
        raise LookupError(
            f"No family {name!r} is registered (known: {sorted(_FAMILIES)}); import its "
            "package (e.g. `layerwise.losses`) first."
        ) from None


class Family:
    """The name lookup of one family.

    Args:
        family: Its name in messages and in `registry.names` (`"loss"`).
        table: Accepted names (Keras names and aliases) to classes or functions.
        base_class: Instances of it pass through `get`; its subclasses are instantiated.
        module: Keras' module for built-ins in `serialize` (`"keras.losses"`).
        builtins: The built-in classes by class name, written with `module`.
        instantiate_custom: Whether `deserialize(name, custom_objects)` instantiates a
            class found in `custom_objects` (constraints, regularizers, initializers).
    """

    def __init__(self, family: str, table: Mapping[str, Any], base_class: type | None = None,
                 module: str | None = None, builtins: Mapping[str, Any] | None = None,
                 instantiate_custom: bool = True):
        self.family = family
        self.table = register_names(family, table)
        self.base_class = base_class
        self.module = module
        self.builtins = builtins
        self.instantiate_custom = instantiate_custom
        _FAMILIES[family] = self

    def get(self, identifier: Any) -> Any:
        """Resolves a name, config dict, class, instance or callable (see `lookup`)."""
        return object_registry.lookup(self.family, identifier, self.table, self.base_class)

    def serialize(self, obj: Any) -> Any:
        """Keras' config dict of `obj`, or the name of a function."""
        return object_registry.serialize(obj, module=self.module, registry=self.builtins)

    def deserialize(self, config: Any, custom_objects: dict | None = None) -> Any:
        """Builds the object `config` names (a name or a `serialize` dict)."""
        if isinstance(config, str):
            if custom_objects and config in custom_objects:
                found = custom_objects[config]
                if self.instantiate_custom and isinstance(found, type):
                    return found()
                return found
            return self.get(config)
        if not isinstance(config, Mapping):
            raise ValueError(f"Could not interpret {self.family} config: {config!r}")
        return object_registry.deserialize(self.family, config, self.table, custom_objects)
