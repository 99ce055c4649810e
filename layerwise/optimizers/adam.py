"""Adam: adaptive moment estimation, with Keras' epsilon placement."""

from __future__ import annotations

import math

import torch

from layerwise.backend import foreach
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import sqrt
from layerwise.optimizers.adam_family import AdamFamily


class Adam(AdamFamily):
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
        fused: How the update runs (a layerwise addition; not part of the config).
            `None` (default): torch's fused Adam kernel, one pass over memory per
            variable, where torch has it for the variables (torch >= 2.4, dense
            contiguous CPU or CUDA tensors), else Keras' sequence of operations.
            `False`: always Keras' sequence of operations, bit for bit equal to
            Keras 3 with the torch backend (the fused kernel agrees with it to
            float32 rounding: about one ulp of the weights per step). `True`: always fused
            (an error where the kernel cannot be used).
        **kwargs: See `Optimizer`.

    The moments, slots and bias corrections come from `AdamFamily`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.Adam(learning_rate=1e-3, amsgrad=True)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str | None = None,
                 fused: bool | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, name=name, **kwargs)
        self.amsgrad = amsgrad
        if fused not in (None, True, False):
            raise ValueError(f"`fused` must be None, True or False. Received: fused={fused!r}")
        self.fused = fused
        self._fused_step: torch.Tensor | None = None

    def _build_state(self, variables):
        super()._build_state(variables)
        self.velocity_hats = self._zeros_like(variables) if self.amsgrad else []

    def _slot_variables(self):
        return [*super()._slot_variables(), *self.velocity_hats]

    def _update(self, params, grads, lr, indices):
        m = self._slots(self.momentums, indices)
        v = self._slots(self.velocities, indices)
        if self.fused is not False:
            if _can_fuse(params, grads, m, v):
                self._fused_update(params, grads, m, v, lr, indices)
                return
            if self.fused:
                raise ValueError(
                    "`fused=True`: torch's fused Adam kernel needs torch >= 2.4 and dense, "
                    "contiguous variables and gradients of one floating dtype on one CPU or "
                    f"CUDA device. Received variables on {params[0].device} of dtype "
                    f"{params[0].dtype}. Pass `fused=None` to fall back to the unfused update."
                )
        # Scalars in float32, as Keras computes them (tensors of the variables' dtype).
        alpha = _f(lr) * sqrt(self._bias_correction(self.beta_2)) \
            / self._bias_correction(self.beta_1)
        self._update_first_moment(m, grads)
        self._update_second_moment(v, grads)
        if self.amsgrad:
            v_hat = self._slots(self.velocity_hats, indices)
            foreach.maximum_(v_hat, v)
            v = v_hat
        # Keras: params -= (m * alpha) / (sqrt(v) + epsilon); same operations, computed
        # in place in two temporaries instead of four.
        denominators = foreach.sqrt(v)
        foreach.add_(denominators, self.epsilon)
        updates = foreach.mul(m, float(alpha))
        foreach.div_(updates, denominators)
        foreach.sub_(params, updates)

    def _fused_update(self, params, grads, m, v, lr, indices):
        """Keras' rule in one pass over memory per variable: torch's fused Adam kernel.

        torch's Adam divides `sqrt(v)` by `sqrt(1 - beta_2**t)` before adding its
        epsilon, Keras adds epsilon to `sqrt(v)` itself; with torch's epsilon set to
        `epsilon / sqrt(1 - beta_2**t)` each step the two are the same update
        (`lr / (1 - beta_1**t) * m * sqrt(1 - beta_2**t) / (sqrt(v) + epsilon)`), to
        float32 rounding. The differential tests against Keras check it.
        """
        step = self._local_iterations() + 1
        if self._fused_step is None or self._fused_step.device != params[0].device:
            self._fused_step = torch.zeros((), dtype=torch.float32, device=params[0].device)
        self._fused_step.fill_(step)
        v_hat = self._slots(self.velocity_hats, indices) if self.amsgrad else []
        foreach.fused_adam_(
            params, grads, m, v, v_hat, [self._fused_step] * len(params),
            lr=float(lr), beta1=self.beta_1, beta2=self.beta_2, weight_decay=0.0,
            eps=self.epsilon / math.sqrt(1.0 - self.beta_2 ** step),
            amsgrad=self.amsgrad, maximize=False,
        )

    def get_config(self):
        config = super().get_config()
        config["amsgrad"] = self.amsgrad
        return config


_FUSED_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def _can_fuse(params, grads, m, v) -> bool:
    """Whether torch's fused Adam kernel can update these tensors (torch >= 2.4 on CPU).

    It needs dense, contiguous tensors of one floating dtype on one CPU or CUDA device.
    """
    if foreach.fused_adam_ is None or not params:
        return False
    first = params[0]
    if first.device.type not in ("cpu", "cuda") or first.dtype not in _FUSED_DTYPES:
        return False
    for group in (params, grads, m, v):
        for t in group:
            if (t.dtype != first.dtype or t.device != first.device or t.is_sparse
                    or not t.is_contiguous()):
                return False
    return True
