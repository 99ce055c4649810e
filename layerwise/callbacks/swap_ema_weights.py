"""`SwapEMAWeights`: evaluates (and optionally checkpoints) with the EMA weights."""

from __future__ import annotations

import torch

from layerwise.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model weights with their exponential moving average (EMA).

    With an optimizer created with `use_ema=True`, this callback puts the EMA
    weights into the model for evaluation and prediction (validation included)
    and swaps the training weights back afterwards. With `swap_on_epoch=True`
    the EMA weights are also in the model during the callbacks that run after
    this one at the end of each epoch (e.g. a `ModelCheckpoint` placed after it
    saves the EMA weights), and the training weights are put back at the start
    of the next epoch.

    Args:
        swap_on_epoch: Whether to swap in the EMA weights at the end of each epoch.

    Raises:
        ValueError: If the optimizer does not use EMA.

    Example:

    >>> import layerwise as keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(use_ema=True), loss="mse")
    >>> callbacks = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True),
    ...              keras.callbacks.ModelCheckpoint("best.keras")]
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:
            chosen = [opt for opt in inner if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ValueError(
                    "SwapEMAWeights must be used when at least one inner optimizer has "
                    "`use_ema=True` set. Received a MultiOptimizer with all inner optimizers "
                    "having `use_ema=False`."
                )
        else:
            chosen = [optimizer]
        for opt in chosen:
            if not getattr(opt, "use_ema", False):
                raise ValueError(
                    "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                    f"Received: use_ema={getattr(opt, 'use_ema', None)}"
                )
        return chosen

    def _swap_variables(self) -> None:
        for opt in self._ema_optimizers():
            if not opt.built:
                continue  # No step yet: the averages do not exist.
            with torch.no_grad():
                for var, average in zip(opt._variables, opt._averages):
                    temporary = var.detach().clone()
                    var.copy_(average)
                    average.copy_(temporary)

    def _finalize_ema_values(self) -> None:
        for opt in self._ema_optimizers():
            if not opt.built:
                continue
            with torch.no_grad():
                for var, average in zip(opt._variables, opt._averages):
                    average.copy_(var)

    def _put_ema_weights(self, in_model: bool) -> bool:
        """Swaps so that the model holds the EMA weights (`in_model`) or its own; whether it
        swapped (`False` where the model already held them)."""
        if self._ema_weights_in_model == in_model:
            return False
        self._swap_variables()
        self._ema_weights_in_model = in_model
        return True

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._put_ema_weights(False)

    def on_epoch_end(self, epoch, logs=None):
        # `fit` ends by writing the averages into the weights (`finalize_variable_values`):
        # after the last epoch they must hold the EMA weights, which are now in the model.
        if (self.swap_on_epoch and self._put_ema_weights(True)
                and epoch == self.params["epochs"] - 1):
            self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        self._put_ema_weights(True)

    def on_test_end(self, logs=None):
        self._put_ema_weights(False)

    def on_predict_begin(self, logs=None):
        self._put_ema_weights(True)

    def on_predict_end(self, logs=None):
        # Keras 3.15 tests `not self._ema_weights_in_model` here, which leaves the EMA
        # weights in the model after `predict`; they are swapped back, as intended.
        self._put_ema_weights(False)
