"""Layers that change pixel values at random: `RandomContrast`, `RandomBrightness`."""

from __future__ import annotations

import torch

from layerwise.layers.preprocessing.base import set_factor
from layerwise.layers.preprocessing.image_preprocessing.base import _hw_axes, _ImageLayer


class RandomContrast(_ImageLayer):
    """Randomly adjusts the contrast of each image during training:
    `(x - mean) * factor + mean`, per channel, clipped to `value_range`.

    Args:
        factor: Float or `(low, high)` in `[0, 1]`; the contrast factor is drawn from
            `[1 - low, 1 + high]` where a single float `f` means `low = 0, high = f`
            (as Keras 3 computes it).
        value_range: `(min, max)` of the images (default `(0, 255)`).
        seed: Integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomContrast(0.5, seed=0)(torch.rand(2, 4, 4, 3) * 255).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = set_factor(factor, (0, 1))
        self.value_range = value_range
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        batch = images.shape[0] if images.ndim == 4 else 1
        if not training:
            return {"contrast_factor": torch.zeros(batch, 1, 1, 1)}
        factor = self._uniform((batch, 1, 1, 1), 1.0 - self.factor[0], 1.0 + self.factor[1],
                               images.device, images.dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        h_axis, w_axis = _hw_axes(self.data_format)
        factor = torch.as_tensor(transformation["contrast_factor"], dtype=images.dtype,
                                 device=images.device).reshape(-1, 1, 1, 1)
        mean = images.mean(dim=(h_axis, w_axis), keepdim=True)
        out = (images - mean) * factor + mean
        return out.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomBrightness(_ImageLayer):
    """Randomly adds a brightness delta to each image during training, clipped to
    `value_range`.

    Args:
        factor: Float or `(low, high)` in `[-1, 1]`, a fraction of the value range:
            `0.2` adds a delta in `[-0.2, 0.2] * (max - min)`.
        value_range: `(min, max)` of the images (default `(0, 255)`).
        seed: Integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.RandomBrightness(0.2, seed=0)(torch.rand(2, 4, 4, 3) * 255).shape
    torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = set_factor(factor, (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)
        self._make_generator(seed)

    def get_random_transformation(self, images, training=True):
        batch = images.shape[0] if images.ndim == 4 else 1
        if not training:
            return {"rgb_delta": torch.zeros(batch, 1, 1, 1)}
        delta = self._uniform((batch, 1, 1, 1), self.factor[0], self.factor[1], images.device)
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        delta = torch.as_tensor(transformation["rgb_delta"], device=images.device).to(
            images.dtype).reshape(-1, 1, 1, 1)
        return (images + delta).clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config
