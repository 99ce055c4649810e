"""Adadelta: a learning rate adapted from running averages of gradients and updates."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, as Keras 3.

    `a = rho * a + (1 - rho) * g**2`;
    `delta = -sqrt(d + epsilon) * g / sqrt(a + epsilon)`;
    `d = rho * d + (1 - rho) * delta**2`; `w += lr * delta`.

    Args:
        learning_rate: Float, schedule or callable (default 0.001; the original
            paper's behaviour is `learning_rate=1.0`).
        rho: Decay rate (default 0.95).
        epsilon: Small constant for numerical stability (default 1e-7).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _build_state(self, variables):
        self.accumulated_grads = self._zeros_like(variables)
        self.accumulated_delta_vars = self._zeros_like(variables)

    def _slot_variables(self):
        return [s for pair in zip(self.accumulated_grads, self.accumulated_delta_vars, strict=True)
                for s in pair]

    def _update(self, params, grads, lr, indices):
        rho = self.rho
        accumulated_grads = self._slots(self.accumulated_grads, indices)
        accumulated_delta_vars = self._slots(self.accumulated_delta_vars, indices)
        foreach.mul_(accumulated_grads, rho)
        foreach.add_(accumulated_grads, foreach.mul(grads, grads), alpha=1 - rho)

        def rms(x):
            return foreach.sqrt(foreach.add(x, self.epsilon))

        delta_vars = foreach.mul(
            foreach.div(foreach.mul(rms(accumulated_delta_vars), grads),
                               rms(accumulated_grads)),
            -1,
        )
        foreach.mul_(accumulated_delta_vars, rho)
        foreach.add_(accumulated_delta_vars, foreach.mul(delta_vars, delta_vars),
                            alpha=1 - rho)
        foreach.add_(params, delta_vars, alpha=lr)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
