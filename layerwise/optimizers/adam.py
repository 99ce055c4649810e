"""Adam: adaptive moment estimation, with Keras' epsilon placement."""

from __future__ import annotations

import math

import numpy as np
import torch

from layerwise.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, as in Keras 3 (epsilon is added to `sqrt(v)`, the bias correction is in the step).

    `m = b1*m + (1-b1)*g`, `v = b2*v + (1-b2)*g**2`,
    `w -= lr * sqrt(1-b2**t) / (1-b1**t) * m / (sqrt(v) + epsilon)`.

    Args:
        learning_rate: Float or schedule (default 0.001).
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the second moment (default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        amsgrad: Whether to use the AMSGrad variant.
        **kwargs: See `Optimizer`.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables)
        self.velocities = self._zeros_like(variables)
        self.velocity_hats = self._zeros_like(variables) if self.amsgrad else []

    @property
    def variables(self):
        if not self.built:
            return []
        return [*self.momentums, *self.velocities, *self.velocity_hats]

    def _update(self, params, grads, lr, indices):
        step = self._iterations + 1
        # float32 powers, as Keras computes them in the variables' dtype.
        beta_1_power = float(np.float32(self.beta_1) ** np.float32(step))
        beta_2_power = float(np.float32(self.beta_2) ** np.float32(step))
        alpha = lr * math.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m = self._slots(self.momentums, indices)
        v = self._slots(self.velocities, indices)
        torch._foreach_mul_(m, self.beta_1)
        torch._foreach_add_(m, grads, alpha=1 - self.beta_1)
        torch._foreach_mul_(v, self.beta_2)
        torch._foreach_add_(v, torch._foreach_mul(grads, grads), alpha=1 - self.beta_2)
        if self.amsgrad:
            v_hat = self._slots(self.velocity_hats, indices)
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        denominators = torch._foreach_sqrt(v)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_add_(
            params, torch._foreach_div(torch._foreach_mul(m, alpha), denominators), alpha=-1
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
