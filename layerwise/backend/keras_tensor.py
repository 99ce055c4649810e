"""Symbolic tensors: a shape and a dtype, and the layer call that produced them.

`layerwise.Input(shape=(784,))` returns a `KerasTensor`. Calling a layer on it
computes nothing: it builds the layer, infers the output shape and returns a
new `KerasTensor` that remembers the call (its `Node`), so models can be traced.
"""

from __future__ import annotations

import torch

from layerwise.backend.symbolic_dispatch import install_operators


class KerasTensor:
    """A symbolic tensor.

    Args:
        shape: Tuple with `None` for unknown dimensions (the batch dimension).
        dtype: torch dtype of the values.
        name: Optional name.

    Attributes:
        node: The `Node` (layer call) that produced this tensor.
        index: Which output of that call this tensor is.
    """

    def __init__(self, shape, dtype=torch.float32, name: str | None = None, node=None, index=0):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        dtype = str(self.dtype).replace("torch.", "")
        return f"<KerasTensor shape={self.shape}, dtype={dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError("A symbolic tensor has no length: its batch size is not known yet.")


class Node:
    """One call of a layer on symbolic tensors."""

    def __init__(self, layer, inputs: list[KerasTensor], outputs: list[KerasTensor], arguments=None,
                 input_structure=None):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.arguments = arguments or {}
        # The first call argument as given (a tensor, or a list/dict of tensors).
        self.input_structure = inputs[0] if input_structure is None and len(inputs) == 1 \
            else input_structure
        for i, out in enumerate(outputs):
            out.node = self
            out.index = i

    @property
    def is_input(self) -> bool:
        return not self.inputs

    @property
    def parent_nodes(self) -> list[Node]:
        return [t.node for t in self.inputs if t.node is not None]


def is_symbolic(x) -> bool:
    """Whether `x` (or any element of a list/tuple/dict `x`) is a `KerasTensor`."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(isinstance(v, KerasTensor) for v in x)
    if isinstance(x, dict):
        return any(isinstance(v, KerasTensor) for v in x.values())
    return False


# `x * 2`, `x[:, 0]`, ... build op layers; `layerwise.ops` registers the ops they call.
install_operators(KerasTensor)
