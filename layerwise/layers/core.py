"""Core layers: `Dense`, `Activation`, `Identity`."""

from __future__ import annotations

import torch

from layerwise import activations as activations_module
from layerwise.layers.kernel_grad_sink import sinked_linear
from layerwise.layers.layer import Layer
from layerwise.layers.weight_config import (
    add_bias,
    add_kernel,
    kernel_bias_config,
    set_weight_args,
)


class Dense(Layer):
    """Densely-connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: Dimension of the output.
        activation: Activation name or callable (default: none).
        use_bias: Whether to add a bias vector.
        kernel_initializer: Initializer of the `(input_dim, units)` kernel.
        bias_initializer: Initializer of the bias.
        kernel_regularizer, bias_regularizer: Optional weight penalties.
        activity_regularizer: Optional penalty on the output.
        kernel_constraint, bias_constraint: Optional projections after each step.

    Input shape: `(batch, ..., input_dim)`. Output shape: `(batch, ..., units)`.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.Dense(4, activation="relu")
    >>> layer(torch.ones(2, 3)).shape
    torch.Size([2, 4])
    >>> layer.kernel.shape
    torch.Size([3, 4])
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Dense: `units` must be a positive integer. Received: units={units!r}"
            )
        self.units = units
        self.activation = activations_module.get(activation)
        self.use_bias = use_bias
        set_weight_args(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec_dim = None
        # Set by `fit` for plain SGD (`layers/kernel_grad_sink.py`); `None` otherwise.
        self._kernel_grad_sink = None

    def build(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(
                f"Dense layer '{self.name}' needs inputs of rank 1 or more (it maps the last "
                f"axis to {self.units} units). Received a 0-d input: input_shape=()."
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense layer '{self.name}': the last dimension of the input must be known. "
                f"Received input_shape={tuple(input_shape)}."
            )
        self.input_spec_dim = int(input_dim)
        self.kernel = add_kernel(self, (input_dim, self.units))
        self.bias = add_bias(self, self.units)
        self.built = True

    def _check_width(self, width) -> None:
        if width != self.input_spec_dim:
            raise ValueError(
                f"Input to layer '{self.name}' has the wrong width: expected the last axis "
                f"to be {self.input_spec_dim} (the layer was built for inputs of shape "
                f"{self._build_input_shape}), received {width}. Reshape the data or rebuild "
                "the model for this input size."
            )

    def _check_input_compatibility(self, inputs):
        self._check_width(inputs.shape[-1])

    def call(self, inputs):
        if inputs.shape[-1] != self.input_spec_dim:
            self._check_width(inputs.shape[-1])
        sink = self._kernel_grad_sink
        if sink is not None and sink.active and inputs.ndim == 2 and torch.is_grad_enabled():
            x = sinked_linear(inputs, self.kernel, self.bias, sink)
        elif inputs.ndim == 2 and self.bias is not None:
            x = torch.addmm(self.bias, inputs, self.kernel)
        else:
            x = torch.matmul(inputs, self.kernel)
            if self.bias is not None:
                x = x + self.bias
        if self.activation is activations_module.linear:
            return x
        if self.activation is activations_module.relu and not torch.is_grad_enabled():
            return x.relu_()  # inference: `x` is this call's own buffer, no second one
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            **kernel_bias_config(self),
        })
        return config


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: Activation name (`"relu"`) or callable.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Activation("relu")(torch.tensor([-1.0, 1.0]))
    tensor([0., 1.])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations_module.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations_module.serialize(self.activation)
        return config


class Identity(Layer):
    """Returns its input unchanged."""

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
