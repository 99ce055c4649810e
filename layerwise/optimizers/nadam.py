"""Nadam: Adam with Nesterov momentum."""

from __future__ import annotations

import torch

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow
from layerwise.optimizers.optimizer import HostValue, Optimizer


class Nadam(Optimizer):
    """Nadam, as Keras 3 (Dozat's momentum schedule `u_t = b1 * (1 - 0.5 * 0.96**t)`).

    `m = b1*m + (1-b1)*g`, `v = b2*v + (1-b2)*g**2`,
    `m_hat = u_{t+1} * m / (1 - prod u_1..u_{t+1}) + (1 - u_t) * g / (1 - prod u_1..u_t)`,
    `w -= lr * m_hat / (sqrt(v / (1 - b2**t)) + epsilon)`.

    The running product of the `u_t` is kept on the host (a float32 number);
    it is the last entry of `variables`, as in Keras.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the second moment (default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Nadam(learning_rate=0.002)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables)
        self.velocities = self._zeros_like(variables)
        self._u_product = _f(1.0)

    def _set_u_product(self, value) -> None:
        self._u_product = _f(value)

    def _slot_variables(self):
        pairs = zip(self.momentums, self.velocities, strict=True)
        interleaved = [s for pair in pairs for s in pair]
        return [*interleaved, HostValue("u_product", lambda: float(self._u_product),
                                        self._set_u_product, torch.float32)]

    def _update(self, params, grads, lr, indices):
        iterations = self._local_iterations()
        local_step = _f(iterations + 1)
        next_step = _f(iterations + 2)
        decay = _f(0.96)
        beta_1 = _f(self.beta_1)
        beta_2 = _f(self.beta_2)
        u_t = beta_1 * (_f(1.0) - _f(0.5) * pow(decay, local_step))
        u_t_1 = beta_1 * (_f(1.0) - _f(0.5) * pow(decay, next_step))
        u_product_t = self._u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = pow(beta_2, local_step)
        self._u_product = u_product_t

        m = self._slots(self.momentums, indices)
        v = self._slots(self.velocities, indices)
        foreach.mul_(m, self.beta_1)
        foreach.add_(m, grads, alpha=1 - self.beta_1)
        foreach.mul_(v, self.beta_2)
        foreach.add_(v, foreach.mul(grads, grads), alpha=1 - self.beta_2)
        m_hat = foreach.add(
            foreach.div(foreach.mul(m, float(u_t_1)),
                               float(_f(1) - u_product_t_1)),
            foreach.div(foreach.mul(grads, float(_f(1) - u_t)),
                               float(_f(1) - u_product_t)),
        )
        v_hat = foreach.div(v, float(_f(1) - beta_2_power))
        foreach.add_(
            params,
            foreach.div(foreach.mul(m_hat, lr),
                               foreach.add(foreach.sqrt(v_hat), self.epsilon)),
            alpha=-1,
        )

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
