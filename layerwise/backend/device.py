"""Device placement: models train on the GPU when one is available, as in Keras."""

from __future__ import annotations

import torch

from layerwise.backend import settings


def default_device() -> torch.device:
    """`layerwise.config.set_device(...)` or `$LAYERWISE_DEVICE` if set, else `cuda` when
    available, else `cpu`.

    The placement rule: layers create their weights on the CPU; `compile()` moves a model
    whose weights are all on the CPU to this device (Keras places variables on the GPU
    the same way). A model you moved yourself (`model.to(...)`) is left where it is.
    """
    name = settings.device_name()
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
