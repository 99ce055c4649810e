"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

import torch

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

    def supports_kernel_products(self) -> bool:
        """Whether `step_with_kernel_products` gives this optimizer's exact update rule.

        Plain and momentum SGD with nothing applied to the whole gradient first
        (no clipping, weight decay, EMA, accumulation or loss scaling).
        """
        return not (self.nesterov or self.weight_decay or self.clipnorm or self.clipvalue
                    or self.global_clipnorm or self.use_ema or self.gradient_accumulation_steps
                    or self.loss_scale_factor is not None)

    @torch.no_grad()
    def step_with_kernel_products(self, pending: list) -> None:
        """One step from the built variables' `.grad` plus Dense kernel products.

        `pending` holds `(kernel, x, g)` triples (`layers/kernel_grad_sink.py`): the
        kernel's gradient is `x.T @ g` (summed over triples of one kernel), applied
        with `addmm_` without ever being written out. Same rule as `_update`.
        """
        variables = self._variables
        index = {id(v): i for i, v in enumerate(variables)}
        with_grad = [i for i, v in enumerate(variables) if v.grad is not None]
        touched_set = set(with_grad).union(index[id(k)] for k, _, _ in pending)
        touched = sorted(touched_set)
        if len(touched) < len(variables):
            self._check_gradients(touched, [v for i, v in enumerate(variables)
                                            if i not in touched_set])
        lr = self._current_learning_rate()
        params = [variables[i] for i in with_grad]
        grads = [variables[i].grad for i in with_grad]
        if self.momentum == 0:
            if params:
                foreach.add_(params, grads, alpha=-lr)
            for kernel, x, g in pending:
                kernel.addmm_(x.t(), g, alpha=-lr)
        else:
            bufs = [self.momentums[i] for i in touched]
            foreach.mul_(bufs, self.momentum)
            if params:
                foreach.add_([self.momentums[i] for i in with_grad], grads, alpha=-lr)
            for kernel, x, g in pending:
                self.momentums[index[id(kernel)]].addmm_(x.t(), g, alpha=-lr)
            foreach.add_([variables[i] for i in touched], bufs)
        for i in touched:
            constraint = getattr(variables[i], "constraint", None)
            if constraint is not None:
                variables[i].copy_(constraint(variables[i]))
        self._iterations += 1

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
