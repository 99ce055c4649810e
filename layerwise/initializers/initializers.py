"""Weight initializers with Keras 3's names, arguments and fan rules."""

from __future__ import annotations

import math

import torch

from layerwise.backend.config import to_torch_dtype
from layerwise.backend.random import make_generator


def compute_fans(shape) -> tuple[int, int]:
    """Keras' fan-in/fan-out: conv kernels `(*spatial, in, out)` multiply by the receptive field."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer:
    """Base class: `initializer(shape, dtype)` returns a new tensor."""

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return torch.ones(tuple(shape), dtype=to_torch_dtype(dtype))


class Constant(Initializer):
    """All values equal to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return torch.full(tuple(shape), float(self.value), dtype=to_torch_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class _Random(Initializer):
    def __init__(self, seed: int | None = None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"`seed` must be an integer or None. Received: seed={seed!r}")
        self.seed = seed

    def _empty(self, shape, dtype):
        return torch.empty(tuple(shape), dtype=to_torch_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(_Random):
    """Normal distribution with `mean` and `stddev`."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        t = self._empty(shape, dtype)
        return t.normal_(self.mean, self.stddev, generator=make_generator(self.seed))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    """Uniform distribution in `[minval, maxval)`."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        t = self._empty(shape, dtype)
        return t.uniform_(self.minval, self.maxval, generator=make_generator(self.seed))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(shape, dtype, mean, stddev, seed):
    t = torch.empty(tuple(shape), dtype=to_torch_dtype(dtype))
    torch.nn.init.trunc_normal_(
        t, mean, stddev, mean - 2 * stddev, mean + 2 * stddev, generator=make_generator(seed)
    )
    return t


class TruncatedNormal(_Random):
    """Normal distribution truncated to two standard deviations around the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, dtype, self.mean, self.stddev, self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Scale / fan variance, from a (truncated) normal or uniform distribution.

    Args:
        scale: Positive scaling factor.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`.
        distribution: `"truncated_normal"`, `"untruncated_normal"` or `"uniform"`.
        seed: Optional integer: the same values at every call.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"`mode` must be 'fan_in', 'fan_out' or 'fan_avg'. Received: mode={mode!r}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(
                "`distribution` must be 'uniform', 'truncated_normal' or 'untruncated_normal'. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[
            self.mode
        ]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return _truncated_normal(shape, dtype, 0.0, stddev, self.seed)
        if self.distribution == "untruncated_normal":
            t = self._empty(shape, dtype)
            return t.normal_(0.0, math.sqrt(scale), generator=make_generator(self.seed))
        limit = math.sqrt(3.0 * scale)
        return self._empty(shape, dtype).uniform_(-limit, limit, generator=make_generator(self.seed))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _variance_scaling_preset(name, scale, mode, distribution, doc):
    class Preset(VarianceScaling):
        def __init__(self, seed=None):
            super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

        def get_config(self):
            return {"seed": self.seed}

    Preset.__name__ = Preset.__qualname__ = name
    Preset.__doc__ = doc
    return Preset


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform", "Uniform in ±sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform in ±sqrt(6 / fan_in).")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal with stddev sqrt(2 / fan_in).")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform in ±sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "Truncated normal with stddev sqrt(1 / fan_in).")


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times `gain`; higher-rank shapes are flattened to 2D."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                f"The Orthogonal initializer needs a shape of rank >= 2. Received: shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = torch.empty(max(rows, cols), min(rows, cols), dtype=torch.float64)
        flat.normal_(generator=make_generator(self.seed))
        q, r = torch.linalg.qr(flat)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).to(to_torch_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (2D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                f"The Identity initializer needs a 2D shape. Received: shape={tuple(shape)}"
            )
        return self.gain * torch.eye(*shape, dtype=to_torch_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
