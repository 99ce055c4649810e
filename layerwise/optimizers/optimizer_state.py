"""The saved state of an optimizer: `variables`, `get_weights` / `set_weights` and
Keras' `save_own_variables` / `load_own_variables` layout.

`Optimizer` (`optimizer.py`) inherits `OptimizerState`. Slot tensors are the
optimizer's own; the step count and the learning rate live on the host and appear
as `HostValue`s (scalar tensors on reading, `assign` on loading).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch


class HostValue:
    """A piece of optimizer state kept on the host (step count, learning rate, ...).

    It appears in `Optimizer.variables` as a scalar tensor (`value()`) and can be
    set back (`assign`), like the Keras variable it stands for.
    """

    def __init__(self, name: str, getter: Callable[[], Any], setter: Callable[[Any], None],
                 dtype: torch.dtype):
        self.name = name
        self._getter = getter
        self._setter = setter
        self.dtype = dtype

    def value(self) -> torch.Tensor:
        return torch.tensor(self._getter(), dtype=self.dtype)

    def assign(self, value) -> None:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        value = np.asarray(value)
        if value.shape != ():
            raise ValueError(
                f"Optimizer variable '{self.name}' is a scalar; received a value of shape "
                f"{value.shape}."
            )
        self._setter(value.item())


class OptimizerState:
    """Slot creation helpers and the optimizer state in Keras 3's order (a mixin).

    Relies on the attributes `Optimizer.__init__` / `build` set (`_iterations`,
    `_learning_rate`, `_averages`, `_accumulated_gradients`, `built`, `name`) and on
    the subclass' `_slot_variables()`.
    """

    _iterations: int
    _learning_rate: Any
    _averages: list[torch.Tensor]
    _accumulated_gradients: list[torch.Tensor]
    built: bool
    name: str
    use_ema: bool

    def _zeros_like(self, variables) -> list[torch.Tensor]:
        return [torch.zeros_like(v, memory_format=torch.preserve_format).detach()
                for v in variables]

    def _full_like(self, variables, value: float) -> list[torch.Tensor]:
        return [torch.full_like(v, value, memory_format=torch.preserve_format).detach()
                for v in variables]

    def _variable_entries(self) -> list:
        entries: list = [HostValue("iteration", lambda: self._iterations,
                                   self._set_iterations, torch.int32)]
        if not callable(self._learning_rate):
            entries.append(HostValue("learning_rate", lambda: self._learning_rate,
                                     self._set_learning_rate_value, torch.float32))
        if self.built:
            entries += self._averages + self._accumulated_gradients + self._slot_variables()
        return entries

    def _set_iterations(self, value) -> None:
        self._iterations = int(value)

    def _set_learning_rate_value(self, value) -> None:
        self._learning_rate = self._check_learning_rate(value)

    @property
    def variables(self) -> list[torch.Tensor]:
        """The optimizer state, in Keras 3's order.

        `[iteration, learning_rate, *ema_averages, *gradient_accumulators,
        *slots]` (no `learning_rate` entry with a schedule). Slot tensors are the
        optimizer's own (in-place changes are seen by it); the step count and the
        learning rate are fresh scalar tensors: load values with `set_weights`.
        """
        return [e.value() if isinstance(e, HostValue) else e for e in self._variable_entries()]

    def set_weights(self, weights: Sequence) -> None:
        """Sets the optimizer state from values in the order of `variables`."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        entries = self._variable_entries()
        if len(weights) != len(entries):
            raise ValueError(
                f"The optimizer has {len(entries)} variables; received {len(weights)} values."
            )
        for i, (entry, value) in enumerate(zip(entries, weights, strict=True)):
            if isinstance(entry, HostValue):
                entry.assign(value)
                continue
            value = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor)
                                    else np.asarray(value))
            if tuple(value.shape) != tuple(entry.shape):
                raise ValueError(
                    f"Optimizer variable {i} has shape {tuple(entry.shape)} not compatible with "
                    f"provided weight shape {tuple(value.shape)}."
                )
            with torch.no_grad():
                entry.copy_(value.to(device=entry.device, dtype=entry.dtype))

    def get_weights(self) -> list[np.ndarray]:
        """The values of `variables`, as NumPy arrays."""
        return [v.detach().cpu().numpy().copy() for v in self.variables]

    def save_own_variables(self, store) -> None:
        """Writes the state into `store` (`{"0": array, "1": array, ...}`), as Keras."""
        for i, value in enumerate(self.get_weights()):
            store[str(i)] = value

    def load_own_variables(self, store) -> None:
        """Reads the state written by `save_own_variables` (Keras' format)."""
        n = len(self._variable_entries())
        if len(store.keys()) != n:
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                   f"{n} variables whereas the saved optimizer has {len(store.keys())} "
                   "variables. ")
            if not self.built:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        self.set_weights([store[str(i)] for i in range(n)])

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        """Writes the moving averages into the weights (with `use_ema`; else nothing).

        `fit()` calls it after the last epoch.
        """
        if not self.use_ema:
            return
        var_list = list(var_list)
        if len(var_list) != len(self._averages):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) to override does not match "
                "the length of model variables stored in the optimizer "
                f"({len(self._averages)}). Please check if the optimizer was called on your "
                "model."
            )
        with torch.no_grad():
            for var, average in zip(var_list, self._averages, strict=True):
                var.copy_(average)
