"""`SeedGenerator`: a random seed state that advances on each draw and is saved with layers."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.random import global_seed
from layerwise.layers.layer import Layer


class SeedGenerator(Layer):
    """A `(seed, counter)` state: each random op that uses it draws a new seed.

    Random ops given an int `seed` return the same values on every call; given a
    `SeedGenerator`, they return new values each call, reproducibly. Assigned as an
    attribute of a layer, its state is one of the layer's non-trainable weights, so it
    is saved and restored with the layer (as in Keras 3).

    Args:
        seed: Initial integer seed (`None`: drawn from the global seed of
            `utils.set_random_seed`, or at random when none was set).
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> gen = keras.random.SeedGenerator(42)
    >>> a = keras.random.normal((2,), seed=gen)
    >>> b = keras.random.normal((2,), seed=gen)
    >>> bool((a != b).all())
    True
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._initial_seed = seed
        if seed is None:
            base = global_seed()
            seed = int(np.random.randint(1, 2**31 - 1)) if base is None else \
                int(torch.randint(1, 2**31 - 1, (1,)).item())
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = self.add_weight(shape=(2,), dtype="int32", trainable=False,
                                     initializer="zeros", name="seed_generator_state")
        with torch.no_grad():
            self.state.copy_(torch.tensor([int(seed), 0], dtype=torch.int32))
        self.built = True

    def next(self, ordered: bool = True) -> torch.Tensor:
        """Returns the current `(seed, counter)` and advances the state."""
        value = self.state.detach().clone()
        with torch.no_grad():
            if ordered:
                self.state.add_(torch.tensor([0, 1], dtype=torch.int32))
            else:
                self.state.copy_((self.state + 1) * 5387 % 933199)
        return value

    def call(self, inputs=None):
        return self.next()

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def draw_seed(seed) -> int | None:
    """The torch seed for `seed` (int, `SeedGenerator` or `None` for the global generator)."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        first, second = (int(v) for v in seed.next().tolist())
        return (first + second) & 0xFFFFFFFF
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed) & 0xFFFFFFFF
    raise ValueError("`seed` must be None, an int or a `keras.random.SeedGenerator`. "
                     f"Received: seed={seed!r}")


def torch_generator(seed) -> torch.Generator | None:
    """A torch generator seeded as Keras' torch backend seeds it (`None`: global RNG)."""
    value = draw_seed(seed)
    if value is None:
        return None
    generator = torch.Generator()
    generator.manual_seed(value)
    return generator
