"""Deterministic initializers: `Zeros`, `Ones`, `Constant`, `Identity`."""

from __future__ import annotations

import torch

from layerwise.initializers.initializer import Initializer, standardize_dtype


class Zeros(Initializer):
    """All zeros.

    Example:

    >>> import layerwise as keras
    >>> keras.initializers.Zeros()((2, 2))
    tensor([[0., 0.],
            [0., 0.]])
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.zeros(tuple(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """All ones.

    Example:

    >>> import layerwise as keras
    >>> keras.initializers.Ones()((1, 2))
    tensor([[1., 1.]])
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.ones(tuple(shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """All values equal to `value` (a number, or an array broadcast to the shape).

    Args:
        value: The constant.

    Example:

    >>> import layerwise as keras
    >>> keras.initializers.Constant(3.0)((2,))
    tensor([3., 3.])
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        dtype = standardize_dtype(dtype)
        value = self.value
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
        return torch.as_tensor(value, dtype=dtype) * torch.ones(tuple(shape), dtype=dtype)

    def get_config(self) -> dict:
        value = self.value
        if hasattr(value, "tolist"):
            value = value.tolist()
        return {"value": value}

    @classmethod
    def from_config(cls, config: dict):
        return cls(config["value"])


class Identity(Initializer):
    """`gain` times the identity matrix (2D shapes only; non-square shapes get a
    rectangular identity).

    Args:
        gain: Multiplier of the identity.

    Example:

    >>> import layerwise as keras
    >>> keras.initializers.Identity(2.0)((2, 2))
    tensor([[2., 0.],
            [0., 2.]])
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        return self.gain * torch.eye(*shape, dtype=standardize_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}
