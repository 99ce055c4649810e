"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent (with momentum), as Keras 3.

    Update rule: `m = momentum * m - lr * g`, then `w += m`
    (Nesterov: `w += momentum * m - lr * g`); without momentum `w -= lr * g`.

    Args:
        learning_rate: Float, schedule or callable (default 0.01).
        momentum: Float in [0, 1] (default 0).
        nesterov: Whether to use Nesterov momentum.
        **kwargs: See `Optimizer` (`weight_decay`, `clipnorm`, `clipvalue`,
            `global_clipnorm`, `use_ema`, `ema_momentum`, `ema_overwrite_frequency`,
            `loss_scale_factor`, `gradient_accumulation_steps`, `name`, `lr`).

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum}")
        self.momentum = momentum
        self.nesterov = nesterov

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables) if self.momentum != 0 else []

    def _slot_variables(self):
        return list(self.momentums)

    def _update(self, params, grads, lr, indices):
        if self.momentum == 0:
            foreach.add_(params, grads, alpha=-lr)
            return
        bufs = self._slots(self.momentums, indices)
        foreach.mul_(bufs, self.momentum)
        foreach.add_(bufs, grads, alpha=-lr)
        if self.nesterov:
            foreach.add_(params, grads, alpha=-lr)
            foreach.add_(params, bufs, alpha=self.momentum)
        else:
            foreach.add_(params, bufs)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
