"""Activation layers: `ReLU`, `LeakyReLU`, `PReLU`, `ELU`, `Softmax`.

Each computes exactly what the Keras 3 layer of the same name computes.
"""

from __future__ import annotations

import warnings

import torch

from layerwise import activations
from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise.layers.layer import Layer


class _ActivationLayer(Layer):
    """Base of the activation layers: masks pass through and the output has the input's
    shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_ActivationLayer):
    """Rectified linear unit layer: `activations.relu` with the layer's arguments.

    Args:
        max_value: Optional non-negative cap of the output.
        negative_slope: Non-negative slope below the threshold (default 0).
        threshold: Non-negative threshold below which values are damped (default 0).
        **kwargs: Base layer arguments (`name`, `dtype`, ...).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ReLU(max_value=1.0)(torch.tensor([-3.0, 0.5, 2.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """

    _config_keys = ("max_value", "negative_slope", "threshold")

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be None or a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)


class LeakyReLU(_ActivationLayer):
    """Leaky ReLU layer: `x` for `x >= 0`, `negative_slope * x` otherwise.

    Args:
        negative_slope: Non-negative slope of the negative part (default 0.3,
            Keras' layer default; the function's default is 0.2). The Keras 2
            name `alpha` is accepted with a warning.
        **kwargs: Base layer arguments.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.LeakyReLU()(torch.tensor([-1.0, 2.0]))
    tensor([-0.3000,  2.0000])
    """

    _config_keys = ("negative_slope",)

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                f"value. Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)


class PReLU(_ActivationLayer):
    """Parametric ReLU: `x` for `x >= 0`, `alpha * x` otherwise, with a learned `alpha`.

    Args:
        alpha_initializer: Initializer of the weights (default zeros).
        alpha_regularizer: Optional regularizer of the weights.
        alpha_constraint: Optional constraint of the weights.
        shared_axes: Axes (1-based, batch excluded) along which `alpha` is
            shared, e.g. `[1, 2]` for one slope per channel of an image.
        **kwargs: Base layer arguments.

    Input shape: any. Output shape: the input's. Weights: `alpha` of shape
    `input_shape[1:]`, with size 1 on the shared axes.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.1))
    >>> layer(torch.tensor([[-2.0, 3.0]]))
    tensor([[-0.2000,  3.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers_module.get(alpha_initializer)
        self.alpha_regularizer = regularizers_module.get(alpha_regularizer)
        self.alpha_constraint = constraints_module.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"PReLU layer '{self.name}': the non-shared axes of the input must be known. "
                f"Received input_shape={tuple(input_shape)}; use `shared_axes` for the others."
            )
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        pos = activations.relu(inputs)
        neg = -self.alpha * activations.relu(-inputs)
        return pos + neg

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers_module.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers_module.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints_module.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config


class ELU(_ActivationLayer):
    """Exponential linear unit layer: `x` if `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        alpha: Scale of the negative part (default 1).
        **kwargs: Base layer arguments.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.ELU()(torch.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """

    _config_keys = ("alpha",)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)


def _large_negative_number(dtype: torch.dtype) -> float:
    return -30000.0 if dtype == torch.float16 else -1e9


class Softmax(_ActivationLayer):
    """Softmax layer over `axis` (an int, or a tuple of axes normalized together).

    Call arguments:
        inputs: The logits.
        mask: Optional boolean mask broadcastable to `inputs`; masked entries
            get probability 0.

    Args:
        axis: The axis (or axes) the probabilities sum to 1 over (default -1).
        **kwargs: Base layer arguments.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Softmax()(torch.tensor([[1.0, 1.0]]))
    tensor([[0.5000, 0.5000]])
    >>> keras.layers.Softmax()(torch.tensor([[1.0, 1.0]]), mask=torch.tensor([[True, False]]))
    tensor([[1., 0.]])
    """

    _config_keys = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = torch.as_tensor(mask, device=inputs.device)
            if mask.ndim > inputs.ndim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs` and must not have more "
                    f"dimensions. Received: inputs.shape={tuple(inputs.shape)}, "
                    f"mask.shape={tuple(mask.shape)}"
                )
            for m_dim, i_dim in zip(reversed(mask.shape), reversed(inputs.shape), strict=False):
                if m_dim != 1 and m_dim != i_dim:
                    raise ValueError(
                        "The `mask` must be broadcastable to `inputs`. Each mask dimension "
                        "must be 1 or match the corresponding input dimension. Received: "
                        f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}"
                    )
            if mask.dtype != torch.bool:
                mask = mask > torch.tensor(0.5, dtype=mask.dtype)
            inputs = torch.where(mask, inputs, torch.tensor(
                _large_negative_number(inputs.dtype), dtype=inputs.dtype, device=inputs.device))
        if isinstance(self.axis, (tuple, list)):
            if len(self.axis) > 1:
                outputs = torch.exp(inputs - torch.logsumexp(inputs, dim=tuple(self.axis),
                                                             keepdim=True))
            else:
                outputs = activations.softmax(inputs, axis=self.axis[0])
        else:
            outputs = activations.softmax(inputs, axis=self.axis)
        if mask is not None:
            outputs = torch.where(mask, outputs, torch.tensor(0.0, dtype=outputs.dtype,
                                                              device=outputs.device))
        return outputs
