"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from layerwise.optimizers.adam import Adam


class AdamW(Adam):
    """AdamW, as Keras 3: Adam's update rule plus decoupled weight decay.

    Each step first decays the weights, `w *= 1 - weight_decay * lr` (the
    base-class weight decay every optimizer has), then applies Adam's rule.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        weight_decay: Float (default 0.004); required.
        beta_1: Decay of the first moment (default 0.9).
        beta_2: Decay of the second moment (default 0.999).
        epsilon: Small constant for numerical stability (default 1e-7).
        amsgrad: Whether to use the AMSGrad variant.
        **kwargs: See `Optimizer`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         name=name, **kwargs)
        if self.weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
