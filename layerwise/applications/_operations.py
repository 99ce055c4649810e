"""Graph operations that Keras 3 records as ops, not layers (`x + 3.0`, `x * (1 / 6)`).

Keras' MobileNetV3 writes `hard_sigmoid` as `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)` and
ConvNeXt its residual sum as `inputs + layer(x)`: the
arithmetic on symbolic tensors becomes graph *operations*, which take part in the
model's computation but are not listed in `model.layers` and own no weights.
`ScalarOperation` and `AddOperation` are that: weightless layers marked
`_is_operation = True`, which
`Model.layers` leaves out, so layer names, order and weight files match Keras.
"""

from __future__ import annotations

from layerwise.backend.naming import uniquify
from layerwise.layers.layer import Layer
from layerwise.registry.registration import register_keras_serializable

_NAMES = {"add": "add", "multiply": "multiply"}


@register_keras_serializable(package="layerwise.applications")
class ScalarOperation(Layer):
    """`inputs + value` (`op="add"`) or `inputs * value` (`op="multiply"`) as a graph op.

    Args:
        op: `"add"` or `"multiply"`.
        value: The Python scalar.
    """

    _is_operation = True

    def __init__(self, op: str, value: float, **kwargs):
        if op not in _NAMES:
            raise ValueError(f"`op` must be 'add' or 'multiply'. Received: op={op!r}")
        kwargs.setdefault("name", uniquify(_NAMES[op]))
        super().__init__(**kwargs)
        self.op = op
        self.value = float(value)

    def call(self, inputs):
        return inputs + self.value if self.op == "add" else inputs * self.value

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "op": self.op, "value": self.value}


@register_keras_serializable(package="layerwise.applications")
class AddOperation(Layer):
    """`a + b` of two symbolic tensors as a graph op (Keras' `KerasTensor.__add__`)."""

    _is_operation = True

    def __init__(self, **kwargs):
        kwargs.setdefault("name", uniquify("add"))
        super().__init__(**kwargs)

    def call(self, inputs):
        return inputs[0] + inputs[1]

    def compute_output_shape(self, input_shape):
        return input_shape[0]
