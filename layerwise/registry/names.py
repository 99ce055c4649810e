"""The name tables of the families: what each family exports, by Keras name.

Each family registers its table once, when its package is imported (Keras does the same
with `keras_export`): `layers` its layer classes, `models` `Sequential` / `Functional`,
`losses` its losses and so on. Lookups in `registry/` read these tables, so the bottom of
the stack never imports the families above it.

Example:

>>> import layerwise
>>> from layerwise.registry import names
>>> names("layer")["Dense"] is layerwise.layers.Dense
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TABLES: dict[str, dict[str, Any]] = {}


def register_names(family: str, table: Mapping[str, Any]) -> dict[str, Any]:
    """Adds `table` (`{keras_name: object}`) to the names of `family`; returns the table.

    Args:
        family: The family's name in error messages and lookups (`"layer"`, `"loss"`).
        table: Keras names (and aliases) to classes or functions.
    """
    merged = _TABLES.setdefault(family, {})
    merged.update(table)
    return merged


def names(family: str) -> Mapping[str, Any]:
    """The registered names of `family` (read-only use; empty until the family is imported)."""
    return _TABLES.get(family, {})
