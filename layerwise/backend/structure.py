"""The leaves of nested lists, tuples and dicts, in the order they are given.

The graph code (symbolic calls, graph evaluation, masks, shape inference) walks call
arguments with these: dicts in insertion order, anything else a leaf. `layerwise.tree`
is the public, Keras-compatible API (sorted dict keys, namedtuples ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def leaves(x: Any) -> list:
    """The leaves of `x`, depth first; dicts in insertion order."""
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in leaves(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in leaves(v)]
    return [x]


def map_leaves(fn: Callable, x: Any) -> Any:
    """`x` with `fn` applied to each leaf (lists, tuples and dicts rebuilt)."""
    if isinstance(x, (list, tuple)):
        return type(x)(map_leaves(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: map_leaves(fn, v) for k, v in x.items()}
    return fn(x)
