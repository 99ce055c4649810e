"""`save` / `save_weights` under a process group: gathered, written once, by rank 0.

Every rank calls `model.save(path)` (a training script runs the same code on each);
a sharded model's weights are gathered on all of them (a collective), rank 0 alone
writes the file (atomically), and every rank returns once it is complete: rank 0
broadcasts whether the write succeeded, so the others raise too when it failed
rather than going on without a file. A file object (not a path) is written by
every rank. Loading needs nothing special: the file is an ordinary single-process
`.keras` / `.weights.h5` file, loadable on any number of processes.
"""

from __future__ import annotations

import contextlib

from layerwise.distribution import runtime

# True while `save_once` runs: the inner `save_model` call is the plain one.
_INSIDE = [False]


def active(filepath) -> bool:
    """Whether a save to `filepath` goes through `save_once` (several ranks, a path)."""
    return not _INSIDE[0] and runtime.is_distributed() and not hasattr(filepath, "write")


def save_once(save, model, filepath, *args, **kwargs) -> None:
    """Calls `save(model, filepath, ...)` on rank 0 with the full weights; every rank waits."""
    error = None
    _INSIDE[0] = True
    try:
        gathered = (runtime.sharding().gathered(model) if runtime.is_sharded(model)
                    else contextlib.nullcontext())
        with gathered:
            if runtime.is_rank_zero():
                try:
                    save(model, filepath, *args, **kwargs)
                except Exception as e:  # noqa: BLE001 - re-raised below, after the others know
                    error = e
    finally:
        _INSIDE[0] = False
    ok = runtime.broadcast_int(0 if error is not None else 1)  # also the barrier
    if error is not None:
        raise error
    if not ok:
        raise RuntimeError(f"Rank 0 failed to save the model to {filepath!r}: see its error.")
