"""Epoch-time bookkeeping shared by the Keras and the PyTorch workers.

The first epoch is reported on its own (it includes tracing, compilation,
data-pipeline set-up and allocator warm-up); throughput is the *median* of
the steady-state epochs 2..E.
"""

from __future__ import annotations

import statistics

# Stop a run early once it has used this much time (after MIN_EPOCHS: the
# first epoch and one steady-state epoch), so that a slow framework does not
# take minutes per workload (run.py --budget); the best of the rounds then
# stands in for the median of more epochs.
TIME_BUDGET_S = 20.0
MIN_EPOCHS = 2


def should_stop(epoch_times: list[float], max_epochs: int,
                budget_s: float = TIME_BUDGET_S,
                min_epochs: int = MIN_EPOCHS) -> bool:
    """Whether to stop after the epochs timed so far.

    Stops once ``max_epochs`` are done, or once at least ``min_epochs`` are
    done and one more epoch (as long as the last) would exceed the budget.
    """
    done = len(epoch_times)
    if done >= max_epochs:
        return True
    if done < min_epochs:
        return False
    return sum(epoch_times) + epoch_times[-1] > budget_s


def summarize(epoch_times: list[float], epoch_samples: int) -> dict:
    """Summary numbers for one framework on one workload."""
    steady = epoch_times[1:]
    median = statistics.median(steady) if steady else None
    return {
        "epochs": len(epoch_times),
        "epoch_times_s": [round(t, 6) for t in epoch_times],
        "first_epoch_s": epoch_times[0] if epoch_times else None,
        "steady_median_s": median,
        "samples_per_s": epoch_samples / median if median else None,
    }
