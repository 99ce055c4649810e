"""Element-wise NumPy-style ops (`keras.ops.numpy`): arithmetic, comparisons, math functions.

Inputs are converted with Keras' rules (`convert_to_tensor`); results follow Keras'
dtype promotion on torch (e.g. `int32 + float32 -> float32`, `x / int -> float`).
"""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import dtype_of, result_type, to_torch_dtype
from layerwise.ops._factories import binary_op
from layerwise.ops._symbolic import keras_op


def _cast(x: torch.Tensor, dtype) -> torch.Tensor:
    dtype = to_torch_dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


def _to_float(x: torch.Tensor) -> torch.Tensor:
    """Ints and bools become floatx (Keras' rule for exp, floor, ...)."""
    return x if x.is_floating_point() or x.is_complex() else x.to(to_torch_dtype(floatx()))


def _pair(x1, x2, extra=()):
    dtype = result_type(dtype_of(x1), dtype_of(x2), *extra)
    return _cast(_t(x1), dtype), _cast(_t(x2), dtype), dtype


# ------------------------------------------------------------------ arithmetic
@keras_op("numpy")
def add(x1, x2):
    """Adds `x1` and `x2` element-wise (broadcasting)."""
    return torch.add(_t(x1), _t(x2))


@keras_op("numpy")
def subtract(x1, x2):
    """Subtracts `x2` from `x1` element-wise."""
    x1, x2 = _t(x1), _t(x2)
    if x1.dtype == torch.bool:
        x1 = x1.to(x2.dtype)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.subtract(x1, x2)


@keras_op("numpy")
def multiply(x1, x2):
    """Multiplies `x1` and `x2` element-wise."""
    return torch.multiply(_t(x1), _t(x2))


@keras_op("numpy")
def divide(x1, x2):
    """True division; integers give floats."""
    x1 = x1 if isinstance(x1, (int, float)) else _t(x1)
    x2 = x2 if isinstance(x2, (int, float)) else _t(x2)
    return torch.divide(x1, x2)


@keras_op("numpy")
def true_divide(x1, x2):
    """Alias of `divide`."""
    return divide(x1, x2)


@keras_op("numpy")
def divide_no_nan(x1, x2):
    """`x1 / x2`, with 0 where `x2 == 0`."""
    dtype = result_type(dtype_of(x1), dtype_of(x2), float)
    x1, x2 = _cast(_t(x1), dtype), _cast(_t(x2), dtype)
    safe = torch.where(x2 == 0, torch.ones_like(x2), x2)
    return torch.where(x2 == 0, torch.zeros((), dtype=x1.dtype), x1 / safe)


@keras_op("numpy")
def floor_divide(x1, x2):
    """Floor division."""
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    x1 = x1 if isinstance(x1, (int, float)) else _t(x1)
    x2 = x2 if isinstance(x2, (int, float)) else _t(x2)
    return _cast(torch.floor_divide(x1, x2), dtype)


@keras_op("numpy")
def mod(x1, x2):
    """Remainder with the sign of the divisor (`x1 % x2`)."""
    x1, x2 = _t(x1), _t(x2)
    if result_type(x1.dtype, x2.dtype) == "bool":
        x1, x2 = x1.int(), x2.int()
    return torch.remainder(x1, x2)


@keras_op("numpy")
def fmod(x1, x2):
    """Remainder with the sign of the dividend (C `fmod`)."""
    x1, x2 = _t(x1), _t(x2)
    if result_type(x1.dtype, x2.dtype) == "bool":
        x1, x2 = x1.int(), x2.int()
    return torch.fmod(x1, x2)


@keras_op("numpy")
def power(x1, x2):
    """`x1 ** x2` element-wise."""
    x1, x2 = _t(x1), _t(x2)
    return torch.pow(x1, x2)


@keras_op("numpy")
def negative(x):
    """`-x`."""
    return torch.negative(_t(x))


@keras_op("numpy")
def reciprocal(x):
    """`1 / x`."""
    return torch.reciprocal(_t(x))


@keras_op("numpy")
def square(x):
    """`x * x`; booleans become int32."""
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.square(x)


@keras_op("numpy")
def sqrt(x):
    """Square root; integers give floatx."""
    x = _t(x)
    if x.dtype == torch.int64:
        x = x.to(to_torch_dtype(floatx()))
    return torch.sqrt(x)


@keras_op("numpy")
def cbrt(x):
    """Cube root."""
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    elif x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)


@keras_op("numpy")
def absolute(x):
    """Absolute value."""
    x = _t(x)
    return x if x.dtype == torch.bool else torch.abs(x)


@keras_op("numpy", class_name="Absolute")
def abs(x):  # noqa: A001 - Keras' name
    """Absolute value (alias of `absolute`)."""
    return absolute(x)


@keras_op("numpy")
def fabs(x):
    """Absolute value as a float."""
    return torch.abs(_to_float(_t(x)))


@keras_op("numpy")
def sign(x):
    """-1, 0 or 1."""
    return torch.sign(_t(x))


@keras_op("numpy")
def signbit(x):
    """Whether the sign bit is set."""
    return torch.signbit(_t(x))


maximum = binary_op("numpy", "maximum", torch.maximum, "Element-wise maximum.", _pair)
minimum = binary_op("numpy", "minimum", torch.minimum, "Element-wise minimum.", _pair)
fmax = binary_op("numpy", "fmax", torch.fmax, "Element-wise maximum, ignoring NaNs.", _pair)
fmin = binary_op("numpy", "fmin", torch.fmin, "Element-wise minimum, ignoring NaNs.", _pair)


@keras_op("numpy")
def clip(x, x_min, x_max):
    """Clips `x` to `[x_min, x_max]`."""
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if x.dtype == torch.float16:
        return torch.clip(x.float(), min=_t(x_min), max=_t(x_max)).half()
    return torch.clip(x, min=_t(x_min), max=_t(x_max))


# ---------------------------------------------------------------- comparisons
@keras_op("numpy")
def equal(x1, x2):
    """`x1 == x2`."""
    return torch.eq(_t(x1), _t(x2))


@keras_op("numpy")
def not_equal(x1, x2):
    """`x1 != x2`."""
    return torch.ne(_t(x1), _t(x2))


@keras_op("numpy")
def greater(x1, x2):
    """`x1 > x2`."""
    return torch.greater(_t(x1), _t(x2))


@keras_op("numpy")
def greater_equal(x1, x2):
    """`x1 >= x2`."""
    return torch.greater_equal(_t(x1), _t(x2))


@keras_op("numpy")
def less(x1, x2):
    """`x1 < x2`."""
    return torch.less(_t(x1), _t(x2))


@keras_op("numpy")
def less_equal(x1, x2):
    """`x1 <= x2`."""
    return torch.less_equal(_t(x1), _t(x2))


@keras_op("numpy")
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Element-wise closeness, as NumPy."""
    x1, x2, dtype = _pair(_t(x1), _t(x2))
    if "float" in dtype:
        return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return torch.eq(x1, x2)


@keras_op("numpy")
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether all elements are close."""
    return torch.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


@keras_op("numpy")
def logical_and(x1, x2):
    """Element-wise logical AND."""
    return torch.logical_and(_t(x1), _t(x2))


@keras_op("numpy")
def logical_or(x1, x2):
    """Element-wise logical OR."""
    return torch.logical_or(_t(x1), _t(x2))


@keras_op("numpy")
def logical_xor(x1, x2):
    """Element-wise logical XOR."""
    return torch.logical_xor(_t(x1), _t(x2))


@keras_op("numpy")
def logical_not(x):
    """Element-wise logical NOT."""
    return torch.logical_not(_t(x))


@keras_op("numpy")
def isfinite(x):
    """Whether each element is finite."""
    return torch.isfinite(_t(x))


@keras_op("numpy")
def isinf(x):
    """Whether each element is +/- infinity."""
    return torch.isinf(_t(x))


@keras_op("numpy")
def isnan(x):
    """Whether each element is NaN."""
    return torch.isnan(_t(x))


@keras_op("numpy")
def isneginf(x):
    """Whether each element is -infinity."""
    return torch.isneginf(_t(x))


@keras_op("numpy")
def isposinf(x):
    """Whether each element is +infinity."""
    return torch.isposinf(_t(x))


@keras_op("numpy")
def isreal(x):
    """Whether each element has no imaginary part."""
    return torch.isreal(_t(x))


# -------------------------------------------------------------- bitwise
@keras_op("numpy")
def bitwise_and(x, y):
    """Bitwise AND."""
    return torch.bitwise_and(_t(x), _t(y))


@keras_op("numpy")
def bitwise_or(x, y):
    """Bitwise OR."""
    return torch.bitwise_or(_t(x), _t(y))


@keras_op("numpy")
def bitwise_xor(x, y):
    """Bitwise XOR."""
    return torch.bitwise_xor(_t(x), _t(y))


@keras_op("numpy")
def bitwise_invert(x):
    """Bitwise NOT."""
    return torch.bitwise_not(_t(x))


@keras_op("numpy")
def bitwise_not(x):
    """Bitwise NOT (alias of `bitwise_invert`)."""
    return torch.bitwise_not(_t(x))


@keras_op("numpy")
def bitwise_left_shift(x, y):
    """`x << y`."""
    return torch.bitwise_left_shift(_t(x), y if isinstance(y, int) else _t(y))


@keras_op("numpy")
def left_shift(x, y):
    """Alias of `bitwise_left_shift`."""
    return bitwise_left_shift(x, y)


@keras_op("numpy")
def bitwise_right_shift(x, y):
    """`x >> y`."""
    return torch.bitwise_right_shift(_t(x), y if isinstance(y, int) else _t(y))


@keras_op("numpy")
def right_shift(x, y):
    """Alias of `bitwise_right_shift`."""
    return bitwise_right_shift(x, y)


@keras_op("numpy")
def gcd(x1, x2):
    """Greatest common divisor."""
    return torch.gcd(_t(x1), _t(x2))


@keras_op("numpy")
def lcm(x1, x2):
    """Least common multiple."""
    return torch.lcm(_t(x1), _t(x2))

