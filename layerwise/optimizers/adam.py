"""Adam: adaptive moment estimation, with Keras' epsilon placement."""

from __future__ import annotations

import torch

from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow, sqrt
from layerwise.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, as Keras 3 (epsilon is added to `sqrt(v)`, the bias correction is in the step).

    `m = b1*m + (1-b1)*g`, `v = b2*v + (1-b2)*g**2`,
    `w -= lr * sqrt(1-b2**t) / (1-b1**t) * m / (sqrt(v) + epsilon)`
    (AMSGrad: `v_hat = max(v_hat, v)` replaces `v` in the step).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the second moment (default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        amsgrad: Whether to use the AMSGrad variant.
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adam(learning_rate=1e-3, amsgrad=True)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str | None = None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables)
        self.velocities = self._zeros_like(variables)
        self.velocity_hats = self._zeros_like(variables) if self.amsgrad else []

    def _slot_variables(self):
        # Keras interleaves momentum and velocity per variable.
        pairs = zip(self.momentums, self.velocities, strict=True)
        interleaved = [s for pair in pairs for s in pair]
        return [*interleaved, *self.velocity_hats]

    def _update(self, params, grads, lr, indices):
        # Scalars in float32, as Keras computes them (tensors of the variables' dtype).
        step = _f(self._local_iterations() + 1)
        beta_1_power = pow(self.beta_1, step)
        beta_2_power = pow(self.beta_2, step)
        alpha = _f(lr) * sqrt(_f(1) - beta_2_power) / (_f(1) - beta_1_power)
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
        # Keras: params -= (m * alpha) / (sqrt(v) + epsilon); same operations, computed
        # in place in two temporaries instead of four.
        denominators = torch._foreach_sqrt(v)
        torch._foreach_add_(denominators, self.epsilon)
        updates = torch._foreach_mul(m, float(alpha))
        torch._foreach_div_(updates, denominators)
        torch._foreach_sub_(params, updates)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
