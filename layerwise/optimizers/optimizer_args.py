"""Validation of the `Optimizer` constructor's arguments and of learning rates, with
Keras' messages (split from `optimizer.py`; Keras checks them in `BaseOptimizer`)."""

from __future__ import annotations

import numpy as np
import torch


def check_arguments(gradient_accumulation_steps, use_ema, ema_momentum,
                    ema_overwrite_frequency, clipnorm, clipvalue, global_clipnorm) -> None:
    """Raises a `ValueError` naming the first invalid argument of `Optimizer.__init__`."""
    if gradient_accumulation_steps:
        if not (isinstance(gradient_accumulation_steps, int)
                and gradient_accumulation_steps >= 2):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
    if use_ema:
        if ema_momentum > 1 or ema_momentum < 0:
            raise ValueError(
                f"`ema_momentum` must be in the range [0, 1]. Received: "
                f"ema_momentum={ema_momentum}"
            )
        if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                        or ema_overwrite_frequency < 1):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                f"ema_overwrite_frequency={ema_overwrite_frequency}"
            )
    if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )


def check_learning_rate(value) -> float:
    """A fixed learning rate as a float32-rounded Python float (Keras keeps it in a
    float32 variable); raises a `ValueError` for anything else."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if hasattr(value, "numpy") and not isinstance(value, (int, float, np.ndarray)):
        value = value.numpy()
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            "Argument `learning_rate` should be a float, an instance of "
            "LearningRateSchedule, or a callable (that takes no argument and returns "
            f"the learning rate). Received: learning_rate={value!r}"
        ) from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"`learning_rate` must be a non-negative number. Received: {value}")
    # Keras keeps it in a float32 variable: same value, same `get_config()`.
    return float(np.float32(value))
