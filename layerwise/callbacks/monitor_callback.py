"""`MonitorCallback`: the base of callbacks that watch a metric for improvements."""

from __future__ import annotations

import operator
import warnings

from layerwise.callbacks.callback import Callback


class MonitorCallback(Callback):
    """Base class of callbacks that monitor a quantity and detect improvements.

    Used by `ModelCheckpoint`, `EarlyStopping` and `ReduceLROnPlateau`, with
    Keras 3's rules:

    - `mode="min"` / `"max"`: lower / higher is better;
    - `mode="auto"`: `loss` and `val_loss` are minimized; another name is looked
      up (without its `val_` prefix) among the compiled metrics, whose direction
      (`"up"` for accuracy, AUC, precision, ...; `"down"` for errors) decides; a
      `ValueError` is raised when the direction cannot be inferred;
    - an unknown `mode` warns and falls back to `"auto"`;
    - `min_delta` is an absolute change: its sign is made negative when
      minimizing, so `current - min_delta` must beat the reference.

    Args:
        monitor: Quantity to monitor (a key of the epoch logs).
        mode: `"auto"`, `"min"` or `"max"`.
        baseline: Initial "best" value (`None`: the first value seen).
        min_delta: Minimum change counted as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto",
                 baseline: float | None = None, min_delta: float = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            metric_name = self.monitor.removeprefix("val_")
            if metric_name == "loss":
                self.monitor_op = operator.lt
            for m in _compiled_metrics(self.model):
                if m.name == metric_name and hasattr(m, "_direction"):
                    self.monitor_op = operator.gt if m._direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based "
                    "on the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _monitored_value(self, logs: dict, conditioned: str, end: str = ""):
        """`logs[self.monitor]`, or `None` with a warning that `conditioned` on it cannot run.

        The warning names the caller of the method that asks (`stacklevel=3`).
        """
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn(
                f"{conditioned} conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(list(logs.keys()))}{end}",
                stacklevel=3,
            )
        return monitor_value

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _compiled_metrics(model) -> list:
    """The metrics given to `compile` (not the loss trackers), as Keras looks them up."""
    compiled = getattr(model, "_compile_metrics", None)
    if compiled is not None and hasattr(compiled, "all_metrics"):
        return list(compiled.all_metrics)
    return [m for m in getattr(model, "metrics", None) or [] if m.name != "loss"]
