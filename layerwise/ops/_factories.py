"""Factories of the ops that apply one torch function to converted inputs (`sin`, `relu`, ...).

An op made here does per call exactly what a hand-written one does: the torch function
and the conversion are bound when the module defining the op is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import to_torch_dtype
from layerwise.ops._symbolic import keras_op


def _caller_module(depth: int = 2) -> str:
    """The `__name__` of the module that called the factory (as `collections.namedtuple`
    finds it), so that a made op pickles by reference like a hand-written one."""
    return sys._getframe(depth).f_globals.get("__name__", __name__)


def define_op(module: str, name: str, doc: str, op: Callable) -> Callable:
    """Names `op` (built by a factory) `name`, documents it and registers it as a Keras op.

    Args:
        module: The Keras module of the op class (`"numpy"`, `"nn"`, ...).
        name: The op's function name (its Keras class name is derived from it).
        doc: The op's docstring.
        op: The function.

    Returns:
        The registered, symbolic-aware op.
    """
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return keras_op(module)(op)


def unary_op(module: str, name: str, torch_fn: Callable, doc: str,
             to_float: bool = False) -> Callable:
    """Defines `name(x)`: `torch_fn` on the converted input (ints -> floatx if `to_float`)."""
    if to_float:
        def op(x):
            x = _t(x)
            if not (x.is_floating_point() or x.is_complex()):
                x = x.to(to_torch_dtype(floatx()))
            return torch_fn(x)
    else:
        def op(x):
            return torch_fn(_t(x))
    op.__module__ = _caller_module()
    return define_op(module, name, doc, op)


def binary_op(module: str, name: str, torch_fn: Callable, doc: str,
              pair: Callable | None = None) -> Callable:
    """Defines `name(x1, x2)`: `torch_fn` on the converted inputs.

    Args:
        module: The Keras module of the op class.
        name: The op's function name.
        torch_fn: The torch function of two tensors.
        doc: The op's docstring.
        pair: Optional `pair(x1, x2) -> (x1, x2, dtype)` that converts and casts both
            inputs (default: each input converted on its own).

    Returns:
        The registered op.
    """
    if pair is None:
        def op(x1, x2):
            return torch_fn(_t(x1), _t(x2))
    else:
        def op(x1, x2):
            x1, x2, _ = pair(x1, x2)
            return torch_fn(x1, x2)
    op.__module__ = _caller_module()
    return define_op(module, name, doc, op)
