"""Nadam: Adam with Nesterov momentum."""

from __future__ import annotations

import torch

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow
from layerwise.optimizers.adam_family import AdamFamily
from layerwise.optimizers.optimizer_state import HostValue


class Nadam(AdamFamily):
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

    def _build_state(self, variables):
        super()._build_state(variables)
        self._u_product = _f(1.0)

    def _set_u_product(self, value) -> None:
        self._u_product = _f(value)

    def _slot_variables(self):
        u_product = HostValue("u_product", lambda: float(self._u_product),
                              self._set_u_product, torch.float32)
        return [*super()._slot_variables(), u_product]

    def _update(self, params, grads, lr, indices):
        iterations = self._local_iterations()
        local_step = _f(iterations + 1)
        next_step = _f(iterations + 2)
        decay = _f(0.96)
        beta_1 = _f(self.beta_1)
        u_t = beta_1 * (_f(1.0) - _f(0.5) * pow(decay, local_step))
        u_t_1 = beta_1 * (_f(1.0) - _f(0.5) * pow(decay, next_step))
        u_product_t = self._u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        beta_2_correction = self._bias_correction(self.beta_2)
        self._u_product = u_product_t

        m = self._slots(self.momentums, indices)
        v = self._slots(self.velocities, indices)
        self._update_first_moment(m, grads)
        self._update_second_moment(v, grads)
        m_hat = foreach.add(
            foreach.div(foreach.mul(m, float(u_t_1)), float(_f(1) - u_product_t_1)),
            foreach.div(foreach.mul(grads, float(_f(1) - u_t)), float(_f(1) - u_product_t)),
        )
        v_hat = foreach.div(v, float(beta_2_correction))
        foreach.add_(
            params,
            foreach.div(foreach.mul(m_hat, lr), foreach.add(foreach.sqrt(v_hat), self.epsilon)),
            alpha=-1,
        )
