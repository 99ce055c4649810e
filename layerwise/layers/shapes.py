"""Shape structures of `Layer`: batch dimension set to `None`, JSON lists, tuples back."""

from __future__ import annotations


def _none_batch(shape):
    if isinstance(shape, tuple):
        return (None, *shape[1:]) if shape else shape
    if isinstance(shape, list):
        return [_none_batch(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _none_batch(s) for k, s in shape.items()}
    return shape


def _map_shapes(shape, fn):
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return fn(shape)
    if isinstance(shape, (list, tuple)):
        return [_map_shapes(s, fn) for s in shape]
    if isinstance(shape, dict):
        return {k: _map_shapes(s, fn) for k, s in shape.items()}
    return fn(tuple(shape))


def _json_shape(shape):
    if isinstance(shape, tuple):
        return list(shape)
    if isinstance(shape, list):
        return [_json_shape(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _json_shape(s) for k, s in shape.items()}
    return shape


def _tuple_shape(shape):
    if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, list):
        return [_tuple_shape(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _tuple_shape(s) for k, s in shape.items()}
    return shape
