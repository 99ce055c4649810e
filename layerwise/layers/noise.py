"""Noise regularization layers: `SpatialDropout1D/2D/3D`, `GaussianNoise`,
`GaussianDropout`, `AlphaDropout`. All are the identity in inference mode.

With `seed=` a layer draws from its own torch generator (per device), so its
noise sequence is reproducible independently of other random draws;
without it, the global torch generator is used (seeded by
`keras.utils.set_random_seed`).
"""

from __future__ import annotations

import math

import torch

from layerwise.backend.config import standardize_data_format
from layerwise.layers.layer import Layer
from layerwise.layers.regularization import Dropout, _SeededMixin


def _check_rate(rate, name: str = "rate") -> float:
    if not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value received for argument `{name}`. Expected a float value between "
            f"0 and 1. Received: {name}={rate}"
        )
    return float(rate)


class _SpatialDropout(Dropout):
    """Drops whole feature maps: one keep/drop draw per (sample, channel)."""

    _rank = 1

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = standardize_data_format(data_format)

    def _noise_shape(self, inputs):
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel_axis = -1 if self.data_format == "channels_last" else 1
        shape[channel_axis] = inputs.shape[channel_axis]
        return shape

    def _check_input_compatibility(self, inputs):
        if len(inputs.shape) != self._rank + 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' ({type(self).__name__}) is incompatible: "
                f"expected ndim={self._rank + 2}, found ndim={len(inputs.shape)}."
            )

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return torch.zeros_like(inputs)
        keep = self._uniform(self._noise_shape(inputs), inputs) >= self.rate
        return inputs * (keep.to(inputs.dtype) / (1.0 - self.rate))

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        config.pop("trainable", None)  # Keras' SpatialDropout*D(...) refuses `trainable`
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of entire 1D feature maps (whole channels of `(batch, steps, channels)`).

    Args:
        rate: Fraction of the channels to drop, in `[0, 1]`.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> y = keras.layers.SpatialDropout1D(0.5, seed=1)(torch.ones(2, 4, 3), training=True)
    >>> bool(((y == 0).all(dim=1) | (y == 2).all(dim=1)).all())  # per channel
    True
    """

    _rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of entire 2D feature maps (whole channels of images).

    Args:
        rate: Fraction of the channels to drop, in `[0, 1]`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.SpatialDropout2D(0.5)(torch.ones(2, 4, 4, 3), training=False).sum()
    tensor(96.)
    """

    _rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, **kwargs)


class SpatialDropout3D(_SpatialDropout):
    """Dropout of entire 3D feature maps (whole channels of volumes).

    Args:
        rate: Fraction of the channels to drop, in `[0, 1]`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.SpatialDropout3D(0.2)(torch.ones(1, 2, 2, 2, 3)).shape
    torch.Size([1, 2, 2, 2, 3])
    """

    _rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, **kwargs)


class GaussianNoise(_SeededMixin, Layer):
    """Adds zero-centered Gaussian noise with standard deviation `stddev` (training only).

    Args:
        stddev: Standard deviation of the noise, in `[0, 1]`.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> layer = keras.layers.GaussianNoise(0.1)
    >>> bool((layer(torch.ones(4), training=False) == 1).all())
    True
    """

    _config_keys = ("stddev", "seed")

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = _check_rate(stddev, "stddev")
        self.seed = seed
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + self._normal(inputs.shape, inputs, 0.0, self.stddev)
        return inputs



class GaussianDropout(_SeededMixin, Layer):
    """Multiplies by 1-centered Gaussian noise of stddev `sqrt(rate / (1 - rate))` (training only).

    Args:
        rate: Drop probability, as for `Dropout`, in `[0, 1]`.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GaussianDropout(0.2)(torch.ones(3), training=False)
    tensor([1., 1., 1.])
    """

    _config_keys = ("rate", "seed")

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate = _check_rate(rate)
        self.seed = seed
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * self._normal(inputs.shape, inputs, 1.0, stddev)
        return inputs



class AlphaDropout(_SeededMixin, Layer):
    """Dropout that keeps the mean and variance of its inputs (for SELU networks).

    Dropped units are set to SELU's negative saturation value, then an affine
    correction restores the mean and variance (Klambauer et al., 2017).

    Args:
        rate: Fraction of the inputs to drop, in `[0, 1]`.
        noise_shape: Optional shape of the keep/drop mask, broadcast against
            the input (`None` entries take the input's size).
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.AlphaDropout(0.1)(torch.ones(3), training=False)
    tensor([1., 1., 1.])
    """

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    _config_keys = ("rate", "noise_shape", "seed")

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate = _check_rate(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            shape = inputs.shape
        else:
            shape = [inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        alpha_p = -self._ALPHA * self._SCALE
        kept = (self._uniform(shape, inputs) >= self.rate).to(inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

