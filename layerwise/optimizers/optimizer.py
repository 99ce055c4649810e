"""`Optimizer` base class: learning rate and schedules, clipping, weight decay, constraints.

Subclasses write their update rule once, in `_update(params, grads, lr)`,
with torch's multi-tensor (`torch._foreach_*`) kernels over all weights at
once. The learning rate is a Python number (or a schedule evaluated on the
host from the step count), so a step never waits for the device.
"""

from __future__ import annotations

import math
import warnings

import torch

from layerwise.backend.naming import to_snake_case
from layerwise.optimizers.schedules import InverseTimeDecay, LearningRateSchedule


class Optimizer:
    """Base class of optimizers.

    Args:
        learning_rate: A float or a `LearningRateSchedule`. `lr=` is accepted
            (Keras 2 spelling) with a deprecation warning.
        weight_decay: If set, weights decay by `weight_decay * lr` each step.
        clipnorm: If set, each gradient is clipped to this norm.
        clipvalue: If set, each gradient is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: If set, all gradients are clipped so their global norm
            is at most this value.
        name: Optional name.
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {sorted(kwargs)}."
            )
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.name = name or to_snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self._iterations = 0
        self._variables: list[torch.Tensor] = []
        self.built = False
        if decay:
            # Keras 2's `decay`: lr / (1 + decay * iterations).
            warnings.warn(
                "The `decay` argument is deprecated (Keras 2); use "
                "`learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)`.",
                DeprecationWarning, stacklevel=3,
            )
            learning_rate = InverseTimeDecay(float(learning_rate), 1, float(decay))
        self.learning_rate = learning_rate

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> float:
        """The learning rate at the current step (settable, also with a schedule)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(self._iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(value, torch.Tensor):
            value = value.item()
        if hasattr(value, "numpy") and not isinstance(value, (int, float)):
            value = value.numpy()
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"`learning_rate` must be a number or a LearningRateSchedule. Received: {value!r}"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"`learning_rate` must be a non-negative number. Received: {value}")
        self._learning_rate = value

    @property
    def lr(self) -> float:
        """Keras 2 alias of `learning_rate`."""
        return self.learning_rate

    @lr.setter
    def lr(self, value) -> None:
        self.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        """Number of optimizer steps taken so far."""
        return torch.tensor(self._iterations, dtype=torch.int64)

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations = int(value)

    # ------------------------------------------------------------------ state
    def build(self, variables) -> None:
        """Creates the optimizer's state for `variables` (called on the first step)."""
        self._variables = list(variables)
        self._build_state(self._variables)
        self.built = True

    def _build_state(self, variables) -> None:
        """Subclasses create their slot tensors here."""

    def _zeros_like(self, variables) -> list[torch.Tensor]:
        return [torch.zeros_like(v, memory_format=torch.preserve_format).detach() for v in variables]

    @property
    def variables(self) -> list[torch.Tensor]:
        return []

    # ------------------------------------------------------------------ steps
    def apply_gradients(self, grads_and_vars) -> None:
        """Applies `(gradient, variable)` pairs: one optimizer step."""
        pairs = [(g, v) for g, v in grads_and_vars]
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None) -> None:
        """Applies one step of `grads` to `trainable_variables` (default: the built ones)."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError("Call `build(variables)` first or pass `trainable_variables`.")
            trainable_variables = self._variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        index = {id(v): i for i, v in enumerate(self._variables)}
        missing = [v for v in trainable_variables if id(v) not in index]
        if missing:
            raise ValueError(
                f"The optimizer was built for {len(self._variables)} variables and received "
                f"{len(missing)} unknown ones ({[getattr(v, 'path', '?') for v in missing][:3]}). "
                "Use one optimizer per model, or recompile."
            )
        grads = [g.detach() if isinstance(g, torch.Tensor) else torch.as_tensor(g) for g in grads]
        self._step_subset([index[id(v)] for v in trainable_variables], grads)

    def _step_from_grads(self) -> None:
        """One step using the `.grad` of the built variables (the trainer's fast path)."""
        variables = self._variables
        if all(v.grad is not None for v in variables):
            self._step(variables, [v.grad for v in variables], list(range(len(variables))))
            return
        chosen = [i for i, v in enumerate(variables) if v.grad is not None]
        self._step_subset(chosen, [variables[i].grad for i in chosen])

    def _step_subset(self, indices, grads) -> None:
        self._step([self._variables[i] for i in indices], grads, indices)

    @torch.no_grad()
    def _step(self, params, grads, indices) -> None:
        if params:
            grads = self._clip_gradients(grads)
            lr = self.learning_rate
            if self.weight_decay:
                decayed = [p for p in params if getattr(p, "_use_weight_decay", True)]
                if decayed:
                    torch._foreach_mul_(decayed, 1.0 - self.weight_decay * lr)
            self._update(params, grads, lr, indices)
            for p in params:
                constraint = getattr(p, "constraint", None)
                if constraint is not None:
                    p.copy_(constraint(p))
        self._iterations += 1

    def _update(self, params, grads, lr: float, indices) -> None:
        raise NotImplementedError

    def _clip_gradients(self, grads):
        if self.clipnorm is not None:
            norms = torch._foreach_norm(grads)
            return [g * self.clipnorm / torch.clamp(n, min=self.clipnorm) for g, n in zip(grads, norms)]
        if self.clipvalue is not None:
            return [torch.clamp(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.global_clipnorm is not None:
            norms = torch._foreach_norm(grads)
            total = torch.linalg.vector_norm(torch.stack(norms))
            scale = self.global_clipnorm / torch.maximum(total, torch.tensor(self.global_clipnorm))
            return torch._foreach_mul(grads, scale)
        return grads

    def _slots(self, slot_list, indices):
        return [slot_list[i] for i in indices]

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = {"class_name": type(lr).__name__, "config": lr.get_config()}
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            from layerwise.optimizers import schedules

            config["learning_rate"] = getattr(schedules, lr["class_name"]).from_config(
                lr["config"]
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate}>"
