"""Differential test: every op in `layerwise.ops` against Keras 3 (torch backend).

One test per op runs its variants from `_cases.py` (shapes, dtypes, broadcasting,
negative axes, empty arrays) and compares values (rtol 1e-5) and result dtypes.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from layerwise import ops
from tests.ops._cases import NOT_IN_TABLE, TABLE
from tests.ops._parity import f, i, run_both

keras = pytest.importorskip("keras")

# Looser tolerance where float32 algorithms differ in summation order (documented).
RTOL = {"ssim": 1e-4, "stft": 1e-4, "istft": 1e-4, "corrcoef": 1e-4, "lstsq": 1e-4,
        "pinv": 1e-4, "scale_and_translate": 1e-4, "geomspace": 1e-5, "logdet": 1e-4}


def _find(module, name):
    for sub in (None, "nn", "numpy", "image", "linalg"):
        owner = module if sub is None else getattr(module, sub)
        if hasattr(owner, name):
            return getattr(owner, name)
    import importlib

    for sub in ("math", "core"):
        owner = importlib.import_module(f"keras.src.ops.{sub}") if module is keras.ops \
            else getattr(module, sub)
        if hasattr(owner, name):
            return getattr(owner, name)
    raise AttributeError(name)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_op_matches_keras(name):
    ours, theirs = _find(ops, name), _find(keras.ops, name)
    rtol = RTOL.get(name, 1e-5)
    for args, kwargs in TABLE[name]:
        run_both(ours, theirs, args, kwargs, rtol=rtol, atol=rtol / 10)


def _all_op_names():
    names = set()
    for owner in (ops, ops.nn, ops.numpy, ops.image, ops.linalg, ops.math, ops.core):
        names |= {n for n, v in vars(owner).items() if not n.startswith("_") and callable(v)
                  and not inspect.isclass(v) and not inspect.ismodule(v)
                  and getattr(v, "__module__", "").startswith("layerwise.ops.")
                  and not v.__module__.endswith("_symbolic")}
    return names


def test_table_covers_every_op():
    untested = sorted(_all_op_names() - set(TABLE) - NOT_IN_TABLE)
    assert untested == []


PROMOTION_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
                    "bfloat16", "float32", "float64"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "maximum",
                                  "power", "where", "concatenate", "matmul", "mean", "sum"])
def test_dtype_promotion_sweep(name):
    """Every pair of dtypes (and Python scalars) promotes as in Keras."""
    ours, theirs = _find(ops, name), _find(keras.ops, name)
    values = [i(2, 3, low=1, high=3).astype(d) if d != "bfloat16" else
              f(2, 3).astype("float32") for d in PROMOTION_DTYPES]
    for a_dtype, a in zip(PROMOTION_DTYPES, values):
        for b_dtype, b in zip(PROMOTION_DTYPES + ["int", "float"], values + [2, 1.5]):
            if "bfloat16" in (a_dtype, b_dtype):
                continue
            args = {"where": (a > 1, a, b), "concatenate": ([a, np.broadcast_to(b, a.shape)],),
                    "matmul": (a, np.broadcast_to(b, a.shape).T.copy()),
                    "mean": (a,), "sum": (a,)}.get(name, (a, b))
            run_both(ours, theirs, args, {})


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TABLE))
def test_op_matches_keras_float64(name):
    """The same table with float64 inputs."""
    ours, theirs = _find(ops, name), _find(keras.ops, name)

    def widen(x):
        if isinstance(x, np.ndarray) and x.dtype == np.float32:
            return x.astype("float64")
        if isinstance(x, (list, tuple)):
            return type(x)(widen(v) for v in x)
        return x

    for args, kwargs in TABLE[name]:
        run_both(ours, theirs, widen(args), kwargs, rtol=RTOL.get(name, 1e-5))
