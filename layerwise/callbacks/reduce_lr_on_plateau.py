"""`ReduceLROnPlateau`: lowers the learning rate when a metric stops improving."""

from __future__ import annotations

import numpy as np

from layerwise.callbacks.monitor_callback import MonitorCallback
from layerwise.utils.progbar import _print


class ReduceLROnPlateau(MonitorCallback):
    """Reduces the learning rate when a metric has stopped improving.

    Models often benefit from reducing the learning rate by a factor of 2-10
    once learning stagnates. This callback monitors a quantity and, if no
    improvement is seen for `patience` epochs, multiplies the learning rate by
    `factor` (never below `min_lr`). It also adds the current learning rate to
    the epoch logs as `learning_rate` (Keras 3's key; Keras 2 used `lr`).

    Args:
        monitor: Quantity to monitor. Defaults to `"val_loss"`.
        factor: Factor by which the learning rate is reduced:
            `new_lr = lr * factor`. Must be `< 1`.
        patience: Number of epochs with no improvement after which the learning
            rate is reduced.
        verbose: 0 (quiet) or 1 (print a message on each reduction).
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        min_delta: Threshold for measuring the new optimum, to only focus on
            significant changes. Defaults to `1e-4`.
        cooldown: Number of epochs to wait before resuming normal operation
            after the learning rate has been reduced.
        min_lr: Lower bound on the learning rate.

    Example:

    >>> import layerwise as keras
    >>> reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2,
    ...                                               patience=5, min_lr=0.001)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        """Resets the wait and cooldown counters and the best value."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch: int, name: str = "") -> bool:
        old_lr = float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                name_str = f" {name}" if name else ""
                _print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_str} learning "
                       f"rate to {new_lr}.\n")
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        log_learning_rates(self.model.optimizer, logs)
        optimizers = _inner_optimizers(self.model.optimizer)
        current = self._monitored_value(logs, "Learning rate reduction is", end=".")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if optimizers is not None:
                    reduced = False
                    for opt in optimizers:
                        reduced = self._reduce_optimizer_lr(opt, epoch, opt.name) or reduced
                else:
                    reduced = self._reduce_optimizer_lr(self.model.optimizer, epoch)
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0


def log_learning_rates(optimizer, logs: dict) -> None:
    """Writes the learning rate into `logs`: `learning_rate`, or one
    `learning_rate_<name>` per inner optimizer of a multi-optimizer."""
    optimizers = _inner_optimizers(optimizer)
    if optimizers is None:
        logs["learning_rate"] = float(optimizer.learning_rate)
        return
    for opt in optimizers:
        logs[f"learning_rate_{opt.name}"] = float(opt.learning_rate)


def _inner_optimizers(optimizer):
    """The optimizers of a multi-optimizer wrapper, or `None` for a plain optimizer."""
    return getattr(optimizer, "optimizers", None)
