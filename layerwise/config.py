"""`layerwise.config`: process-wide settings, as Keras 3's `keras.config`.

Each setting set here wins over its environment variable (`backend/settings.py` lists
them all).

Example:

>>> import layerwise as keras
>>> keras.config.floatx()
'float32'
>>> keras.config.set_malloc_tuning(False)  # CPU training keeps glibc's malloc settings
>>> keras.config.is_malloc_tuning_enabled()
False
>>> keras.config.set_malloc_tuning(None)  # back to $LAYERWISE_TUNE_MALLOC (default on)
"""

from __future__ import annotations

from layerwise.backend import device, settings
from layerwise.backend.config import backend as backend
from layerwise.backend.config import epsilon as epsilon
from layerwise.backend.config import floatx as floatx
from layerwise.backend.config import image_data_format as image_data_format
from layerwise.backend.config import set_epsilon as set_epsilon
from layerwise.backend.config import set_floatx as set_floatx
from layerwise.backend.config import set_image_data_format as set_image_data_format
from layerwise.registry.safe_mode import (
    disable_unsafe_deserialization as disable_unsafe_deserialization,
)
from layerwise.registry.safe_mode import (
    enable_unsafe_deserialization as enable_unsafe_deserialization,
)


def set_malloc_tuning(enabled: bool | None) -> None:
    """Allows (`True`) or forbids (`False`) the glibc malloc tuning of CPU training.

    The tuning (`layerwise/backend/host_memory.py`) is applied once per process by the
    first `fit` / `evaluate` / `predict` of a model on the CPU, never for a GPU model.
    `None` goes back to `$LAYERWISE_TUNE_MALLOC` (on unless it is `0`). Call it before
    the first `fit`: once applied, the tuning stays for the life of the process.
    """
    settings.set_malloc_tuning(enabled)


def is_malloc_tuning_enabled() -> bool:
    """Whether CPU training may tune glibc malloc (see `set_malloc_tuning`)."""
    return settings.malloc_tuning()


def set_winograd_convolutions(enabled: bool | None) -> None:
    """Allows (`True`) or forbids (`False`) Winograd's algorithm for wide 3x3 convolutions
    outside autograd (`predict`, `evaluate`, frozen layers; see `docs/performance.md`).

    It does 16 multiplications per 2x2 output block where a direct convolution does 36,
    so VGG16's blocks 3-5 run up to 2x faster on the CPU; the results differ from the
    direct convolution by float32 rounding. `None` goes back to `$LAYERWISE_WINOGRAD`
    (on unless it is `0`). Takes effect at the next call of a layer.

    Example:

    >>> import layerwise as keras
    >>> keras.config.set_winograd_convolutions(False)
    >>> keras.config.is_winograd_convolutions_enabled()
    False
    >>> keras.config.set_winograd_convolutions(None)
    """
    settings.set_winograd_convolutions(enabled)


def is_winograd_convolutions_enabled() -> bool:
    """Whether wide 3x3 inference convolutions may use Winograd's algorithm."""
    return settings.winograd_convolutions()


def set_device(name: str | None) -> None:
    """Sets the device `compile()` moves CPU models to (`"cpu"`, `"cuda:1"`, `"gpu:0"`); `None`
    goes back to `$LAYERWISE_DEVICE`, else `cuda` when available, else `cpu`.

    `layerwise.device(name)` does the same for a `with` block."""
    device.set_device(name)
