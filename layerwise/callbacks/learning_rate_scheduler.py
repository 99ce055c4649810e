"""`LearningRateScheduler`: sets the learning rate at the start of each epoch."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.callbacks.callback import Callback
from layerwise.callbacks.reduce_lr_on_plateau import _inner_optimizers, log_learning_rates
from layerwise.utils.progbar import _print


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, calls `schedule(epoch, lr)` (epoch indexed
    from 0, `lr` the current learning rate as a float) and sets the learning rate
    to the float it returns. A `schedule(epoch)` taking one argument is also
    accepted (Keras 2). The learning rate is added to the epoch logs as
    `learning_rate`.

    Args:
        schedule: Function `(epoch, lr) -> new_lr` (a float).
        verbose: 0 (quiet) or 1 (print a message each epoch).

    Example:

    >>> import math, numpy as np, layerwise as keras
    >>> def scheduler(epoch, lr):
    ...     return lr if epoch < 10 else lr * math.exp(-0.1)
    >>> model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    >>> model.compile(keras.optimizers.SGD(), loss="mse")
    >>> round(model.optimizer.learning_rate, 5)
    0.01
    >>> callback = keras.callbacks.LearningRateScheduler(scheduler)
    >>> history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=15,
    ...                     callbacks=[callback], verbose=0)
    >>> round(model.optimizer.learning_rate, 5)
    0.00607
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:  # The Keras 3 signature.
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # The Keras 2 signature `schedule(epoch)`.
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 0 and (
            learning_rate.is_floating_point()
        ):
            learning_rate = float(learning_rate.detach().cpu())
        elif isinstance(learning_rate, np.ndarray) and learning_rate.ndim == 0 and (
            np.issubdtype(learning_rate.dtype, np.floating)
        ):
            learning_rate = float(learning_rate)
        if not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        optimizers = _inner_optimizers(self.model.optimizer)
        if optimizers is not None:
            for opt in optimizers:
                learning_rate = self._update_optimizer_lr(opt, epoch)
                if self.verbose > 0:
                    _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {opt.name} "
                           f"learning rate to {learning_rate}.\n")
        else:
            learning_rate = self._update_optimizer_lr(self.model.optimizer, epoch)
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                       f"{learning_rate}.\n")

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        log_learning_rates(self.model.optimizer, logs)
