"""Adagrad: per-weight learning rates from the accumulated squared gradients."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, as Keras 3.

    `a += g**2`; `w -= lr * g / sqrt(a + epsilon)`.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        initial_accumulator_value: Starting value of the accumulators (default 0.1).
        epsilon: Small constant for numerical stability (default 1e-7).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adagrad(learning_rate=0.01)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _build_state(self, variables):
        self.accumulators = self._full_like(variables, self.initial_accumulator_value)

    def _slot_variables(self):
        return list(self.accumulators)

    def _update(self, params, grads, lr, indices):
        accumulators = self._slots(self.accumulators, indices)
        foreach.add_(accumulators, foreach.mul(grads, grads))
        foreach.add_(
            params,
            foreach.div(foreach.mul(grads, lr),
                               foreach.sqrt(foreach.add(accumulators,
                                                                      self.epsilon))),
            alpha=-1,
        )

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
