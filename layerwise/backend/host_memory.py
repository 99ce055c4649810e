"""Keeps freed host memory in the process between training steps (Linux, glibc).

Every CPU tensor comes from `malloc`. A training step frees and re-allocates the
same few large buffers (activations, gradients, batches: 1-30 MB each) every
step. glibc's defaults return freed memory at the top of the heap to the OS once
more than ~64 MB of it is free, so the next step touches fresh pages again: on
the W5 CNN of `benchmarks/` that is 1.8 million page faults per epoch, half of
the epoch time (a plain PyTorch loop of the same model: 0.3 million). Raising the
trim threshold keeps up to `TRIM_THRESHOLD` bytes of free heap for reuse, the
way GPU frameworks keep a caching allocator; the mmap threshold is pinned at
glibc's own dynamic maximum so that buffers below it come from the heap from the
first step.

Activations above that threshold (a batch of 1024 28x28 images through a
32-filter conv is 88 MB) would still be `mmap`ed and page-faulted afresh on every
batch: `heap_only()` therefore turns glibc's `mmap` off (`M_MMAP_MAX = 0`) for the
duration of each CPU `fit` / `evaluate` / `predict` and restores it afterwards, so
those buffers come from the heap too (W5 `predict` at batch 1024: ~30 page faults
per image before, none after). Memory freed inside the call is kept for reuse up
to `TRIM_THRESHOLD` at the top of the heap and given back above it.

Applied once per process, by the first `fit` / `evaluate` / `predict` /
`train_on_batch` of a model on the CPU (never for a model on a GPU);
`layerwise.config.set_malloc_tuning(False)` (or `LAYERWISE_TUNE_MALLOC=0`) leaves
`malloc` as it is. No effect off glibc.
"""

from __future__ import annotations

import contextlib
import ctypes
import platform
import threading

import torch

from layerwise.backend import settings

TRIM_THRESHOLD = 256 << 20
MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_M_MMAP_MAX = -4
# glibc's DEFAULT_MMAP_MAX, unless the process started with MALLOC_MMAP_MAX_ set.
_MMAP_MAX_DEFAULT = 65536
_state = {"done": False, "applied": False}
_heap_only = {"depth": 0}
_heap_only_lock = threading.Lock()


def tune_malloc(device=None) -> bool:
    """Sets glibc's trim and mmap thresholds, once; returns whether they are set.

    Args:
        device: The device of the model being trained; nothing is done (and a later
            call may still apply the tuning) unless it is the CPU (`None` means the CPU).
    """
    if device is not None and torch.device(device).type != "cpu":
        return False
    if _state["done"]:
        return _state["applied"]
    _state["done"] = True
    if not settings.malloc_tuning():
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = _libc()
    applied = (libc is not None
               and libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
               and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    _state["applied"] = applied
    return applied


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt  # noqa: B018 -- raises AttributeError off glibc
    except (OSError, AttributeError):
        return None
    return libc


def _default_mmap_max() -> int:
    return settings.glibc_mmap_max(_MMAP_MAX_DEFAULT)


@contextlib.contextmanager
def heap_only(device=None):
    """Serves every allocation from the heap (no `mmap`) while the block runs.

    Applies `tune_malloc(device)` first and does nothing more unless it is applied
    (a CPU model, tuning allowed, glibc). Nested and concurrent uses keep `mmap` off
    until the outermost one exits, which restores glibc's default (or
    `$MALLOC_MMAP_MAX_`).

    Args:
        device: The device of the model; only the CPU (or `None`) turns `mmap` off.

    Example:

    >>> from layerwise.backend import host_memory
    >>> with host_memory.heap_only("cpu"):
    ...     pass
    """
    libc = _libc() if tune_malloc(device) else None
    if libc is None:
        yield
        return
    with _heap_only_lock:
        _heap_only["depth"] += 1
        if _heap_only["depth"] == 1:
            libc.mallopt(_M_MMAP_MAX, 0)
    try:
        yield
    finally:
        with _heap_only_lock:
            _heap_only["depth"] -= 1
            if _heap_only["depth"] == 0:
                libc.mallopt(_M_MMAP_MAX, _default_mmap_max())
