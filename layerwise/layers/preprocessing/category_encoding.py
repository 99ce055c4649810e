"""`CategoryEncoding`: one-hot, multi-hot and count encodings of integer inputs."""

from __future__ import annotations

import torch

from layerwise.layers.preprocessing.base import DataLayer


def encode_categorical_inputs(inputs: torch.Tensor, output_mode: str, depth: int, dtype,
                              count_weights=None) -> torch.Tensor:
    """Keras' `encode_categorical_inputs` on torch: `"int"`, `"one_hot"`, `"multi_hot"`
    or `"count"` over the last axis (negative indices encode to zeros)."""
    if output_mode == "int":
        return inputs.to(dtype)
    x = inputs.to(torch.int64)
    if x.ndim == 0:
        x = x.unsqueeze(-1)
    if x.numel() and int(x.max()) >= depth:
        raise ValueError(
            f"Input values must be in the range 0 <= values < num_tokens with "
            f"num_tokens={depth}. Received a value of {int(x.max())}. Increase `num_tokens` "
            "or remap the inputs."
        )
    if output_mode == "one_hot" and x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    valid = (x >= 0).unsqueeze(-1)
    one_hot = torch.nn.functional.one_hot(x.clamp(min=0), depth) * valid
    if output_mode == "one_hot":
        return one_hot.to(dtype)
    reduction_axis = 1 if x.ndim > 1 else 0
    if output_mode == "multi_hot":
        return one_hot.amax(dim=reduction_axis).to(dtype)
    # count
    if count_weights is not None:
        weights = count_weights.to(device=one_hot.device)
        return (one_hot.to(weights.dtype) * weights.unsqueeze(-1)).sum(dim=reduction_axis)
    return one_hot.to(dtype).sum(dim=reduction_axis)


class CategoryEncoding(DataLayer):
    """Encodes integer features as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: Number of categories; inputs must be in `[0, num_tokens)`.
        output_mode: `"multi_hot"` (default; `"binary"` is an alias), `"one_hot"` or
            `"count"`.
        sparse: Not supported on torch (must be `False`).

    Call arguments:
        inputs: Integer tensor of rank 1 or 2 (`(batch, values)`).
        count_weights: Weights of each input value (`output_mode="count"` only).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.layers.CategoryEncoding(4, output_mode="multi_hot")(np.array([[0, 1], [0, 3]]))
    tensor([[1., 1., 0., 0.],
            [1., 0., 0., 1.]])
    """

    _cast_inputs = False

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(
                f"Unknown arg for output_mode: {output_mode!r}. Expected 'count', 'one_hot' or "
                "'multi_hot'."
            )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` is not supported with the torch backend.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                    f"`count_weights={count_weights}`."
                )
            count_weights = torch.as_tensor(count_weights, dtype=self.torch_dtype)
        return encode_categorical_inputs(inputs, self.output_mode, self.num_tokens,
                                         self.torch_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return input_shape + (self.num_tokens,)
            return input_shape[:-1] + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
