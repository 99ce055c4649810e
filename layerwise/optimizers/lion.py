"""Lion: the sign of an interpolated momentum (Chen et al., 2023)."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion, as Keras 3.

    `w -= lr * sign(b1*m + (1-b1)*g)`, then `m = b2*m + (1-b2)*g`.
    Updates have magnitude `lr` per weight: use a smaller learning rate than
    with Adam (3-10x) and a larger weight decay.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Interpolation factor of the update direction, in (0, 1] (default 0.9).
        beta_2: Decay of the momentum (default 0.99).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Lion(learning_rate=1e-4, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables)

    def _slot_variables(self):
        return list(self.momentums)

    def _update(self, params, grads, lr, indices):
        m = self._slots(self.momentums, indices)
        c = foreach.mul(m, self.beta_1)
        foreach.add_(c, grads, alpha=1 - self.beta_1)
        foreach.sign_(c)
        foreach.add_(params, foreach.mul(c, lr), alpha=-1)
        foreach.mul_(m, self.beta_2)
        foreach.add_(m, grads, alpha=1 - self.beta_2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
