"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.adam_family import AdamFamily


class Adamax(AdamFamily):
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

    def _update(self, params, grads, lr, indices):
        m = self._slots(self.momentums, indices)
        u = self._slots(self.velocities, indices)  # the infinity norm
        self._update_first_moment(m, grads)
        foreach.mul_(u, self.beta_2)
        foreach.maximum_(u, foreach.abs(grads))
        foreach.add_(
            params,
            foreach.div(foreach.mul(m, lr),
                        foreach.mul(foreach.add(u, self.epsilon),
                                    float(self._bias_correction(self.beta_1)))),
            alpha=-1,
        )

    @property
    def m(self) -> list:
        """The first moments (Keras' `_m`): `momentums`."""
        return self.momentums

    @property
    def u(self) -> list:
        """The infinity norms (Keras' `_u`): `velocities`."""
        return self.velocities
