"""`convert_to_tensor`: values (numbers, lists, NumPy arrays) as torch tensors, Keras' way."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import floatx, to_torch_dtype


def convert_to_tensor(x, dtype=None, device=None) -> torch.Tensor:
    """`x` as a tensor (no copy when it already is one), optionally cast and moved.

    Python floats become `floatx()` tensors and NumPy arrays keep their dtype,
    as Keras' `convert_to_tensor` does.

    The one converter of values to tensors. Two standardizations build on the same rules
    for their own inputs: training data (`trainers/data_adapters.to_tensor`: pandas, and
    float64 / bool become `floatx()`, as Keras' data adapters do) and layer inputs
    (`layers/layer._to_tensor`: float64 NumPy becomes `floatx()`, other objects pass).

    Example:

    >>> import numpy as np
    >>> from layerwise.backend.convert import convert_to_tensor
    >>> convert_to_tensor(1.5).dtype, convert_to_tensor(np.arange(2)).dtype
    (torch.float32, torch.int64)
    """
    if not isinstance(x, torch.Tensor):
        if isinstance(x, np.ndarray) or (np.isscalar(x) and not isinstance(x, float)):
            x = torch.as_tensor(np.asarray(x))
        else:
            x = torch.as_tensor(x)
            if x.is_floating_point() and dtype is None:
                x = x.to(to_torch_dtype(floatx()))
    if dtype is not None:
        dtype = to_torch_dtype(dtype)
        if x.dtype != dtype:
            x = x.to(dtype)
    if device is not None and x.device != torch.device(device):
        x = x.to(device)
    return x
