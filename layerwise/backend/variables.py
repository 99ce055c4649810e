"""`Variable`: a `torch.nn.Parameter` with the Keras variable methods.

A layer's weights are `Variable`s, so they are ordinary parameters for plain
PyTorch code (optimizers, `state_dict`, DDP) and still answer the Keras calls
tutorials use (`w.numpy()`, `w.assign(...)`, `w.name`, `w.trainable`).
"""

from __future__ import annotations

import copy

import numpy as np
import torch


class Variable(torch.nn.Parameter):
    """A layer weight.

    Attributes:
        name: The weight's name inside its layer (`"kernel"`, `"bias"`, ...).
        path: `"<layer name>/<weight name>"`, as in Keras.
        trainable: Whether the optimizer updates it (when its layer is trainable).
        regularizer: Penalty added to the loss, or `None`.
        constraint: Projection applied after each optimizer step, or `None`.
    """

    def __new__(cls, data=None, requires_grad=True):
        return super().__new__(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        self._keras_name = "variable"
        self.path = "variable"
        self.trainable = bool(requires_grad)
        self.regularizer = None
        self.constraint = None

    @property
    def name(self) -> str:
        return self._keras_name

    @name.setter
    def name(self, value: str) -> None:
        self._keras_name = value

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(memory_format=torch.preserve_format), self.requires_grad)
        memo[id(self)] = result
        vars(result).update(copy.deepcopy(vars(self), memo))
        return result

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={str(self.dtype).replace('torch.', '')}, trainable={self.trainable}>"
        )

    def numpy(self) -> np.ndarray:
        """Returns a NumPy copy of the value."""
        return self.detach().cpu().numpy().copy()

    @property
    def value(self) -> torch.Tensor:
        """The live tensor (the variable itself), as `Variable.value` in Keras 3 on torch.

        Autograd fills its `.grad`, so custom training loops can read the gradients
        after `loss.backward()`:

        >>> import torch, layerwise as keras
        >>> layer = keras.layers.Dense(1)
        >>> loss = layer(torch.ones(2, 3)).sum()
        >>> loss.backward()
        >>> [tuple(w.value.grad.shape) for w in layer.trainable_weights]
        [(3, 1), (1,)]
        """
        return self

    def assign(self, value) -> Variable:
        """Sets the value in place (shape must match)."""
        value = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                f"'{self.path}' of shape {tuple(self.shape)}."
            )
        with torch.no_grad():
            self.copy_(value.to(device=self.device, dtype=self.dtype))
        return self

    def assign_add(self, value) -> Variable:
        """Adds `value` in place."""
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> Variable:
        """Subtracts `value` in place."""
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self
