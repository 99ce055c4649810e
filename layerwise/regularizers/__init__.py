"""`layerwise.regularizers`: weight penalties added to the training loss.

Example:

>>> import torch, layerwise as keras
>>> float(keras.regularizers.L2(0.1)(torch.ones(2, 2)))
0.4000000059604645
"""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.saving import object_registry


class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar penalty."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x.new_zeros(())

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _check_factor(name, value):
    value = 0.0 if value is None else float(value)
    if value < 0 or value != value:
        raise ValueError(f"`{name}` must be a non-negative number. Received: {name}={value}")
    return value


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor("l1", l1)
        self.l2 = _check_factor("l2", l2)

    def __call__(self, x):
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`."""

    def __init__(self, l1=0.01):
        self.l1 = _check_factor("l1", l1)

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)`."""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor("l2", l2)

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards orthogonality.

    Args:
        factor: Multiplier of the mean absolute off-diagonal cosine similarity.
        mode: `"rows"` or `"columns"`.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check_factor("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(f"`mode` must be 'rows' or 'columns'. Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer needs a rank-2 weight. Received shape {tuple(x.shape)}."
            )
        if self.mode == "columns":
            x = x.T
        norm = torch.sqrt(torch.clamp(torch.sum(x * x, dim=1, keepdim=True), min=epsilon()))
        x = x / norm
        product = x @ x.T
        size = x.shape[0]
        off_diagonal = product * (1.0 - torch.eye(size, dtype=x.dtype, device=x.device))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """Keras 2 helper: an `L1L2` regularizer (both factors default to 0.01)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer
ALL_OBJECTS = {c.__name__: c for c in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}
_REGISTRY = {**ALL_OBJECTS, "l1": L1, "l2": L2, "l1_l2": L1L2,
             "orthogonal_regularizer": OrthogonalRegularizer}


def get(identifier):
    """Returns a regularizer from a name, config dict, instance or callable."""
    return object_registry.lookup("regularizer", identifier, _REGISTRY, Regularizer)


def serialize(regularizer):
    return object_registry.serialize(regularizer)


def deserialize(config, custom_objects=None):
    return object_registry.deserialize("regularizer", config, _REGISTRY, custom_objects)
