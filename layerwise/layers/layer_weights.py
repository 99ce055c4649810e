"""The weights and losses of a layer: `add_weight`, the weight lists, `get_weights` /
`set_weights`, `count_params`, `add_loss` and `losses`.

`Layer` (`layers/layer.py`) inherits them from `LayerWeights`, as Keras' `Layer` gets
them from its tracking code. The mixin relies on the state `Layer.__init__` sets
(`_trainable_variables`, `_non_trainable_variables`, `_losses`, `_build_device`, ...)
and on `Layer._flatten_layers` / `_direct_sublayers` for the layers inside.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise import tree
from layerwise.backend import call_context
from layerwise.backend.config import to_torch_dtype
from layerwise.backend.variables import Variable


class LayerWeights:
    """Weight creation, the weight lists and the loss terms of a `Layer` (a mixin)."""

    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        regularizer=None,
        constraint=None,
        name: str | None = None,
        **kwargs,
    ) -> Variable:
        """Creates a weight of this layer.

        Args:
            shape: Shape tuple (default: a scalar).
            initializer: Name or initializer object (default `"glorot_uniform"`
                for floating weights, `"zeros"` otherwise).
            dtype: Dtype name (default: the layer's dtype).
            trainable: Whether the optimizer updates it.
            regularizer: Name or object; its penalty joins the training loss.
            constraint: Name or object; applied after each optimizer step.
            name: The weight's name inside the layer.

        Returns:
            The new `Variable`, registered as a parameter of this module.
        """
        shape = () if shape is None else tuple(int(d) for d in shape)
        torch_dtype = to_torch_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if torch_dtype.is_floating_point else "zeros"
        initializer = initializers_module.get(initializer)
        value = initializer(shape, dtype=torch_dtype)
        value = torch.as_tensor(value, dtype=torch_dtype)
        if self._build_device is not None:
            value = value.to(self._build_device)
        variable = Variable(value, requires_grad=bool(trainable) and self._trainable)
        base = name or "variable"
        attr_name, i = base, 1
        while attr_name in self._parameters or hasattr(type(self), attr_name):
            attr_name, i = f"{base}_{i}", i + 1
        variable.name = base
        variable.path = f"{self.name}/{base}"
        variable.trainable = bool(trainable)
        variable.regularizer = regularizers_module.get(regularizer)
        variable.constraint = constraints_module.get(constraint)
        self.register_parameter(attr_name, variable)
        if trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        return variable

    @property
    def weights(self) -> list[Variable]:
        """All weights: own trainable, own non-trainable, then sublayers', in Keras order."""
        out, seen = [], set()
        for w in self._trainable_variables + self._non_trainable_variables:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._direct_sublayers():
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        out = list(self._trainable_variables)
        for layer in self._direct_sublayers():
            out.extend(w for w in layer.trainable_weights if all(w is not o for o in out))
        return out

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        out = list(self._non_trainable_variables)
        for layer in self._direct_sublayers():
            out.extend(w for w in layer.non_trainable_weights if all(w is not o for o in out))
        return out

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Returns the weights as NumPy arrays, in Keras order and layout."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Sets the weights from NumPy arrays, in the order and layout of `get_weights`."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expects {len(own)} weight arrays "
                f"({[tuple(w.shape) for w in own]}), but received {len(weights)}."
            )
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight '{variable.name}' has shape "
                    f"{tuple(variable.shape)}; received an array of shape {tuple(value.shape)}."
                )
            variable.assign(value)

    def count_params(self) -> int:
        """Number of scalars in this layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. Build it first by calling it on data or with `build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    def add_loss(self, loss) -> None:
        """Adds a loss term (a scalar tensor) to this call's training loss."""
        context = call_context.current()
        call_id = context.call_id if context is not None else 0
        if call_id != self._losses_call_id:
            self._losses = []
            self._losses_call_id = call_id
        self._losses.append(loss)
        if context is not None:
            context.losses.append(loss)

    def _add_activity_losses(self, outputs) -> None:
        """Adds the activity regularizer's penalty of each output tensor to the losses."""
        for out in tree.flatten(outputs):
            if isinstance(out, torch.Tensor):
                penalty = self.activity_regularizer(out)
                if out.ndim > 0 and out.shape[0] > 0:
                    # Keras 3 divides by the batch size, so the strength does not
                    # depend on it.
                    penalty = penalty / out.shape[0]
                self.add_loss(penalty)

    @property
    def losses(self) -> list[torch.Tensor]:
        """Loss terms of the last call (activity regularization, `add_loss`) plus
        the weight regularization penalties, for this layer and the layers inside it."""
        last = call_context.last()
        last_id = last.call_id if last is not None else 0
        out = []
        for layer in self._flatten_layers(include_self=True):
            if layer._losses_call_id in (last_id, 0):
                out.extend(layer._losses)
            for w in layer._trainable_variables + layer._non_trainable_variables:
                if w.regularizer is not None:
                    out.append(w.regularizer(w))
        return out
