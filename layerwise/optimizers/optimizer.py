"""`Optimizer` base class: learning rate and schedules, clipping, weight decay,
EMA of the weights, gradient accumulation, constraints, and the saved state.

Subclasses write their update rule once, in `_update(params, grads, lr, indices)`,
with torch's multi-tensor (`torch._foreach_*`) kernels over all weights at
once, in the operation order of Keras 3's torch backend (so the results are
the same floats). Everything that Keras computes as a scalar tensor (the
learning rate, bias corrections, the EMA momentum, the weight-decay factor)
is computed here on the host in float32 NumPy arithmetic from the Python step
counter, so a step never waits for the device.

The order of one step is Keras' `BaseOptimizer.apply`:

1. gradients are divided by `loss_scale_factor` (if set);
2. with `gradient_accumulation_steps=n`: on steps that are not a multiple of
   `n` the gradients are added to the accumulators and nothing else happens
   (but 5. and 6.); otherwise the gradients become `(g + accumulated) / n` and
   the accumulators are reset after the update;
3. clipping (`clipnorm`, else `global_clipnorm`, else `clipvalue`);
4. weight decay `w *= 1 - weight_decay * lr`, then the update rule, both with
   the learning rate of the current (real) step count;
5. the moving average of the weights (`use_ema`), and every
   `ema_overwrite_frequency` steps the weights are replaced by it;
6. constraints of the updated weights;
7. the step counter `iterations` goes up by one.

The pieces: `optimizer_state.py` (the saved state: `variables`, `set_weights`,
`HostValue`), `optimizer_args.py` (argument checks), `clipping.py` (3.), and
`adam_family.py` (the moments shared by Adam, AdamW, Adamax and Nadam).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from layerwise.backend import foreach
from layerwise.backend.naming import to_snake_case, uniquify
from layerwise.optimizers import schedules as schedules_module
from layerwise.optimizers.clipping import clip_gradients
from layerwise.optimizers.optimizer_args import check_arguments, check_learning_rate
from layerwise.optimizers.optimizer_state import HostValue as HostValue  # re-exported
from layerwise.optimizers.optimizer_state import OptimizerState
from layerwise.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
from layerwise.registry import object_registry

_F32 = np.float32
_ONE = np.float32(1.0)


def _f32(value) -> float:
    """`value` rounded to float32, as a Python float (Keras keeps scalars in float32)."""
    return float(np.float32(value))


class Optimizer(OptimizerState):
    """Base class of optimizers.

    Subclasses implement `_build_state(variables)` (create the slot tensors),
    `_slot_variables()` (the slots in Keras' order) and
    `_update(params, grads, lr, indices)` (the update rule).

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`
            (evaluated at each step from the step count), or a callable taking no
            argument and returning the learning rate. `lr=` is accepted (Keras 2
            spelling) with a deprecation warning.
        weight_decay: Float. If set, weights decay by `weight_decay * lr` each
            step (decoupled from the gradient, before the update rule).
        clipnorm: Float. If set, the gradient of each weight is individually
            clipped so that its norm is no higher than this value.
        clipvalue: Float. If set, the gradient of each weight is clipped to
            `[-clipvalue, clipvalue]`.
        global_clipnorm: Float. If set, the gradients of all weights are clipped
            so that their global norm is no higher than this value.
        use_ema: Whether to keep an exponential moving average (EMA) of the
            weights. `fit()` / `finalize_variable_values()` write it into the
            weights at the end of training.
        ema_momentum: Float in [0, 1] (default 0.99): `average = ema_momentum *
            average + (1 - ema_momentum) * weight` after each step.
        ema_overwrite_frequency: Int or `None`. If set (with `use_ema`), the
            weights are replaced by their moving average every this many steps.
        loss_scale_factor: Float or `None`. If set, the trainer multiplies the
            loss by it (`scale_loss`) and the gradients are divided by it.
        gradient_accumulation_steps: Int >= 2 or `None`. If set, the weights are
            updated every this many steps with the mean of the accumulated
            gradients. `iterations` counts updates (steps // n); learning-rate
            schedules see the real step count.
        name: Optional name (default: the snake-case class name, made unique).
        decay: Keras 2's `decay` (`lr / (1 + decay * iterations)`); deprecated,
            turned into an `InverseTimeDecay` schedule.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0)
    >>> opt.learning_rate = 0.05
    >>> round(opt.learning_rate, 6)
    0.05
    """

    # The state of every optimizer (annotations only; set in `__init__` and `build`).
    name: str
    weight_decay: float | None
    clipnorm: float | None
    clipvalue: float | None
    global_clipnorm: float | None
    use_ema: bool
    ema_momentum: float
    ema_overwrite_frequency: int | None
    loss_scale_factor: float | None
    gradient_accumulation_steps: int | None
    built: bool
    _iterations: int  # steps taken (with accumulation: steps, not updates)
    _warned_missing: bool
    _learning_rate: Any  # float, `LearningRateSchedule` or callable
    _variables: list[torch.Tensor]  # the weights the state was built for
    _averages: list[torch.Tensor]  # EMA of the weights (`use_ema`)
    _accumulated_gradients: list[torch.Tensor]  # `gradient_accumulation_steps`
    _exclude_ids: set[int]  # `exclude_from_weight_decay(var_list=...)`
    _exclude_pattern: re.Pattern | None  # `exclude_from_weight_decay(var_names=...)`

    def __init__(self, learning_rate=0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        check_arguments(gradient_accumulation_steps, use_ema, ema_momentum,
                        ema_overwrite_frequency, clipnorm, clipvalue, global_clipnorm)
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0
        self._variables: list[torch.Tensor] = []
        self._averages: list[torch.Tensor] = []
        self._accumulated_gradients: list[torch.Tensor] = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._warned_missing = False
        self.built = False
        self._learning_rate: Any = None
        if decay:
            # Keras 2's `decay`: lr / (1 + decay * iterations). (Keras 3 ignores it.)
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
        """The learning rate at the current step, a Python float (float32 value).

        Settable (`optimizer.learning_rate = 0.01`), the new value is used from the
        next step on; not settable to a number when it is a schedule (as Keras).
        """
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule) or (
            callable(value) and not isinstance(value, (torch.Tensor, np.ndarray))
        ):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        self._learning_rate = self._check_learning_rate(value)

    @staticmethod
    def _check_learning_rate(value) -> float:
        return check_learning_rate(value)

    def _current_learning_rate(self) -> float:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return _f32(_to_float(lr(self._iterations)))
        if callable(lr):
            return _f32(_to_float(lr()))
        return lr

    @property
    def lr(self) -> float:
        """Keras 2 alias of `learning_rate`."""
        return self.learning_rate

    @lr.setter
    def lr(self, value) -> None:
        self.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        """Number of optimizer updates so far, as an int64 scalar tensor.

        With `gradient_accumulation_steps=n` this counts updates (steps // n), as in
        Keras; the raw step count is `variables[0]`. Settable
        (`optimizer.iterations = 0`); with accumulation, setting `k` means `k * n` steps.
        """
        return torch.tensor(self._local_iterations(), dtype=torch.int64)

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

    def _local_iterations(self) -> int:
        """`iterations` as a Python int: what the update rules use as `t - 1`."""
        steps = self.gradient_accumulation_steps
        return self._iterations // steps if steps else self._iterations

    # ------------------------------------------------------------------ state
    def build(self, variables: Iterable[torch.Tensor]) -> None:
        """Creates the optimizer's state for `variables` (done by the first step)."""
        if self.built:
            return
        variables = list(variables)
        self._variables = variables
        self._averages = self._zeros_like(variables) if self.use_ema else []
        self._accumulated_gradients = (
            self._zeros_like(variables) if self.gradient_accumulation_steps else []
        )
        self._decay_flags = [self._use_weight_decay(v) for v in variables]
        self._all_decayed = [v for v, d in zip(variables, self._decay_flags, strict=True) if d]
        self._build_state(variables)
        self.built = True

    def is_built_for(self, variables: Iterable[torch.Tensor]) -> bool:
        """Whether the state was built for exactly `variables` (same objects, same order)."""
        variables = list(variables)
        return self.built and len(variables) == len(self._variables) and all(
            a is b for a, b in zip(variables, self._variables, strict=True))

    def rebuild(self, variables: Iterable[torch.Tensor]) -> None:
        """Discards the slots and builds fresh ones for `variables` (the step count is kept).

        `fit` calls it when a recompiled model trains another set of weights, as a new
        `compile` with a fresh optimizer would.
        """
        self.built = False
        self.build(variables)

    def step_from_grads(self) -> None:
        """One step with the `.grad` already on the built variables (after `loss.backward()`)."""
        self._step_from_grads()

    def _build_state(self, variables: list[torch.Tensor]) -> None:
        """Subclasses create their slot tensors here."""

    def _slot_variables(self) -> list:
        """Subclasses list their slots (tensors or `HostValue`s) in Keras' order."""
        return []

    # ------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes variables from weight decay (call before the optimizer is built).

        Args:
            var_list: Variables to exclude.
            var_names: Strings; variables whose `name` contains one of them are
                excluded (e.g. `["bias"]`).
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_ids = {id(v) for v in var_list} if var_list else set()
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if not getattr(variable, "_use_weight_decay", True):
            return False
        if self._exclude_pattern is not None:
            name = getattr(variable, "name", None)
            if isinstance(name, str) and self._exclude_pattern.search(name) is not None:
                return False
        return True

    # ------------------------------------------------------------------ steps
    def scale_loss(self, loss):
        """Multiplies `loss` by `loss_scale_factor` (if set), before the backward pass."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def apply_gradients(self, grads_and_vars) -> torch.Tensor:
        """Applies `(gradient, variable)` pairs: one optimizer step."""
        grads, variables = zip(*grads_and_vars, strict=True)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads: Sequence, trainable_variables: Sequence | None = None) -> None:
        """Applies one step of `grads` to `trainable_variables` (default: the built ones).

        Gradients that are `None` are skipped (with a warning).
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            if len(grads) != len(self._variables):
                raise ValueError(
                    f"Received a list of {len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._variables)} trainable variables."
                )
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
                "This optimizer can only be called for the variables it was originally built "
                "with; use a new optimizer instance for new variables."
            )
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Received {len(grads)} gradients for {len(trainable_variables)} variables."
            )
        indices, kept, missing = [], [], []
        for g, v in zip(grads, trainable_variables, strict=True):
            if g is None:
                missing.append(v)
                continue
            indices.append(index[id(v)])
            kept.append(g.detach() if isinstance(g, torch.Tensor)
                        else torch.as_tensor(np.asarray(g), dtype=v.dtype, device=v.device))
        self._check_gradients(kept, missing)
        if len(indices) == len(self._variables) and indices == list(range(len(indices))):
            self._step(self._variables, kept, None)
        else:
            self._step([self._variables[i] for i in indices], kept, indices)

    def _step_from_grads(self) -> None:
        """One step using the `.grad` of the built variables (the trainer's fast path)."""
        variables = self._variables
        if not variables:
            return
        grads = [v.grad for v in variables]
        if all(g is not None for g in grads):
            self._step(variables, grads, None)
            return
        indices = [i for i, g in enumerate(grads) if g is not None]
        kept = [grads[i] for i in indices]
        self._check_gradients(kept, [v for v, g in zip(variables, grads, strict=True) if g is None])
        self._step([variables[i] for i in indices], kept, indices)

    def _check_gradients(self, kept, missing) -> None:
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if missing and not self._warned_missing:
            self._warned_missing = True
            names = [getattr(v, "path", getattr(v, "name", "?")) for v in missing]
            warnings.warn(
                f"Gradients do not exist for variables {names} when minimizing the loss. "
                "If using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=3,
            )

    def _slots(self, slot_list: list, indices: list[int] | None) -> list:
        """The entries of `slot_list` for the variables being updated."""
        return slot_list if indices is None else [slot_list[i] for i in indices]

    @torch.no_grad()
    def _step(self, params: list[torch.Tensor], grads: list[torch.Tensor],
              indices: list[int] | None) -> None:
        if self.loss_scale_factor is not None:
            grads = foreach.div(grads, self.loss_scale_factor)
        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = self._slots(self._accumulated_gradients, indices)
            if (self._iterations + 1) % steps == 0:
                grads = foreach.add(grads, accumulators)
                foreach.div_(grads, steps)
                self._apply_update(params, grads, indices)
                foreach.mul_(self._accumulated_gradients, 0.0)
            else:
                foreach.add_(accumulators, grads, alpha=1.0)
        else:
            self._apply_update(params, grads, indices)
        if self.use_ema:
            self._update_moving_average()
        for p in params:
            constraint = getattr(p, "constraint", None)
            if constraint is not None:
                p.copy_(constraint(p))
        self._iterations += 1

    def _apply_update(self, params, grads, indices) -> None:
        grads = clip_gradients(grads, self.clipnorm, self.global_clipnorm, self.clipvalue)
        lr = self._current_learning_rate()
        if self.weight_decay:
            if indices is None:
                decayed = self._all_decayed
            else:
                decayed = [p for p, i in zip(params, indices, strict=True) if self._decay_flags[i]]
            if decayed:
                factor = _ONE - _F32(self.weight_decay) * _F32(lr)
                foreach.mul_(decayed, float(factor))
        self._update(params, grads, lr, indices)

    def _update(self, params: list[torch.Tensor], grads: list[torch.Tensor], lr: float,
                indices: list[int] | None) -> None:
        """The update rule: changes `params` (and the slots) in place."""
        raise NotImplementedError

    # -------------------------------------------------------------------- EMA
    def _update_moving_average(self) -> None:
        iterations = self._local_iterations()
        momentum = _F32(self.ema_momentum) if iterations != 0 else _F32(0.0)
        foreach.mul_(self._averages, float(momentum))
        foreach.add_(self._averages,
                            foreach.mul(self._variables, float(_ONE - momentum)))
        frequency = self.ema_overwrite_frequency
        if frequency and (iterations + 1) % frequency == 0:
            foreach.copy_(self._variables, self._averages)

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The constructor arguments, in Keras' order and with Keras' names."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = schedules_module.serialize(lr)
        elif callable(lr):
            lr = object_registry.serialize(lr)
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Creates an optimizer from `get_config()` output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name} learning_rate={self.learning_rate}>"


def _to_float(value) -> float:
    if isinstance(value, torch.Tensor):
        return float(value.detach().cpu())
    return float(value)
