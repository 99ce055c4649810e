"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, as Keras 3.

    `v = rho * v + (1 - rho) * g**2`; `w -= lr * g / sqrt(v + epsilon)`
    (centered: `a = rho * a + (1 - rho) * g` and `sqrt(v - a**2 + epsilon)`;
    with momentum: `m = momentum * m + increment`, `w -= m`).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        rho: Discounting factor of the history (default 0.9).
        momentum: Momentum factor (default 0).
        epsilon: Small constant for numerical stability (default 1e-7).
        centered: Whether to normalize by the estimated variance of the gradient.
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.9, centered=True)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str | None = None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _build_state(self, variables):
        self.velocities = self._zeros_like(variables)
        self.momentums = self._zeros_like(variables) if self.momentum > 0 else []
        self.average_gradients = self._zeros_like(variables) if self.centered else []

    def _slot_variables(self):
        return [*self.velocities, *self.momentums, *self.average_gradients]

    def _update(self, params, grads, lr, indices):
        velocities = self._slots(self.velocities, indices)
        rho = self.rho
        foreach.mul_(velocities, rho)
        foreach.add_(velocities, foreach.mul(grads, grads), alpha=1 - rho)
        denominators = foreach.add(velocities, self.epsilon)
        if self.centered:
            averages = self._slots(self.average_gradients, indices)
            foreach.mul_(averages, rho)
            foreach.add_(averages, grads, alpha=1 - rho)
            foreach.add_(denominators, foreach.mul(averages, averages), alpha=-1)
        foreach.sqrt_(denominators)
        increments = foreach.div(foreach.mul(grads, lr), denominators)
        if self.momentum > 0:
            momentums = self._slots(self.momentums, indices)
            foreach.mul_(momentums, self.momentum)
            foreach.add_(momentums, increments)
            foreach.add_(params, momentums, alpha=-1)
        else:
            foreach.add_(params, increments, alpha=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
