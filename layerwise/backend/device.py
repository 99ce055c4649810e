"""Device placement: models train on the GPU when one is available, as in Keras.

`default_device()` answers, in this order: the innermost `device(...)` scope of the
current thread, `set_device(...)` (`layerwise.config.set_device`), `$LAYERWISE_DEVICE`,
then `cuda` when available, else `cpu`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import torch

from layerwise.backend import settings

_scopes = threading.local()


def parse_device(device_name) -> torch.device:
    """A Keras device name (`"cpu"`, `"gpu:0"`, `"cuda:1"`, case-insensitive) as a torch device.

    Example:

    >>> parse_device("GPU:1")
    device(type='cuda', index=1)
    """
    if isinstance(device_name, torch.device):
        return device_name
    if not isinstance(device_name, str):
        raise ValueError(
            "Invalid value for argument `device_name`. Expected a string like 'gpu:0' or "
            f"'cpu'. Received: device_name={device_name!r}"
        )
    name = device_name.strip().lower().replace("gpu", "cuda")
    try:
        return torch.device(name)
    except RuntimeError:
        raise ValueError(
            "Invalid value for argument `device_name`. Expected a string like 'gpu:0', "
            f"'cuda:1' or 'cpu'. Received: device_name={device_name!r}"
        ) from None


@contextlib.contextmanager
def device(device_name) -> Iterator[torch.device]:
    """Context manager: models compiled inside it are placed on `device_name` (Keras' `keras.device`).

    Args:
        device_name: `"cpu"`, `"gpu"`/`"gpu:0"` (Keras' spelling) or `"cuda:1"`.

    Example:

    >>> import layerwise as keras
    >>> with keras.device("cpu"):
    ...     model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    ...     model.compile(optimizer="sgd", loss="mse")
    >>> model.layers[0].kernel.device.type
    'cpu'
    """
    target = parse_device(device_name)
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    stack.append(target)
    try:
        yield target
    finally:
        stack.pop()


def set_device(device_name) -> None:
    """Sets the device `compile()` moves CPU models to; `None` goes back to the default.

    The same switch as `layerwise.config.set_device`, accepting Keras' names (`"gpu:0"`).
    """
    settings.set_device_name(None if device_name is None else str(parse_device(device_name)))


def default_device() -> torch.device:
    """The innermost `device()` scope, else `set_device(...)` or `$LAYERWISE_DEVICE` if set,
    else `cuda` when available, else `cpu`.

    The placement rule: layers create their weights on the CPU; `compile()` moves a model
    whose weights are all on the CPU to this device (Keras places variables on the GPU
    the same way). A model you moved yourself (`model.to(...)`) is left where it is.
    """
    stack = getattr(_scopes, "stack", None)
    if stack:
        return stack[-1]
    name = settings.device_name()
    if name:
        return parse_device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
