"""The three small layers Keras defines inside its application modules.

`LayerScale` and `StochasticDepth` (ConvNeXt, `keras.src.applications.convnext`)
and `CustomScaleLayer` (InceptionResNetV2). They are registered under Keras'
class names so configs written by Keras deserialize to them.
"""

from __future__ import annotations

import torch

from layerwise import initializers
from layerwise.layers.layer import Layer
from layerwise.registry.registration import register_keras_serializable


@register_keras_serializable(package="layerwise.applications")
class LayerScale(Layer):
    """Multiplies the last axis by a learned vector `gamma` (CaiT, arXiv:2103.17239).

    Args:
        init_values: Initial value of every entry of `gamma`.
        projection_dim: Size of the last axis (the length of `gamma`).

    Example:

    >>> import torch
    >>> LayerScale(0.5, 3)(torch.ones(1, 3))
    tensor([[0.5000, 0.5000, 0.5000]], grad_fn=<MulBackward0>)
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True, name="gamma")
        self.built = True

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


@register_keras_serializable(package="layerwise.applications")
class StochasticDepth(Layer):
    """Drops the residual branch of each sample with probability `drop_path_rate` in training.

    As Keras' code does: one draw per sample, kept values scaled by
    `1 / keep_prob`. At inference the input passes unchanged.

    Args:
        drop_path_rate: Probability of dropping the branch, in `[0, 1]`.
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= drop_path_rate <= 1:
            raise ValueError(
                "`drop_path_rate` must be in [0, 1]. Received: "
                f"drop_path_rate={drop_path_rate}")
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training or self.drop_path_rate == 0:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = torch.floor(keep_prob + torch.rand(shape, device=x.device, dtype=x.dtype))
        return (x / keep_prob) * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


@register_keras_serializable(package="layerwise.applications")
class CustomScaleLayer(Layer):
    """`inputs[0] + inputs[1] * scale`: InceptionResNetV2's scaled residual sum.

    Args:
        scale: The residual's scale factor.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
