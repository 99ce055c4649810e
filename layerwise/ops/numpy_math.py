"""Math functions and products of `keras.ops.numpy` (`sin`, `exp`, `matmul`, `einsum`, ...)."""

from __future__ import annotations

import functools

import torch

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, standardize_dtype, to_torch_dtype
from layerwise.ops._factories import binary_op, unary_op
from layerwise.ops._symbolic import keras_op


def _cast(x: torch.Tensor, dtype) -> torch.Tensor:
    dtype = to_torch_dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


_unary = functools.partial(unary_op, "numpy")
_binary = functools.partial(binary_op, "numpy")


sin = _unary("sin", torch.sin, "Sine, element-wise.")
cos = _unary("cos", torch.cos, "Cosine, element-wise.")
tan = _unary("tan", torch.tan, "Tangent, element-wise.")
arcsin = _unary("arcsin", torch.arcsin, "Inverse sine, element-wise.")
arccos = _unary("arccos", torch.arccos, "Inverse cosine, element-wise.")
arctan = _unary("arctan", torch.arctan, "Inverse tangent, element-wise.")
sinh = _unary("sinh", torch.sinh, "Hyperbolic sine, element-wise.")
cosh = _unary("cosh", torch.cosh, "Hyperbolic cosine, element-wise.")
tanh = _unary("tanh", torch.tanh, "Hyperbolic tangent, element-wise.")
arcsinh = _unary("arcsinh", torch.arcsinh, "Inverse hyperbolic sine.")
arccosh = _unary("arccosh", torch.arccosh, "Inverse hyperbolic cosine.")
arctanh = _unary("arctanh", torch.arctanh, "Inverse hyperbolic tangent.")
exp = _unary("exp", torch.exp, "Exponential; integers give floatx.", to_float=True)
exp2 = _unary("exp2", torch.exp2, "`2 ** x`; integers give floatx.", to_float=True)
expm1 = _unary("expm1", torch.expm1, "`exp(x) - 1`; integers give floatx.", to_float=True)
log = _unary("log", torch.log, "Natural logarithm.")
log10 = _unary("log10", torch.log10, "Base-10 logarithm.")
log1p = _unary("log1p", torch.log1p, "`log(1 + x)`.")
log2 = _unary("log2", torch.log2, "Base-2 logarithm.")
sinc = _unary("sinc", torch.sinc, "Normalized sinc, `sin(pi x) / (pi x)`.")


@keras_op("numpy")
def floor(x):
    """Floor; integers give floats."""
    x = _t(x)
    dtype = floatx() if x.dtype == torch.int64 else result_type(x.dtype, float)
    return torch.floor(_cast(x, dtype))


@keras_op("numpy")
def ceil(x):
    """Ceiling; integers give floats."""
    x = _t(x)
    original = standardize_dtype(x.dtype)
    dtype = floatx() if original == "int64" else result_type(original, float)
    if original == "bool":
        x = x.to(torch.uint8)
    elif original == "float16":
        x = x.float()
    return _cast(torch.ceil(x), dtype)


@keras_op("numpy")
def round(x, decimals=0):  # noqa: A001 - Keras' name
    """Rounds half to even, to `decimals` decimals."""
    x = _t(x)
    if not (x.is_floating_point() or x.is_complex()) and x.dtype != torch.bool:
        return torch.round(x.to(to_torch_dtype(floatx())), decimals=decimals).to(x.dtype)
    return torch.round(x, decimals=decimals)


@keras_op("numpy")
def trunc(x):
    """Truncates toward zero."""
    x = _t(x)
    return x if x.dtype == torch.bool else torch.trunc(x)


@keras_op("numpy")
def deg2rad(x):
    """Degrees to radians."""
    x = _t(x)
    return _cast(torch.deg2rad(x), "float64") if x.dtype == torch.int64 else torch.deg2rad(x)


@keras_op("numpy")
def rad2deg(x):
    """Radians to degrees."""
    x = _t(x)
    return _cast(torch.rad2deg(x), "float64") if x.dtype == torch.int64 else torch.rad2deg(x)


@keras_op("numpy")
def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    x = _t(x)
    dtype = standardize_dtype(x.dtype)
    dtype = "float64" if dtype in ("int64", "float64") else (
        dtype if dtype in ("bfloat16", "float16") else floatx())
    return torch.i0(_cast(x, dtype))


def _float_pair(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(x1.dtype, x2.dtype, float)
    return _cast(x1, dtype), _cast(x2, dtype), dtype


def _widened_pair(x1, x2):
    """Both inputs in their result dtype, integers widened to floats (int64 -> float64)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(x1.dtype, x2.dtype)
    if dtype in ("int8", "int16", "int32", "uint8", "uint16", "uint32", "bool"):
        dtype = floatx()
    elif dtype == "int64":
        dtype = "float64"
    return _cast(x1, dtype), _cast(x2, dtype), dtype


arctan2 = _binary("arctan2", torch.arctan2,
                  "Element-wise `arctan(x1 / x2)`, choosing the quadrant.", _float_pair)
hypot = _binary("hypot", torch.hypot, "`sqrt(x1**2 + x2**2)`.", _widened_pair)
heaviside = _binary("heaviside", torch.heaviside,
                    "Heaviside step: 0 below 0, `x2` at 0, 1 above.", _widened_pair)
logaddexp = _binary("logaddexp", torch.logaddexp, "`log(exp(x1) + exp(x2))`.", _float_pair)
logaddexp2 = _binary("logaddexp2", torch.logaddexp2, "`log2(2**x1 + 2**x2)`.", _float_pair)


@keras_op("numpy")
def ldexp(x1, x2):
    """`x1 * 2**x2` (`x2` integer)."""
    x1, x2 = _t(x1), _t(x2)
    if x2.is_floating_point() or x2.dtype == torch.bool:
        raise TypeError(f"`ldexp` exponent `x2` must be an integer tensor. Received dtype "
                        f"{x2.dtype}; cast it with `ops.cast(x2, 'int32')`.")
    return _cast(torch.ldexp(x1, x2), result_type(x1.dtype, x2.dtype, float))


@keras_op("numpy")
def nextafter(x1, x2):
    """The next representable float after `x1` toward `x2`."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(x1.dtype, x2.dtype, float)
    return _cast(torch.nextafter(x1.double(), x2.double()), dtype)


@keras_op("numpy")
def angle(x):
    """Argument of complex numbers (0 or pi for reals)."""
    return torch.angle(_t(x))


def _complex_input(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)


@keras_op("numpy")
def conjugate(x):
    """Complex conjugate."""
    return torch.conj(_complex_input(x)).resolve_conj()


@keras_op("numpy")
def conj(x):
    """Complex conjugate (alias)."""
    return conjugate(x)


@keras_op("numpy")
def real(x):
    """Real part."""
    return torch.real(_complex_input(x))


@keras_op("numpy")
def imag(x):
    """Imaginary part."""
    return torch.imag(_complex_input(x))


@keras_op("numpy")
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN and infinities by finite numbers."""
    return torch.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


# -------------------------------------------------------------------- products
def _product_dtypes(x1, x2):
    result = result_type(x1.dtype, x2.dtype)
    compute = result_type(result, float)
    if compute == "float16":
        compute = "float32"
    return result, compute


@keras_op("numpy")
def matmul(x1, x2):
    """Matrix product with NumPy broadcasting (int8 x int8 -> int32)."""
    x1, x2 = _t(x1), _t(x2)
    if x1.dtype == torch.int8 and x2.dtype == torch.int8:
        result = "int32"
    else:
        result = result_type(x1.dtype, x2.dtype)
    compute = floatx() if result == "bool" else ("float32" if result == "float16" else result)
    return _cast(torch.matmul(_cast(x1, compute), _cast(x2, compute)), result)


@keras_op("numpy")
def dot(x1, x2):
    """Dot product (matmul for N-D, product for scalars)."""
    x1, x2 = _t(x1), _t(x2)
    result, compute = _product_dtypes(x1, x2)
    x1, x2 = _cast(x1, compute), _cast(x2, compute)
    out = torch.multiply(x1, x2) if x1.ndim == 0 or x2.ndim == 0 else torch.matmul(x1, x2)
    return _cast(out, result)


@keras_op("numpy")
def tensordot(x1, x2, axes=2):
    """Sum of products over `axes`."""
    x1, x2 = _t(x1), _t(x2)
    result, compute = _product_dtypes(x1, x2)
    if isinstance(axes, (list, tuple)):
        first, second = axes
        axes = (first if isinstance(first, (list, tuple)) else (first,),
                second if isinstance(second, (list, tuple)) else (second,))
    return _cast(torch.tensordot(_cast(x1, compute), _cast(x2, compute), dims=axes), result)


@keras_op("numpy")
def inner(x1, x2):
    """Inner product over the last axes."""
    x1, x2 = _t(x1), _t(x2)
    result, compute = _product_dtypes(x1, x2)
    return _cast(torch.inner(_cast(x1, compute), _cast(x2, compute)), result)


@keras_op("numpy")
def vdot(x1, x2):
    """Dot product of flattened inputs (conjugating the first)."""
    x1, x2 = _t(x1), _t(x2)
    result, compute = _product_dtypes(x1, x2)
    return _cast(torch.vdot(_cast(x1, compute), _cast(x2, compute)), result)


@keras_op("numpy")
def outer(x1, x2):
    """Outer product of flattened inputs."""
    return torch.outer(_t(x1).flatten(), _t(x2).flatten())


@keras_op("numpy")
def kron(x1, x2):
    """Kronecker product."""
    return torch.kron(_t(x1), _t(x2))


@keras_op("numpy")
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (torch supports `axis` only)."""
    if axisa != -1 or axisb != -1 or axisc != -1:
        raise ValueError("`cross` on torch supports only `axis`, not `axisa`/`axisb`/`axisc`. "
                         f"Received: axisa={axisa}, axisb={axisb}, axisc={axisc}.")
    x1, x2 = _t(x1), _t(x2)
    result = result_type(x1.dtype, x2.dtype)
    compute = "float32" if result == "float16" else result
    return _cast(torch.cross(_cast(x1, compute), _cast(x2, compute),
                             dim=-1 if axis is None else axis), result)


@keras_op("numpy", call_params=("*operands",))
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (int8 operands give int32)."""
    operands = [_t(o) for o in operands]
    if operands and all(o.dtype == torch.int8 for o in operands):
        return torch.einsum(subscripts, *[o.int() for o in operands])
    return torch.einsum(subscripts, *operands)
