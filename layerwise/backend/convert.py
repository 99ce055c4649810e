"""`convert_to_tensor`: values (numbers, lists, NumPy arrays) as torch tensors, Keras' way."""

from __future__ import annotations

import torch

from layerwise.backend.dtypes import convert_to_tensor as _keras_convert_to_tensor


def convert_to_tensor(x, dtype=None, device=None) -> torch.Tensor:
    """`x` as a tensor (no copy when it already is one), optionally cast and moved.

    Keras' `convert_to_tensor` (`backend/dtypes.py`, the one used by `layerwise.ops`):
    Python floats become `floatx()` tensors, Python ints int32, NumPy arrays keep their
    dtype; `device` moves the result.

    Two standardizations build on the same rules for their own inputs: training data
    (`trainers/data_adapters.to_tensor`: pandas, and float64 / bool become `floatx()`, as
    Keras' data adapters do) and layer inputs (`layers/layer._to_tensor`: float64 NumPy
    becomes `floatx()`, other objects pass).

    Example:

    >>> import numpy as np
    >>> from layerwise.backend.convert import convert_to_tensor
    >>> convert_to_tensor(1.5).dtype, convert_to_tensor(np.arange(2)).dtype
    (torch.float32, torch.int64)
    """
    x = _keras_convert_to_tensor(x, dtype)
    if device is not None and x.device != torch.device(device):
        x = x.to(device)
    return x
