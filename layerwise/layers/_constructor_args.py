"""NumPy scalars accepted wherever a layer constructor takes a Python number.

Keras 2 accepted `Dense(np.int64(16))` or `Conv2D(filters, kernel_size=(np.int32(3), 3))`
(sizes computed with NumPy are common in tutorials). `Layer.__init_subclass__` wraps
the `__init__` of every layer class with `accept_numpy_scalars`, which turns NumPy
integer, floating and boolean scalars (alone or inside a list or tuple) into Python
ones first, so the constructors' own checks and `get_config()` see plain values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np


def _is_numpy_scalar(value) -> bool:
    return isinstance(value, (np.integer, np.floating, np.bool_))


def _needs_conversion(value) -> bool:
    if _is_numpy_scalar(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_numpy_scalar(v) for v in value)
    return False


def _to_python(value):
    if _is_numpy_scalar(value):
        return value.item()
    if isinstance(value, (list, tuple)) and any(_is_numpy_scalar(v) for v in value):
        converted = [v.item() if _is_numpy_scalar(v) else v for v in value]
        return converted if isinstance(value, list) else tuple(converted)
    return value


def accept_numpy_scalars(init: Callable) -> Callable:
    """Wraps a layer's `__init__` so NumPy scalar arguments arrive as Python numbers."""
    if getattr(init, "_accepts_numpy_scalars", False):
        return init

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if any(_needs_conversion(v) for v in args) or \
                any(_needs_conversion(v) for v in kwargs.values()):
            args = tuple(_to_python(v) for v in args)
            kwargs = {k: _to_python(v) for k, v in kwargs.items()}
        init(self, *args, **kwargs)

    __init__._accepts_numpy_scalars = True
    return __init__
