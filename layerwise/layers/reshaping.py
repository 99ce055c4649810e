"""Reshaping layers: `Flatten`, `Reshape`, `Permute`, `RepeatVector`."""

from __future__ import annotations

import math

import torch

from layerwise.backend.config import standardize_data_format
from layerwise.layers.layer import Layer


class Flatten(Layer):
    """Flattens each sample to a vector, in channels-last order.

    Args:
        data_format: `"channels_last"` (default) or `"channels_first"`; with
            channels-first input the channels are moved last before flattening,
            so Dense weights line up with Keras.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Flatten()(torch.ones(2, 3, 4)).shape
    torch.Size([2, 12])
    """

    _config_keys = ("data_format",)

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.permute(0, *range(2, inputs.ndim), 1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Reshape((3, 4))(torch.ones(2, 12)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(
                f"Reshape: at most one dimension of `target_shape` may be -1. "
                f"Received: target_shape={self.target_shape}"
            )

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (
            f"Reshape layer '{self.name}': cannot reshape input of shape {tuple(input_shape)} "
            f"({math.prod(input_shape[1:])} values per sample) to target_shape="
            f"{self.target_shape}."
        )

    def _check_input_compatibility(self, inputs):
        self._resolve(inputs.shape)

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], *self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(tuple(input_shape)))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Permute(Layer):
    """Permutes the non-batch axes; `dims` are 1-based (`(2, 1)` swaps the first two).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Permute((2, 1))(torch.ones(2, 3, 4)).shape
    torch.Size([2, 4, 3])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Permute: `dims` must be a permutation of 1..n (the batch axis is not "
                f"included). Received: dims={self.dims}"
            )

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: `(batch, n, features)`."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector: `n` must be a positive integer. Received: n={n!r}")
        self.n = n

    def _check_input_compatibility(self, inputs):
        if len(inputs.shape) != 2:
            raise ValueError(
                f"RepeatVector layer '{self.name}' expects inputs of rank 2 (batch, features). "
                f"Received shape {tuple(inputs.shape)}."
            )

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


_ = torch
