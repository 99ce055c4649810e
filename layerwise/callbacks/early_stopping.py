"""`EarlyStopping`: stops training when a monitored metric stops improving."""

from __future__ import annotations

from layerwise.callbacks.monitor_callback import MonitorCallback
from layerwise.utils.progbar import _print


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored metric has stopped improving.

    At the end of every epoch the monitored value is compared with the best
    one seen; after `patience` epochs without improvement `model.stop_training`
    is set.

    Args:
        monitor: Quantity to monitor. Defaults to `"val_loss"`.
        min_delta: Minimum change of the monitored quantity counted as an
            improvement (absolute). Defaults to `0`.
        patience: Number of epochs with no improvement after which training
            stops. Defaults to `0`.
        verbose: 0 (silent) or 1 (print when the callback acts).
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        baseline: Value the monitored quantity must beat: training stops after
            `patience` epochs that do not improve on it. Defaults to `None`.
        restore_best_weights: Whether to restore the weights of the best epoch
            at the end of training (whether or not training stopped early, as
            in Keras). If no epoch beats `baseline`, the weights of the best
            epoch among those run are restored. Defaults to `False`.
        start_from_epoch: Number of warm-up epochs during which improvement is
            not monitored. Defaults to `0`.

    Attributes:
        stopped_epoch: The epoch at which training stopped (0 if it did not).
        best_epoch: The epoch with the best monitored value.
        best: The best monitored value.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> callback = keras.callbacks.EarlyStopping(monitor="loss", patience=3)
    >>> model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    >>> model.compile(keras.optimizers.SGD(), loss="mse")
    >>> history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=10,
    ...                     batch_size=1, callbacks=[callback], verbose=0)
    >>> len(history.history["loss"])  # Only 4 epochs are run.
    4
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # Instances can be reused across `fit()` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            # Delayed until the model's metrics are built.
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until an epoch improves, the current weights are the best ones.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when both the baseline and the best so far are beaten.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping\n")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print("Restoring model weights from the end of the best epoch: "
                       f"{self.best_epoch + 1}.\n")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value from `logs`, or `None` (with a warning) when it is missing."""
        return self._monitored_value(logs or {}, "Early stopping")
