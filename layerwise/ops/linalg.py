"""`keras.ops.linalg`: decompositions, solvers, norms and `jvp`, on `torch.linalg`."""

from __future__ import annotations

import torch

from layerwise.backend.config import floatx
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op


def _matrix(x, name: str = "x", square: bool = True) -> torch.Tensor:
    x = _t(x)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ValueError(f"`{name}` must be a (batch of) {kind}. Received shape "
                         f"{tuple(x.shape)}.")
    return x


def _float(x: torch.Tensor) -> torch.Tensor:
    return x if x.is_floating_point() or x.is_complex() else x.to(to_torch_dtype(floatx()))


@keras_op("linalg")
def cholesky(x, upper=False):
    """Cholesky factor of a positive definite matrix (lower unless `upper`)."""
    return torch.linalg.cholesky(_float(_matrix(x)), upper=upper)


@keras_op("linalg")
def cholesky_inverse(x, upper=False):
    """Inverse of a matrix from its Cholesky factor."""
    return torch.cholesky_inverse(_float(_matrix(x)), upper=upper)


@keras_op("linalg")
def det(x):
    """Determinant."""
    return torch.linalg.det(_float(_matrix(x)))


@keras_op("linalg")
def eig(x):
    """Eigenvalues and eigenvectors (complex)."""
    return tuple(torch.linalg.eig(_float(_matrix(x))))


@keras_op("linalg")
def eigh(x):
    """Eigenvalues and eigenvectors of a symmetric matrix."""
    return tuple(torch.linalg.eigh(_float(_matrix(x))))


@keras_op("linalg")
def inv(x):
    """Matrix inverse."""
    return torch.linalg.inv(_float(_matrix(x)))


@keras_op("linalg")
def lu_factor(x):
    """LU factorization: `(lu, pivots)` with 0-based pivots."""
    lu, pivots = torch.linalg.lu_factor(_float(_matrix(x, square=False)))
    return lu, pivots - 1


@keras_op("linalg")
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    """Vector or matrix norm, as `np.linalg.norm`."""
    x = _t(x)
    dtype = floatx() if x.dtype == torch.int64 else result_type(x.dtype, float)
    x = x.to(to_torch_dtype(dtype))
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


@keras_op("linalg")
def qr(x, mode="reduced"):
    """QR decomposition (`mode` is `"reduced"` or `"complete"`)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` must be 'reduced' or 'complete'. Received: mode={mode!r}")
    return tuple(torch.linalg.qr(_float(_matrix(x, square=False)), mode=mode))


@keras_op("linalg")
def solve(a, b):
    """Solves `a @ x = b`."""
    return torch.linalg.solve(_float(_matrix(a, "a")), _float(_t(b)))


@keras_op("linalg")
def solve_triangular(a, b, lower=False):
    """Solves `a @ x = b` for triangular `a`."""
    a, b = _float(_matrix(a, "a")), _float(_t(b))
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve_triangular(a, b[..., None], upper=not lower)[..., 0]
    return torch.linalg.solve_triangular(a, b, upper=not lower)


@keras_op("linalg")
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `(u, s, vh)` (or `s` only)."""
    x = _float(_matrix(x, square=False))
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@keras_op("linalg")
def lstsq(a, b, rcond=None):
    """Least-squares solution of `a @ x = b`."""
    a, b = _float(_t(a)), _float(_t(b))
    if b.ndim == 1:
        return torch.linalg.lstsq(a, b[:, None], rcond=rcond, driver="gelsd")[0][:, 0]
    return torch.linalg.lstsq(a, b, rcond=rcond, driver="gelsd")[0]


@keras_op("linalg")
def matrix_rank(x, tol=None):
    """Rank of a matrix (int32)."""
    return torch.linalg.matrix_rank(_float(_matrix(x, square=False)), atol=tol).int()


@keras_op("linalg")
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse."""
    return torch.linalg.pinv(_float(_matrix(x, square=False)), rtol=rcond)


def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product of `fun` at `primals` along `tangents` (`torch.func.jvp`)."""
    primals = tuple(_t(p) for p in primals)
    tangents = tuple(_t(t) for t in tangents)
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
