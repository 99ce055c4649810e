"""Shape structures of `Layer`: batch dimension set to `None`, JSON lists, tuples back."""

from __future__ import annotations


def _walk(shape, is_shape, fn):
    """`fn` applied to every shape (where `is_shape` holds) in nested lists and dicts."""
    if is_shape(shape):
        return fn(shape)
    if isinstance(shape, list):
        return [_walk(s, is_shape, fn) for s in shape]
    if isinstance(shape, dict):
        return {k: _walk(s, is_shape, fn) for k, s in shape.items()}
    return shape


def _is_tuple(shape) -> bool:
    return isinstance(shape, tuple)


def _is_int_list(shape) -> bool:
    return isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape)


def _none_batch(shape):
    return _walk(shape, _is_tuple, lambda s: (None, *s[1:]) if s else s)


def _map_shapes(shape, fn):
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return fn(shape)
    if isinstance(shape, (list, tuple)):
        return [_map_shapes(s, fn) for s in shape]
    if isinstance(shape, dict):
        return {k: _map_shapes(s, fn) for k, s in shape.items()}
    return fn(tuple(shape))


def _json_shape(shape):
    return _walk(shape, _is_tuple, list)


def _tuple_shape(shape):
    return _walk(shape, _is_int_list, tuple)
