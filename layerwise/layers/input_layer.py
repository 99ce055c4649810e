"""`InputLayer` and `Input`: where a model's data comes in."""

from __future__ import annotations

import torch

from layerwise.backend.config import to_torch_dtype
from layerwise.backend.keras_tensor import KerasTensor, Node
from layerwise.layers.layer import Layer


def _standardize_batch_shape(shape, batch_size, batch_shape, where: str):
    if batch_shape is not None:
        if shape is not None:
            raise ValueError(f"{where}: pass either `shape` or `batch_shape`, not both.")
        return tuple(None if d is None else int(d) for d in batch_shape)
    if shape is None:
        raise ValueError(
            f"{where}: `shape` is required, the shape of one sample without the batch "
            "dimension, e.g. `Input(shape=(784,))`."
        )
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"{where}: `shape` must be a tuple of integers (or None). Received: shape={shape!r}"
        ) from None
    if any(d is not None and d < 0 for d in shape):
        raise ValueError(
            f"{where}: `shape` must hold non-negative sizes, or None for a size known only "
            f"at run time. Received: shape={shape!r}"
        )
    return (batch_size, *shape)


class InputLayer(Layer):
    """The entry point of a model: holds the input's shape and dtype.

    Args:
        shape: Shape of one sample, without the batch dimension.
        batch_size: Optional fixed batch size.
        dtype: Dtype of the input (default `floatx()`).
        batch_shape: Full shape including the batch dimension (instead of `shape`).
        name: Optional name.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, **kwargs):
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("Sparse inputs are not supported by layerwise: pass dense arrays.")
        self._batch_shape = _standardize_batch_shape(shape, batch_size, batch_shape, "Input")
        # torch has no string dtype: string inputs (for `StringLookup`, `TextVectorization`)
        # are NumPy arrays of `str`/`bytes`, and their symbolic tensor has dtype "string".
        self._input_torch_dtype = "string" if dtype == "string" else to_torch_dtype(dtype)
        self.built = True
        self._build_input_shape = self._batch_shape
        tensor = KerasTensor(self._batch_shape, dtype=self._input_torch_dtype, name=self.name)
        Node(self, [], [tensor])
        self._inbound_nodes.append(tensor.node)

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return self._batch_shape

    def get_config(self):
        return {"batch_shape": list(self._batch_shape), "dtype": self.dtype, "sparse": False,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None) -> KerasTensor:
    """Creates a symbolic input tensor for a model.

    Args:
        shape: Shape of one sample, without the batch dimension, e.g. `(784,)`.
        batch_size: Optional fixed batch size.
        dtype: Dtype name (default `floatx()`).
        batch_shape: Full shape including the batch dimension (instead of `shape`).
        name: Optional name.

    Returns:
        A `KerasTensor` with `.shape == (None, *shape)`.

    Example:

    >>> import layerwise as keras
    >>> keras.Input(shape=(784,)).shape
    (None, 784)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name)
    return layer.output


_ = torch
