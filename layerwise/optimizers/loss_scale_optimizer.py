"""`LossScaleOptimizer`: dynamic loss scaling for float16 training (Keras 3's)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from layerwise.backend import foreach
from layerwise.optimizers.optimizer import HostValue, Optimizer
from layerwise.registry import object_registry

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """An optimizer that dynamically scales the loss to prevent float16 underflow.

    The loss is multiplied by the loss scale (`scale_loss`) before the backward
    pass, so small gradients survive float16; the gradients are divided by it
    before the wrapped optimizer's step. On a step where any gradient is not
    finite, the step is skipped (weights and the wrapped optimizer's state stay
    as they were) and the scale halves; after `dynamic_growth_steps` finite
    steps in a row, the scale doubles.

    Deciding whether to skip reads one boolean from the device per step.

    Args:
        inner_optimizer: The `Optimizer` to wrap (its `loss_scale_factor` is
            cleared, so gradients are not unscaled twice).
        initial_scale: Float, the first loss scale (default `2**15`).
        dynamic_growth_steps: Int, the number of finite steps after which the
            scale doubles (default 2000).
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    >>> float(opt.dynamic_scale)
    32768.0
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0**15,
                 dynamic_growth_steps: int = 2000, name: str | None = None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        for key, default in _BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{key}`. Instead, set "
                                 f"`{key}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: {sorted(kwargs)}.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "`inner_optimizer` must be an optimizer instance such as "
                f"`keras.optimizers.SGD(0.01)`. Received: inner_optimizer={inner_optimizer!r}"
            )
        if not (isinstance(dynamic_growth_steps, int) and dynamic_growth_steps >= 1):
            raise ValueError("`dynamic_growth_steps` must be an integer >= 1. Received: "
                             f"dynamic_growth_steps={dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None
        self._scale = self.initial_scale
        self._step_counter = 0

    # ---------------------------------------------------------- delegation
    @property
    def learning_rate(self) -> float:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if "inner_optimizer" not in self.__dict__:  # the base constructor's placeholder
            self._learning_rate = value
            return
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value) -> None:
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.iterations = value

    @property
    def dynamic_scale(self) -> torch.Tensor:
        """The current loss scale (a float32 scalar)."""
        return torch.tensor(self._scale, dtype=torch.float32)

    @property
    def step_counter(self) -> torch.Tensor:
        """Finite steps since the scale last changed."""
        return torch.tensor(self._step_counter, dtype=torch.int64)

    def build(self, variables) -> None:
        if self.built:
            return
        self.inner_optimizer.build(variables)
        self._variables = self.inner_optimizer._variables
        self.built = True

    def is_built_for(self, variables) -> bool:
        return self.built and self.inner_optimizer.is_built_for(variables)

    def rebuild(self, variables) -> None:
        self.inner_optimizer.rebuild(variables)
        self._variables = self.inner_optimizer._variables
        self.built = True

    def _variable_entries(self) -> list:
        # Keras 3's order: own iteration and learning rate (placeholders), step_counter,
        # dynamic_scale, then the wrapped optimizer's variables.
        own = super()._variable_entries()
        own += [HostValue("step_counter", lambda: self._step_counter,
                         lambda v: setattr(self, "_step_counter", int(v)), torch.int64),
               HostValue("dynamic_scale", lambda: self._scale,
                         lambda v: setattr(self, "_scale", float(v)), torch.float32)]
        return own + self.inner_optimizer._variable_entries()

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    # --------------------------------------------------------------- steps
    def scale_loss(self, loss):
        """Multiplies `loss` by the current loss scale."""
        return loss * self._scale

    def _finite(self, grads: list[torch.Tensor]) -> bool:
        maxima = foreach.norm(grads, float("inf"))
        return bool(torch.isfinite(torch.stack([m.float() for m in maxima])).all())

    def _after_step(self, finite: bool) -> None:
        if not finite:
            self._step_counter = 0
            self._scale *= 0.5
        elif self._step_counter == self.dynamic_growth_steps - 1:
            self._step_counter = 0
            self._scale *= 2.0
        else:
            self._step_counter += 1

    def step_from_grads(self) -> None:
        """Unscales the `.grad` of the built variables in place, then steps (or skips)."""
        grads = [v.grad for v in self._variables if v.grad is not None]
        if not grads:
            self.inner_optimizer.step_from_grads()  # raises its "no gradients" error
            return
        finite = self._finite(grads)
        if finite:
            foreach.mul_(grads, 1.0 / self._scale)
            self.inner_optimizer.step_from_grads()
        self._after_step(finite)

    def apply(self, grads: Sequence, trainable_variables: Sequence | None = None) -> None:
        """Unscales `grads` and applies them with the wrapped optimizer, or skips the step."""
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            self.build(list(trainable_variables))
        kept = [torch.as_tensor(g) for g in grads if g is not None]
        finite = self._finite([g.detach() for g in kept]) if kept else True
        if finite:
            inverse = 1.0 / self._scale
            unscaled = [None if g is None else torch.as_tensor(g).detach() * inverse
                        for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
        self._after_step(finite)

    # -------------------------------------------------------------- config
    def get_config(self) -> dict:
        return {
            "name": self.name,
            "inner_optimizer": object_registry.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        # Deferred: `layerwise.optimizers` imports this module (a cycle at import time).
        from layerwise import optimizers

        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"),
                                       custom_objects=custom_objects)
        return cls(inner, **config)

    def __repr__(self) -> str:
        return (f"<LossScaleOptimizer name={self.name} inner={self.inner_optimizer!r} "
                f"scale={self._scale}>")
