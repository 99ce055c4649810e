"""FTRL-proximal: follow the regularized leader (McMahan et al., 2013)."""

from __future__ import annotations

import torch

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-proximal, as Keras 3 (with L1, L2 and L2-shrinkage regularization).

    With `p = -learning_rate_power` (0.5 by default), per weight:

    ```
    n_new = n + g**2
    z += (g + 2 * l2_shrinkage * w) - (n_new**p - n**p) / lr * w
    w = (clip(z, -l1, l1) - z) / (n_new**p / lr + 2 * (l2 + beta / (2 * lr)))
    n = n_new
    ```

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        learning_rate_power: Float <= 0 (default -0.5).
        initial_accumulator_value: Starting value of `n`, >= 0 (default 0.1).
        l1_regularization_strength: Float >= 0 (default 0).
        l2_regularization_strength: Float >= 0 (default 0).
        l2_shrinkage_regularization_strength: Float >= 0 (default 0): an L2
            penalty on the gradient only (a magnitude penalty).
        beta: Float (default 0), the FTRL-proximal `beta`.
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Ftrl(learning_rate=0.05, l1_regularization_strength=0.001)
    """

    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for arg, value in [("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength",
                            l2_shrinkage_regularization_strength)]:
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: {arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _build_state(self, variables):
        self.accumulators = self._full_like(variables, self.initial_accumulator_value)
        self.linears = self._zeros_like(variables)
        # Keras raises to a float32 *tensor* power (torch.pow(Tensor, Tensor)), which
        # rounds differently from a Python-number exponent: keep one per device.
        self._power = {}
        for v in variables:
            if v.device not in self._power:
                self._power[v.device] = torch.tensor(-self.learning_rate_power,
                                                     dtype=torch.float32, device=v.device)

    def _slot_variables(self):
        return [s for pair in zip(self.accumulators, self.linears, strict=True) for s in pair]

    def _update(self, params, grads, lr, indices):
        lr32 = _f(lr)
        # Keras: `l2 + beta / (2.0 * lr)` with `lr` a tensor, i.e. torch's
        # `reciprocal(2.0 * lr) * beta`.
        l2_reg = _f(self.l2_regularization_strength) + (_f(1) / (_f(2.0) * lr32)) * _f(self.beta)
        l1 = self.l1_regularization_strength
        accumulators = self._slots(self.accumulators, indices)
        linears = self._slots(self.linears, indices)
        if self.l2_shrinkage_regularization_strength:
            grads_to_use = foreach.add(
                grads, foreach.mul(params, 2 * self.l2_shrinkage_regularization_strength)
            )
        else:
            grads_to_use = grads
        new_accumulators = foreach.add(accumulators, foreach.mul(grads, grads))
        powers = [self._power[p.device] for p in params]
        new_powered = [torch.pow(a, e) for a, e in zip(new_accumulators, powers, strict=True)]
        old_powered = [torch.pow(a, e) for a, e in zip(accumulators, powers, strict=True)]
        sigma = foreach.div(foreach.sub(new_powered, old_powered), lr)
        foreach.add_(linears, foreach.sub(grads_to_use,
                                                        foreach.mul(sigma, params)))
        quadratic = foreach.add(foreach.div(new_powered, lr),
                                       float(_f(2) * l2_reg))
        clipped = foreach.clamp_max(foreach.clamp_min(linears, -l1), l1)
        foreach.copy_(params, foreach.div(foreach.sub(clipped, linears),
                                                        quadratic))
        foreach.copy_(accumulators, new_accumulators)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config
