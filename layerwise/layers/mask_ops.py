"""The `keras.ops` nodes Keras 3 writes into functional configs when masks flow.

Keras 3 records the mask computations of `Embedding(mask_zero=True)` and
`Masking` (`NotEqual`, `Any`, ...) as operations of the graph, passed as
`mask=` to the next layer; these small layers rebuild them so such files load.
"""

from __future__ import annotations

import torch

from layerwise.backend.keras_tensor import KerasTensor
from layerwise.layers.layer import Layer


class _Op(Layer):
    _cast_inputs = False
    result_dtype = torch.bool

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name)
        self.op_config = kwargs

    def compute_output_spec(self, inputs, **kwargs):
        shape = self.compute_output_shape(tuple(inputs.shape))
        return KerasTensor(shape, dtype=self.result_dtype or inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"name": self.name, **self.op_config}


class NotEqual(_Op):
    def call(self, x1, x2=None):
        return torch.as_tensor(x1) != torch.as_tensor(x2)


class Equal(_Op):
    def call(self, x1, x2=None):
        return torch.as_tensor(x1) == torch.as_tensor(x2)


class _Reduce(_Op):
    reduce = staticmethod(torch.any)

    def call(self, x):
        axis = self.op_config.get("axis")
        keepdims = bool(self.op_config.get("keepdims", False))
        x = torch.as_tensor(x).bool()
        if axis is None:
            return self.reduce(x)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        for a in sorted((a % x.ndim for a in axes), reverse=True):
            x = self.reduce(x, dim=a, keepdim=keepdims)
        return x

    def compute_output_shape(self, input_shape):
        axis = self.op_config.get("axis")
        if axis is None:
            return ()
        axes = {a % len(input_shape) for a in (axis if isinstance(axis, (list, tuple)) else [axis])}
        if self.op_config.get("keepdims"):
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)


class Any(_Reduce):
    reduce = staticmethod(torch.any)


class All(_Reduce):
    reduce = staticmethod(torch.all)


class LogicalAnd(_Op):
    def call(self, x1, x2=None):
        return torch.logical_and(torch.as_tensor(x1), torch.as_tensor(x2))


class LogicalOr(_Op):
    def call(self, x1, x2=None):
        return torch.logical_or(torch.as_tensor(x1), torch.as_tensor(x2))


class LogicalNot(_Op):
    def call(self, x):
        return torch.logical_not(torch.as_tensor(x))


class ExpandDims(_Op):
    def call(self, x):
        return torch.unsqueeze(torch.as_tensor(x), self.op_config.get("axis", -1))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = self.op_config.get("axis", -1)
        shape.insert(axis % (len(shape) + 1), 1)
        return tuple(shape)


OPS = {cls.__name__: cls for cls in (NotEqual, Equal, Any, All, LogicalAnd, LogicalOr,
                                      LogicalNot, ExpandDims)}
