"""Device placement: models train on the GPU when one is available, as in Keras."""

from __future__ import annotations

import os

import torch


def default_device() -> torch.device:
    """`$LAYERWISE_DEVICE` if set, else `cuda` when available, else `cpu`."""
    name = os.environ.get("LAYERWISE_DEVICE")
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
