"""Deferred evaluation of symbolic tensors: the engine of Keras 2's `K.function`/`K.gradients`.

A `KerasTensor` remembers the layer call (`Node`) that produced it, so its value can be
computed later from values of the graph's inputs: walk back from the requested outputs,
call each node's layer on the values of its inputs, memoize. A `K.gradients` result is
a `KerasTensor` whose node is a `Gradient`: its value is `torch.autograd.grad` of the
loss value with respect to the target value, taken during the same evaluation.

This needs nothing above `backend`: layers are only called (`node.layer(...)`), never
imported, so the Keras 2 API lives here without an upward import.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.backend.keras_tensor import KerasTensor, Node
from layerwise.backend.structure import map_leaves


class Gradient:
    """The node "layer" of a `K.gradients` result: d(sum of `loss`) / d(`target`)."""

    name = "gradients"

    def __init__(self, loss: KerasTensor, target):
        self.loss = loss
        self.target = target
        self._inbound_nodes: list[Node] = []


def gradients(loss, variables) -> list:
    """Symbolic gradients of `loss` (summed) with respect to each of `variables`.

    Args:
        loss: A scalar (or any) `KerasTensor` computed from the model's inputs.
        variables: A `KerasTensor` (e.g. `model.input`), a weight, or a list of them.

    Returns:
        A list of `KerasTensor`s, one per variable, evaluated by `function`.
    """
    targets = variables if isinstance(variables, (list, tuple)) else [variables]
    if not isinstance(loss, KerasTensor):
        if not isinstance(loss, torch.Tensor):
            raise TypeError(f"`loss` must be a symbolic or torch tensor. Received {loss!r}.")
        grads = torch.autograd.grad(loss.sum(), list(targets), allow_unused=True)
        return [torch.zeros_like(t) if g is None else g for g, t in zip(grads, targets)]
    out = []
    for target in targets:
        op = Gradient(loss, target)
        inputs = [loss] + ([target] if isinstance(target, KerasTensor) else [])
        result = KerasTensor(tuple(target.shape), dtype=target.dtype, name="gradients")
        op._inbound_nodes.append(Node(op, inputs, [result]))  # the node `result` points to
        out.append(result)
    return out


def _as_input(value, tensor: KerasTensor) -> torch.Tensor:
    value = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    dtype = tensor.dtype if tensor.dtype is not None else to_torch_dtype(floatx())
    value = value.to(dtype)
    if value.is_floating_point():
        value = value.detach().requires_grad_(True)
    return value


def evaluate(outputs: list, feed: dict[int, torch.Tensor]) -> list:
    """Values of `outputs` (KerasTensors or constants) given `{id(input): value}`."""
    values = dict(feed)

    def value_of(t):
        if not isinstance(t, KerasTensor):
            return t
        if id(t) in values:
            return values[id(t)]
        node = t.node
        if node is None or node.is_input:
            raise ValueError(f"No value was given for the input {t}: add it to the inputs "
                             "of `K.function` and pass its value.")
        if isinstance(node.layer, Gradient):
            result = _gradient(node.layer, value_of)
        else:
            args = map_leaves(value_of, node.input_structure)
            result = node.layer(args, training=False, **node.arguments)
        flat = result if isinstance(result, (list, tuple)) else [result]
        for kt, v in zip(node.outputs, flat):
            values[id(kt)] = v
        return values[id(t)]

    with torch.enable_grad():
        return [value_of(t) for t in outputs]


def _gradient(op: Gradient, value_of) -> torch.Tensor:
    loss = value_of(op.loss)
    target = value_of(op.target)
    if not loss.requires_grad:
        return torch.zeros_like(target)
    (grad,) = torch.autograd.grad(loss.sum(), target, retain_graph=True, create_graph=True,
                                  allow_unused=True)
    return torch.zeros_like(target) if grad is None else grad


class Function:
    """`K.function(inputs, outputs)`: call it with input values, get NumPy outputs."""

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        if updates:
            raise ValueError("`updates` are not supported: apply the updates in your loop "
                             "(e.g. `x += step * grads_value`) instead.")
        self.inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        self.name = name

    def __call__(self, inputs):
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(f"This function takes {len(self.inputs)} input(s); received "
                             f"{len(values)}.")
        feed = {id(t): _as_input(v, t) for t, v in zip(self.inputs, values)
                if isinstance(t, KerasTensor)}
        results = evaluate(self.outputs, feed)
        arrays = [_to_numpy(r) for r in results]
        return arrays[0] if self._single else arrays


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def function(inputs, outputs, updates=None, name=None, **kwargs) -> Function:
    """Keras 2's `K.function`: a callable computing `outputs` from `inputs` values.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> from layerwise import backend as K
    >>> x = keras.Input((3,))
    >>> loss = K.mean(K.square(x))
    >>> f = K.function([x], [loss, K.gradients(loss, x)[0]])
    >>> [np.asarray(v, dtype=float).round(3).tolist() for v in f([np.ones((1, 3))])]
    [1.0, [[0.667, 0.667, 0.667]]]
    """
    return Function(inputs, outputs, updates=updates, name=name, **kwargs)
