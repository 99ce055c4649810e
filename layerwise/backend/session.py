"""Session-level helpers: `clear_session`, `get_value`, `set_value`."""

from __future__ import annotations

import gc

import numpy as np
import torch

from layerwise.backend import dtype_policy, naming


def clear_session(free_memory: bool = True) -> None:
    """Resets layer name counters (so the next `Dense` is named `dense` again) and frees memory.

    As in Keras 3, it also resets the global dtype policy to `floatx()`.

    Args:
        free_memory: Whether to run Python's garbage collector (as in Keras 3); it can
            take a fraction of a second, so loops that only need fresh names may skip it.
    """
    naming.reset_names()
    dtype_policy.reset_global_policy()
    if free_memory:
        gc.collect()


def get_value(x):
    """Returns the value of a tensor, variable or number as NumPy (or a Python scalar)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):
        return x.numpy()
    return x if isinstance(x, (int, float, np.ndarray)) else np.asarray(x)


def set_value(x, value) -> None:
    """Sets the value of a tensor or variable in place."""
    if hasattr(x, "assign"):
        x.assign(value)
        return
    if isinstance(x, torch.Tensor):
        with torch.no_grad():
            x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))
        return
    raise TypeError(
        f"`set_value` expects a tensor or variable. Received {type(x).__name__}; to change "
        "an optimizer's learning rate, assign `optimizer.learning_rate = value`."
    )
