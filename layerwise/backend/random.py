"""Random seeds: one call makes Python, NumPy and torch reproducible."""

from __future__ import annotations

import random

import numpy as np
import torch

_GLOBAL_SEED: int | None = None


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy and torch, so two runs give identical results.

    Args:
        seed: Integer seed.

    Example:

    >>> import layerwise as keras
    >>> keras.utils.set_random_seed(1337)
    """
    global _GLOBAL_SEED
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"`seed` must be an integer. Received: seed={seed!r}")
    _GLOBAL_SEED = seed
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def global_seed() -> int | None:
    """Returns the seed last given to `set_random_seed`, or `None`."""
    return _GLOBAL_SEED


def make_generator(seed: int | None) -> torch.Generator | None:
    """Returns a torch CPU generator seeded with `seed`, or `None` for the global one."""
    if seed is None:
        return None
    generator = torch.Generator()
    generator.manual_seed(int(seed))
    return generator
