"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow
from layerwise.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, as Keras 3.

    `m = b1*m + (1-b1)*g`; `u = max(b2*u, |g|)`;
    `w -= lr * m / ((1 - b1**t) * (u + epsilon))`.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the infinity norm (default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adamax(learning_rate=0.002)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _build_state(self, variables):
        self.m = self._zeros_like(variables)
        self.u = self._zeros_like(variables)

    def _slot_variables(self):
        return [s for pair in zip(self.m, self.u, strict=True) for s in pair]

    def _update(self, params, grads, lr, indices):
        beta_1_power = pow(self.beta_1, self._local_iterations() + 1)
        m = self._slots(self.m, indices)
        u = self._slots(self.u, indices)
        foreach.mul_(m, self.beta_1)
        foreach.add_(m, grads, alpha=1 - self.beta_1)
        foreach.mul_(u, self.beta_2)
        foreach.maximum_(u, foreach.abs(grads))
        foreach.add_(
            params,
            foreach.div(foreach.mul(m, lr),
                               foreach.mul(foreach.add(u, self.epsilon),
                                                  float(_f(1) - beta_1_power))),
            alpha=-1,
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
