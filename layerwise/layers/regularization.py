"""Regularization layers: `Dropout`, `ActivityRegularization`."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise import regularizers
from layerwise.layers.layer import Layer


class _SeededMixin:
    """The random regularization layers: a per-device torch generator when the layer has
    a seed and the identity output shape (`Layer.get_config` adds `_config_keys`)."""

    def compute_output_shape(self, input_shape):
        return input_shape

    def _generator(self, device) -> torch.Generator | None:
        if self.seed is None:
            return None
        generators = self.__dict__.setdefault("_generators", {})
        key = str(device)
        if key not in generators:
            generator = torch.Generator(device=device)
            generator.manual_seed(int(self.seed))
            generators[key] = generator
        return generators[key]

    def _uniform(self, shape, like: torch.Tensor) -> torch.Tensor:
        return torch.rand(shape, dtype=like.dtype, device=like.device,
                          generator=self._generator(like.device))

    def _normal(self, shape, like: torch.Tensor, mean: float, stddev: float) -> torch.Tensor:
        out = torch.randn(shape, dtype=like.dtype, device=like.device,
                          generator=self._generator(like.device))
        if stddev != 1.0:
            out = out * stddev
        if mean != 0.0:
            out = out + mean
        return out


class Dropout(_SeededMixin, Layer):
    """Randomly sets a fraction `rate` of inputs to 0 during training, scaling the rest.

    Args:
        rate: Fraction of the inputs to drop, in `[0, 1)`.
        noise_shape: Optional shape of the binary mask, broadcast against the input
            (`None` entries take the input's size).
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Dropout(0.5)(torch.ones(2, 2), training=False)
    tensor([[1., 1.],
            [1., 1.]])
    """

    _config_keys = ("rate", "noise_shape", "seed")

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Dropout: `rate` must be in [0, 1]. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        shape = inputs.shape if self.noise_shape is None else [
            inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        keep = torch.rand(shape, device=inputs.device, generator=self._generator(inputs.device))
        return inputs * (keep >= self.rate).to(inputs.dtype) / (1.0 - self.rate)

class ActivityRegularization(Layer):
    """Adds `l1 * sum(|x|) + l2 * sum(x**2)` of its input to the training loss."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
