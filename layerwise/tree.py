"""`layerwise.tree`: nested structures (lists, tuples, dicts) as Keras 3's `keras.tree`.

A structure is a leaf, or a list / tuple / namedtuple / dict of structures. As in Keras,
`None` is a leaf and dicts are visited in sorted key order (`flatten`, `pack_sequence_as`);
`map_structure` keeps every container's type. Plain recursion on `isinstance`, no
registry: cheap enough for the training loop.

Example:

>>> from layerwise import tree
>>> tree.flatten({"b": [1, 2], "a": 3})
[3, 1, 2]
>>> tree.map_structure(lambda x: x * 10, (1, [2, 3]))
(10, [20, 30])
>>> tree.pack_sequence_as({"b": [0, 0], "a": 0}, [3, 1, 2])
{'b': [1, 2], 'a': 3}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["assert_same_structure", "flatten", "flatten_with_path", "is_nested",
           "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "traverse"]


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a list, tuple or dict (not a leaf)."""
    return isinstance(structure, (list, tuple, Mapping))


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _sorted_keys(mapping: Mapping) -> list:
    try:
        return sorted(mapping)
    except TypeError:  # keys of mixed types: Keras (optree) keeps the insertion order
        return list(mapping)


def _children(structure) -> list:
    if isinstance(structure, Mapping):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def _rebuild(like, children: list):
    """A container of `like`'s type holding `children` (dicts keep `like`'s key order)."""
    if isinstance(like, Mapping):
        values = dict(zip(_sorted_keys(like), children, strict=True))
        return type(like)((k, values[k]) for k in like) if type(like) is not dict else \
            {k: values[k] for k in like}
    if _is_namedtuple(like):
        return type(like)(*children)
    return type(like)(children)


def flatten(structure: Any) -> list:
    """The leaves of `structure`, depth first (dict values in sorted key order).

    Example:

    >>> from layerwise import tree
    >>> tree.flatten([1, (2, None), {"y": 4, "x": 3}])
    [1, 2, None, 3, 4]
    """
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """`(path, leaf)` pairs; a path is the tuple of keys and indices down to the leaf.

    Example:

    >>> from layerwise import tree
    >>> tree.flatten_with_path({"b": [1, 2], "a": 3})
    [(('a',), 3), (('b', 0), 1), (('b', 1), 2)]
    """
    if not is_nested(structure):
        return [((), structure)]
    keys = _sorted_keys(structure) if isinstance(structure, Mapping) else range(len(structure))
    return [((key, *path), leaf)
            for key, child in zip(keys, _children(structure), strict=True)
            for path, leaf in flatten_with_path(child)]


def map_structure(func: Callable, *structures: Any) -> Any:
    """Applies `func` to the leaves of one or more structures of the same shape.

    Example:

    >>> from layerwise import tree
    >>> tree.map_structure(lambda a, b: a + b, {"x": 1, "y": [2]}, {"x": 10, "y": [20]})
    {'x': 11, 'y': [22]}
    """
    if not structures:
        raise ValueError("`map_structure` needs at least one structure.")
    first = structures[0]
    if len(structures) == 1:  # the common case, without the checks
        if not is_nested(first):
            return func(first)
        return _rebuild(first, [map_structure(func, child) for child in _children(first)])
    for other in structures[1:]:
        assert_same_structure(first, other)
    if not is_nested(first):
        return func(*structures)
    columns = zip(*(_children(s) for s in structures), strict=True)
    return _rebuild(first, [map_structure(func, *column) for column in columns])


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """Like `map_structure`, but `func` gets the sub-structures at the leaves of
    `shallow_structure` (which the `structures` must contain).

    Example:

    >>> from layerwise import tree
    >>> tree.map_structure_up_to([0, 0], len, [[1, 2], (3,)])
    [2, 1]
    """
    if not is_nested(shallow_structure):
        return func(*structures)
    for structure in structures:
        if not is_nested(structure) or len(structure) != len(shallow_structure):
            raise ValueError(
                f"The structures do not contain `shallow_structure`: expected a container of "
                f"{len(shallow_structure)} items like {shallow_structure!r}, received "
                f"{structure!r}."
            )
    columns = zip(*(_children(s) for s in structures), strict=True)
    return _rebuild(shallow_structure, [
        map_structure_up_to(shallow, func, *column)
        for shallow, column in zip(_children(shallow_structure), columns, strict=True)])


def pack_sequence_as(structure: Any, flat_sequence: list) -> Any:
    """Builds a structure like `structure` from the leaves in `flat_sequence`.

    Raises:
        ValueError: when `flat_sequence` does not have one item a leaf of `structure`.
    """
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(
            f"`flat_sequence` has {len(flat_sequence)} items but `structure` has {expected} "
            f"leaves. Received structure={structure!r}."
        )
    leaves = iter(flat_sequence)

    def pack(like):
        if not is_nested(like):
            return next(leaves)
        return _rebuild(like, [pack(child) for child in _children(like)])

    return pack(structure)


def assert_same_structure(a: Any, b: Any, check_types: bool = True) -> None:
    """Raises `ValueError` unless `a` and `b` nest the same way (`check_types`: same
    container types, lists and tuples told apart)."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures differ: {a!r} and {b!r}.")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b) and not (
            isinstance(a, Mapping) and isinstance(b, Mapping)):
        raise ValueError(
            f"The two structures have different container types: {type(a).__name__} and "
            f"{type(b).__name__} ({a!r} and {b!r})."
        )
    if isinstance(a, Mapping) and set(a) != set(b):
        raise ValueError(f"The two dicts have different keys: {sorted(a)} and {sorted(b)}.")
    if len(a) != len(b):
        raise ValueError(f"The two structures have different lengths: {a!r} and {b!r}.")
    for x, y in zip(_children(a), _children(b), strict=True):
        assert_same_structure(x, y, check_types)


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Visits every node (containers and leaves); `func` may replace a subtree.

    Top down, a non-`None` result of `func` replaces the node and its subtree is not
    visited. Bottom up, `func` sees the already rebuilt node and a non-`None` result
    replaces it.

    Example:

    >>> from layerwise import tree
    >>> tree.traverse(lambda x: 0 if isinstance(x, list) else None, (1, [2, 3]))
    (1, 0)
    """
    if top_down:
        result = func(structure)
        if result is not None:
            return result
        if not is_nested(structure):
            return structure
        return _rebuild(structure, [traverse(func, c, True) for c in _children(structure)])
    if is_nested(structure):
        structure = _rebuild(structure, [traverse(func, c, False) for c in _children(structure)])
    result = func(structure)
    return structure if result is None else result


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """`map_structure` where tuples or lists of ints / `None` (shapes) are leaves."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])


def lists_to_tuples(structure: Any) -> Any:
    """The same structure with every list turned into a tuple."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(c) for c in _children(structure)]
    return tuple(children) if isinstance(structure, list) else _rebuild(structure, children)
