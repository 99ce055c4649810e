"""Weight constraints with Keras 3's formulas: MaxNorm, MinMaxNorm, NonNeg, UnitNorm.

A constraint is a projection `constraint(w) -> w'` that the optimizer applies
to a weight after each update step (`variable.constraint`).
"""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.backend.convert import convert_to_tensor as _as_tensor


def _norms(w: torch.Tensor, axis) -> torch.Tensor:
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


class Constraint:
    """Base class: `constraint(w)` returns the projected weight.

    Example:

    >>> import torch, layerwise as keras
    >>> class Clip(keras.constraints.Constraint):
    ...     def __call__(self, w):
    ...         return torch.clamp(w, -1.0, 1.0)
    >>> Clip()(torch.tensor([-3.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Creates a constraint from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class MaxNorm(Constraint):
    """Rescales the slices of `w` along `axis` whose L2 norm exceeds `max_value`.

    Args:
        max_value: The largest norm allowed.
        axis: The axis (or axes) the norm is computed over; 0 for a Dense
            kernel `(input_dim, units)` constrains each unit's incoming weights.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.constraints.MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = torch.clip(norms, 0, self.max_value)
        return w.to(norms.dtype) * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero: `maximum(w, 0)`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __call__(self, w):
        w = _as_tensor(w)
        return torch.maximum(w, torch.zeros((), dtype=w.dtype, device=w.device))


class UnitNorm(Constraint):
    """Rescales the slices of `w` along `axis` to unit L2 norm.

    Args:
        axis: The axis (or axes) the norm is computed over.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.constraints.UnitNorm()(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        return w.to(norms.dtype) / (epsilon() + norms)

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norms of the slices of `w` along `axis` into `[min_value, max_value]`.

    Args:
        min_value: The smallest norm allowed.
        max_value: The largest norm allowed.
        rate: In `[0, 1]`: the norm becomes
            `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.
        axis: The axis (or axes) the norm is computed over.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.constraints.MinMaxNorm(min_value=2.0, max_value=3.0)(torch.tensor([[0.6], [0.8]]))
    tensor([[1.2000],
            [1.6000]])
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * torch.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w.to(norms.dtype) * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}
