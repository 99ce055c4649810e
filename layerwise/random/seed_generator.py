"""`SeedGenerator`: a random seed state that advances on each draw and is saved with layers."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend import naming
from layerwise.backend.random import global_seed


class SeedGenerator(torch.nn.Module):
    """A `(seed, counter)` state: each random op that uses it draws a new seed.

    Random ops given an int `seed` return the same values on every call; given a
    `SeedGenerator`, they return new values each call, reproducibly. Assigned as an
    attribute of a layer, its state is a buffer of that layer: it moves with the layer
    (`.to(device)`) and is in its `state_dict`. Like Keras 3, `.keras` files do not store
    it (a loaded layer starts again from its seed), so files stay interchangeable.

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

    def __init__(self, seed: int | None = None, name: str | None = None):
        super().__init__()
        self.name = name or naming.uniquify("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = int(np.random.randint(1, 2**31 - 1)) if global_seed() is None else \
                int(torch.randint(1, 2**31 - 1, (1,)).item())
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.register_buffer("state", torch.tensor([int(seed), 0], dtype=torch.int32))

    def next(self, ordered: bool = True) -> torch.Tensor:
        """Returns the current `(seed, counter)` and advances the state."""
        value = self.state.clone()
        if ordered:
            self.state.add_(torch.tensor([0, 1], dtype=torch.int32, device=self.state.device))
        else:
            self.state.copy_((self.state + 1) * 5387 % 933199)
        return value

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def extra_repr(self) -> str:
        return f"name={self.name!r}, seed={self._initial_seed}"


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
