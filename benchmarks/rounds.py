"""Best-of-rounds bookkeeping: every measurement runs in several interleaved
rounds; the best round is reported and the spread between rounds states the
noise.

An entry is a worker's result dict with ``"ok": True`` or
``{"ok": False, "error": ...}``. Merging keeps, under ``"runs"``, every
round's value of each tracked metric (None for a failed round), so that
results.json holds all of them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

# Training entries: the round with the highest samples/s is kept whole (its
# epoch times, final metrics ...); these other metrics take their own best
# (or, for memory, their worst) over the rounds.
TRAIN_EXTRAS: dict[str, Callable] = {"predict_samples_per_s": max, "peak_rss_mb": max}


def merge(previous: dict | None, entry: dict, key: str = "samples_per_s",
          higher_is_better: bool = True, extras: dict[str, Callable] | None = None) -> dict:
    """Fold one more round's ``entry`` into the best-so-far ``previous``."""
    extras = TRAIN_EXTRAS if extras is None else extras
    runs = {k: list(v) for k, v in (previous or {}).get("runs", {}).items()}
    for name in (key, *extras):
        runs.setdefault(name, []).append(entry.get(name) if entry.get("ok") else None)
    value = entry.get(key) if entry.get("ok") else None
    old = previous.get(key) if previous and previous.get("ok") else None
    better = value is not None and (
        old is None or (value > old if higher_is_better else value < old))
    best = dict(entry) if previous is None or better else dict(previous)
    best["runs"] = runs
    for name, pick in extras.items():
        values = [v for v in runs[name] if v is not None]
        if values:
            best[name] = pick(values)
    if key == "samples_per_s":  # the name results.json has always used
        best["runs_samples_per_s"] = runs[key]
    return best


def spread(values: list[float | None], higher_is_better: bool = True) -> float | None:
    """(max - min) / best over the rounds that produced a value; None below 2 values."""
    ok = [v for v in values if v is not None]
    if len(ok) < 2:
        return None
    best = max(ok) if higher_is_better else min(ok)
    return (max(ok) - min(ok)) / best if best else None


def entry_spread(entry: dict | None, key: str = "samples_per_s",
                 higher_is_better: bool = True) -> float | None:
    """The spread of ``key`` over an entry's rounds (None if unknown)."""
    if not entry:
        return None
    return spread(entry.get("runs", {}).get(key, []), higher_is_better)


def spread_summary(spreads: list[float | None]) -> str:
    """One line: the median and the largest spread of the cells that have one."""
    ok = [s for s in spreads if s is not None]
    if not ok:
        return "no cell has 2 successful rounds yet"
    return f"median {statistics.median(ok):.1%}, largest {max(ok):.1%} over {len(ok)} cells"


def order_for_round(items: list, round_index: int) -> list:
    """Round-robin order: as given in even rounds, reversed in odd ones."""
    return list(items) if round_index % 2 == 0 else list(items)[::-1]
