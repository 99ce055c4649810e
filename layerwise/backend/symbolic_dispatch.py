"""Operators on `KerasTensor`s (`x * 2`, `x[:, 0]`, `-x`) and symbolic Keras 2 backend calls.

`backend` is the bottom of the import order, so it cannot import `layerwise.ops`,
where the op layers live. Instead `layerwise.ops` registers its namespace here when
it is imported (`register_ops`); `KerasTensor`'s operators and `K.mean(x)` on a
symbolic `x` then call the op by name (`call_op("multiply", x, 2)`).
"""

from __future__ import annotations

_OPS: dict | None = None

# dunder -> (op name, reflected?)
_BINARY = {
    "__add__": ("add", False), "__radd__": ("add", True),
    "__sub__": ("subtract", False), "__rsub__": ("subtract", True),
    "__mul__": ("multiply", False), "__rmul__": ("multiply", True),
    "__matmul__": ("matmul", False), "__rmatmul__": ("matmul", True),
    "__truediv__": ("true_divide", False), "__rtruediv__": ("true_divide", True),
    "__floordiv__": ("floor_divide", False), "__rfloordiv__": ("floor_divide", True),
    "__mod__": ("mod", False), "__rmod__": ("mod", True),
    "__pow__": ("power", False), "__rpow__": ("power", True),
    "__lt__": ("less", False), "__le__": ("less_equal", False),
    "__gt__": ("greater", False), "__ge__": ("greater_equal", False),
    "__and__": ("logical_and", False), "__rand__": ("logical_and", True),
    "__or__": ("logical_or", False), "__ror__": ("logical_or", True),
    "__xor__": ("logical_xor", False), "__rxor__": ("logical_xor", True),
}
_UNARY = {"__neg__": "negative", "__abs__": "absolute", "__invert__": "logical_not"}


def register_ops(namespace: dict) -> None:
    """Called by `layerwise.ops` at import time with its public namespace."""
    global _OPS
    _OPS = namespace


def call_op(name: str, *args, **kwargs):
    """Calls the `layerwise.ops` function `name` (op layers for symbolic inputs)."""
    if _OPS is None:
        raise RuntimeError(
            f"Op '{name}' on symbolic tensors needs `layerwise.ops`, which is not imported. "
            "Import `layerwise` (or `layerwise.ops`) first."
        )
    module, _, op = name.rpartition(".")  # "image.resize": an op of a submodule
    fn = getattr(_OPS[module], op) if module else _OPS[name]
    return fn(*args, **kwargs)


def encode_index(key):
    """An index (`[:, 0]`, `[..., None]`) in the JSON form Keras saves (`__slice__`)."""
    if isinstance(key, slice):
        return {"class_name": "__slice__",
                "config": {"start": key.start, "stop": key.stop, "step": key.step}}
    if key is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(key, tuple):
        return [encode_index(k) for k in key]
    return key


def _binary(name: str, reflected: bool):
    def operator(self, other):
        return call_op(name, other, self) if reflected else call_op(name, self, other)

    return operator


def _unary(name: str):
    def operator(self):
        return call_op(name, self)

    return operator


def _getitem(self, key):
    return call_op("get_item", self, encode_index(key))


def _round(self, ndigits=None):
    return call_op("round", self, decimals=ndigits or 0)


def install_operators(cls) -> None:
    """Gives `cls` (KerasTensor) the arithmetic, comparison and indexing operators."""
    for dunder, (name, reflected) in _BINARY.items():
        setattr(cls, dunder, _binary(name, reflected))
    for dunder, name in _UNARY.items():
        setattr(cls, dunder, _unary(name))
    cls.__getitem__ = _getitem
    cls.__round__ = _round
