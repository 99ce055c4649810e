"""Adafactor: Adam-like steps with a factored second moment (Shazeer & Stern, 2018)."""

from __future__ import annotations

import torch

from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import pow, sqrt
from layerwise.optimizers.optimizer import Optimizer


def _rms(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.mean(torch.square(x)))


class Adafactor(Optimizer):
    """Adafactor, as Keras 3.

    For weights with 2 or more dimensions, the second moment is kept as row
    and column means (`r`, `c`) of `g**2 + epsilon_1`, and
    `v = (r / mean(r))[..., None] * c[..., None, :]`; 0-d and 1-d weights keep
    a full `v`. The decay is `beta_2_t = 1 - t**beta_2_decay`; the step is
    `max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))` times `u = g / sqrt(v)`
    clipped to RMS `clip_threshold`.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_2_decay: Float (default -0.8).
        epsilon_1: Added to the squared gradient (default 1e-30).
        epsilon_2: Lower bound of the weights' RMS in the step size (default 1e-3).
        clip_threshold: Maximum RMS of the unscaled update (default 1.0).
        relative_step: Whether the learning rate is capped at `1/sqrt(t)` (it is in
            any case in the step size, as in Keras).
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adafactor(learning_rate=0.01)
    """

    def __init__(self, learning_rate=0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3,
                 clip_threshold: float = 1.0, relative_step: bool = True,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _build_state(self, variables):
        self.r, self.c, self.v = [], [], []
        for var in variables:
            if var.ndim < 2:
                # Keras keeps an unused int scalar for each of r and c here.
                self.r.append(torch.zeros((), dtype=torch.int32, device=var.device))
                self.c.append(torch.zeros((), dtype=torch.int32, device=var.device))
            else:
                self.r.append(var.new_zeros(var.shape[:-1]).detach())
                self.c.append(var.new_zeros(var.shape[:-2] + var.shape[-1:]).detach())
            self.v.append(torch.zeros_like(var).detach())

    def _slot_variables(self):
        return [s for triple in zip(self.r, self.c, self.v, strict=True) for s in triple]

    def _update(self, params, grads, lr, indices):
        local_step = _f(self._local_iterations() + 1)
        rho_t = min(_f(lr), _f(1) / sqrt(local_step))
        beta_2_t = _f(1) - pow(local_step, self.beta_2_decay)
        one_minus_beta_2_t = float(_f(1) - beta_2_t)
        beta_2_t = float(beta_2_t)
        epsilon_2 = float(_f(self.epsilon_2))
        if indices is None:
            indices = range(len(self._variables))
        for i, variable, gradient in zip(indices, params, grads, strict=True):
            r, c, v = self.r[i], self.c[i], self.v[i]
            alpha_t = torch.clamp(_rms(variable), min=epsilon_2) * float(rho_t)
            regulated_grad_square = torch.square(gradient) + self.epsilon_1
            if variable.ndim >= 2:
                r.copy_(beta_2_t * r + one_minus_beta_2_t * torch.mean(regulated_grad_square, -1))
                c.copy_(beta_2_t * c + one_minus_beta_2_t * torch.mean(regulated_grad_square, -2))
                v.copy_((r / torch.mean(r, -1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.copy_(beta_2_t * v + one_minus_beta_2_t * regulated_grad_square)
            u_t = gradient / torch.sqrt(v)
            u_t_hat = u_t / torch.clamp(_rms(u_t) / self.clip_threshold, min=1.0)
            variable.sub_(alpha_t * u_t_hat)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
