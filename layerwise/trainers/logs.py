"""Log dicts as Keras 3 builds them: flattened, Python numbers, and in `evaluate` order."""

from __future__ import annotations

from layerwise.callbacks.callback_list import pythonify_logs

__all__ = ["flatten_metrics_in_order", "pythonify_logs"]


def flatten_metrics_in_order(model, logs: dict):
    """`evaluate`'s list: the values of `logs` in `model.metrics` order, then the others sorted.

    A single value is returned alone, as in Keras.
    """
    names = []
    for metric in model.metrics:
        bare = getattr(metric, "bare_names", None)
        names += list(bare) if bare is not None else [metric.name]
    results = [logs[name] for name in names if name in logs]
    results += [logs[key] for key in sorted(logs) if key not in names]
    return results[0] if len(results) == 1 else results
