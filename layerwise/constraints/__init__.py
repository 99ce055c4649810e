"""`layerwise.constraints`: projections applied to weights after each optimizer step.

Example:

>>> import torch, layerwise as keras
>>> keras.constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.saving import object_registry


class Constraint:
    """Base class: `constraint(weight)` returns the projected weight."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _norms(w, axis):
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return w * (w >= 0.0).to(w.dtype)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along `axis`."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm along `axis` between `min_value` and `max_value` (at speed `rate`)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value)
        desired = desired + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL_OBJECTS = {c.__name__: c for c in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_REGISTRY = {**ALL_OBJECTS, "max_norm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg,
             "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """Returns a constraint from a name, config dict, instance or callable."""
    return object_registry.lookup("constraint", identifier, _REGISTRY, Constraint)


def serialize(constraint):
    return object_registry.serialize(constraint)


def deserialize(config, custom_objects=None):
    return object_registry.deserialize("constraint", config, _REGISTRY, custom_objects)
