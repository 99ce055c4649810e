"""`AdamFamily`: what Adam, AdamW, Adamax and Nadam share.

The arguments `beta_1`, `beta_2` and `epsilon` (and their config), the two slots per
variable (`momentums`, `velocities`, interleaved per variable in `variables` as
Keras lists them), the first-moment update `m = b1*m + (1-b1)*g`, the second-moment
update `v = b2*v + (1-b2)*g**2` (Adam, Nadam; Adamax keeps an infinity norm instead)
and the bias corrections `1 - b**t`. Each subclass writes only what differs in
`_update`. The scalars are float32 host numbers, as Keras computes them; the moment
updates are the same multi-tensor calls each optimizer made before, in the same order,
so the results are the same floats.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow
from layerwise.optimizers.optimizer import Optimizer


class AdamFamily(Optimizer):
    """Base class of the Adam family (moment estimates with bias correction).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the second moment (or of Adamax's infinity norm; default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        **kwargs: See `Optimizer`.
    """

    beta_1: float
    beta_2: float
    epsilon: float
    momentums: list[torch.Tensor]
    velocities: list[torch.Tensor]

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _build_state(self, variables):
        self.momentums = self._zeros_like(variables)
        self.velocities = self._zeros_like(variables)

    def _slot_variables(self) -> list:
        """`[m_0, v_0, m_1, v_1, ...]`: Keras interleaves the two slots per variable."""
        pairs = zip(self.momentums, self.velocities, strict=True)
        return [s for pair in pairs for s in pair]

    def _update_first_moment(self, m: list[torch.Tensor], grads: list[torch.Tensor]) -> None:
        """`m = b1*m + (1-b1)*g`, in place."""
        foreach.mul_(m, self.beta_1)
        foreach.add_(m, grads, alpha=1 - self.beta_1)

    def _update_second_moment(self, v: list[torch.Tensor], grads: list[torch.Tensor]) -> None:
        """`v = b2*v + (1-b2)*g**2`, in place."""
        foreach.mul_(v, self.beta_2)
        foreach.add_(v, foreach.mul(grads, grads), alpha=1 - self.beta_2)

    def _bias_correction(self, beta: float) -> np.float32:
        """`1 - beta**t` in float32 (`t`: this update's step, from 1)."""
        return _f(1) - pow(beta, _f(self._local_iterations() + 1))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
