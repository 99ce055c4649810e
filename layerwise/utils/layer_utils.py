"""Keras 2 path `keras.utils.layer_utils`: `count_params`."""

from __future__ import annotations

import math


def count_params(weights) -> int:
    """Number of scalars in a list of weights (each counted once).

    Example:

    >>> import torch
    >>> from layerwise.utils.layer_utils import count_params
    >>> count_params([torch.zeros(3, 4), torch.zeros(4)])
    16
    """
    unique = {id(w): w for w in weights}.values()
    return int(sum(math.prod(tuple(w.shape)) for w in unique))
