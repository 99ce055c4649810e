"""Host-side float32 scalar arithmetic that reproduces Keras' scalar tensors bit for bit.

Keras computes the learning rate, bias corrections and schedule values as
0-d float32 torch tensors. On the host, NumPy float32 scalars give the same
results for `+ - * /`, `floor` and `ceil` (IEEE operations, rounded the same
way everywhere), but torch's `sqrt`, `log`, `cos` and `pow` can differ from
NumPy's (or the C library's) in the last bit, so those go through torch on
CPU scalars (a few microseconds, no device involved).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

f32 = np.float32


def _torch_scalar(fn: Callable[[torch.Tensor], torch.Tensor]) -> Callable[..., np.float32]:
    def apply(x) -> np.float32:
        return f32(fn(torch.tensor(f32(x))).item())
    apply.__name__ = fn.__name__
    return apply


def pow(x, y) -> np.float32:  # noqa: A001 - mirrors `ops.power`
    """`x ** y` as torch computes it for two float32 scalars."""
    return f32(torch.pow(torch.tensor(f32(x)), torch.tensor(f32(y))).item())


sqrt = _torch_scalar(torch.sqrt)
log = _torch_scalar(torch.log)
cos = _torch_scalar(torch.cos)
