"""`Initializer` base class and the seeded random draws Keras 3 makes on torch.

With an integer `seed`, Keras' torch backend seeds a fresh `torch.Generator`
with `seed & 0xFFFFFFFF` and draws with `torch.normal`/`torch.rand`; doing the
same draws here gives bit-identical weights. Without a seed, Keras picks one
with Python's `random.randint(1, 10**9)` when the initializer is created, so
the same initializer object returns the same values at each call; layerwise
does the same (and `keras.utils.set_random_seed` makes it reproducible).
"""

from __future__ import annotations

import random as python_random

import torch

from layerwise.backend.config import floatx, to_torch_dtype


def standardize_dtype(dtype) -> torch.dtype:
    """A torch dtype from a name, a torch dtype or `None` (`floatx()`)."""
    return to_torch_dtype(dtype if dtype is not None else floatx())


def make_default_seed() -> int:
    """A seed drawn from Python's `random`, as Keras draws one for unseeded initializers."""
    return python_random.randint(1, int(1e9))


def generator_for(seed: int) -> torch.Generator:
    """A CPU generator seeded as Keras' torch backend seeds one for an integer seed."""
    generator = torch.Generator()
    generator.manual_seed(int(seed) & 0xFFFFFFFF)
    return generator


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed: int = 0) -> torch.Tensor:
    """`torch.normal` with Keras' seeding."""
    return torch.normal(mean, stddev, size=tuple(shape), generator=generator_for(seed),
                        dtype=standardize_dtype(dtype))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed: int = 0) -> torch.Tensor:
    """`(maxval - minval) * torch.rand(shape) + minval` with Keras' seeding."""
    requested = tuple(shape)
    size = requested if requested else (1,)
    rand = torch.rand(size=size, generator=generator_for(seed), dtype=standardize_dtype(dtype))
    output = (maxval - minval) * rand + minval
    return output[0] if not requested else output


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed: int = 0) -> torch.Tensor:
    """Keras' truncated normal: of 4 standard-normal draws, the first within (-2, 2).

    Scaled by `stddev` and shifted by `mean`.
    """
    dtype = standardize_dtype(dtype)
    x = random_normal(tuple(shape) + (4,), mean=0, stddev=1, dtype=dtype, seed=seed)
    valid = (x > -2) & (x < 2)
    indexes = valid.max(-1, keepdim=True)[1]
    trunc_x = torch.empty(tuple(shape), dtype=dtype)
    trunc_x.data.copy_(x.gather(-1, indexes).squeeze(-1))
    trunc_x.data.mul_(stddev).add_(mean)
    return trunc_x


class Initializer:
    """Base class: `initializer(shape, dtype=None)` returns a new tensor.

    Subclasses implement `__call__` and, when they take arguments, `get_config`.

    Example:

    >>> import torch, layerwise as keras
    >>> class ExampleRandomNormal(keras.initializers.Initializer):
    ...     def __init__(self, mean, stddev):
    ...         self.mean, self.stddev = mean, stddev
    ...     def __call__(self, shape, dtype=None):
    ...         return torch.normal(self.mean, self.stddev, size=tuple(shape))
    ...     def get_config(self):
    ...         return {"mean": self.mean, "stddev": self.stddev}
    >>> tuple(ExampleRandomNormal(0.0, 1.0)((2, 3)).shape)
    (2, 3)
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Creates an initializer from the dict returned by `get_config`."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class RandomInitializer(Initializer):
    """Base of the random initializers: handles `seed` as Keras does.

    Args:
        seed: An integer (the same values at every call, bit-identical to
            Keras' torch backend) or `None` (a seed drawn from Python's
            `random` now, so this object also repeats its values).
    """

    def __init__(self, seed: int | None = None):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"`seed` argument should be an integer or None. Received: seed={seed!r}")
        self._init_seed = seed
        self.seed = make_default_seed() if seed is None else seed

    def get_config(self) -> dict:
        return {"seed": self._init_seed}
