"""Shared helpers of the `layerwise.ops` differential tests: inputs and comparisons."""

from __future__ import annotations

import numpy as np
import torch


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def f(*shape, dtype="float32", low=-2.0, high=2.0, seed=0):
    """Random floats in [low, high)."""
    return rng(seed).uniform(low, high, size=shape).astype(dtype)


def pos(*shape, dtype="float32", seed=0):
    """Positive floats in [0.5, 2)."""
    return f(*shape, dtype=dtype, low=0.5, high=2.0, seed=seed)


def i(*shape, dtype="int32", low=0, high=5, seed=0):
    """Random integers in [low, high)."""
    return rng(seed).integers(low, high, size=shape).astype(dtype)


def b(*shape, seed=0):
    return rng(seed).random(shape) > 0.5


def spd(n=3, batch=(), seed=0, dtype="float32"):
    """A symmetric positive definite matrix (or batch)."""
    a = f(*batch, n, n, seed=seed, dtype="float64")
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy()
    return x


def dtype_name(x) -> str | None:
    if isinstance(x, torch.Tensor):
        return str(x.dtype).replace("torch.", "")
    if isinstance(x, np.ndarray):
        return x.dtype.name
    return type(x).__name__


def assert_same(ours, theirs, rtol=1e-5, atol=1e-6, path="result"):
    """Same structure, dtypes and values (NaN equal to NaN)."""
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)), f"{path}: expected a sequence, got {ours!r}"
        assert len(ours) == len(theirs), f"{path}: length {len(ours)} != {len(theirs)}"
        for k, (a, c) in enumerate(zip(ours, theirs)):
            assert_same(a, c, rtol, atol, f"{path}[{k}]")
        return
    if isinstance(theirs, (int, float, bool)) and not isinstance(ours, torch.Tensor):
        assert ours == theirs or (ours != ours and theirs != theirs), f"{path}: {ours} != {theirs}"
        return
    assert dtype_name(ours) == dtype_name(theirs), \
        f"{path}: dtype {dtype_name(ours)} != Keras' {dtype_name(theirs)}"
    a, c = to_numpy(ours), to_numpy(theirs)
    assert np.shape(a) == np.shape(c), f"{path}: shape {np.shape(a)} != {np.shape(c)}"
    if np.asarray(c).dtype.kind in "fc":
        np.testing.assert_allclose(a, c, rtol=rtol, atol=atol, equal_nan=True, err_msg=path)
    else:
        np.testing.assert_array_equal(a, c, err_msg=path)


def run_both(ours_fn, theirs_fn, args, kwargs, rtol=1e-5, atol=1e-6):
    """Runs both; if Keras raises, layerwise must raise too; otherwise results must match."""
    try:
        theirs = theirs_fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - Keras' own failure is the expected behaviour
        failed = False
        try:
            ours_fn(*args, **kwargs)
        except Exception:  # noqa: BLE001
            failed = True
        assert failed, "Keras raises on this input but layerwise does not"
        return
    ours = ours_fn(*args, **kwargs)
    assert_same(ours, theirs, rtol, atol)
