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

Applied once per process, by the first `fit` / `evaluate` / `predict` /
`train_on_batch` of a model on the CPU (never for a model on a GPU);
`layerwise.config.set_malloc_tuning(False)` (or `LAYERWISE_TUNE_MALLOC=0`) leaves
`malloc` as it is. No effect off glibc.
"""

from __future__ import annotations

import ctypes
import platform

import torch

from layerwise.backend import settings

TRIM_THRESHOLD = 256 << 20
MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_state = {"done": False, "applied": False}


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
    try:
        libc = ctypes.CDLL("libc.so.6")
        applied = (libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                   and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    except (OSError, AttributeError):
        applied = False
    _state["applied"] = applied
    return applied
