"""`Hashing`: strings or integers into a fixed number of bins, with TensorFlow's hashes."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.layers.preprocessing._string_hash import hash_bucket, hash_bytes
from layerwise.layers.preprocessing.base import StringDataLayer, to_numpy
from layerwise.layers.preprocessing.category_encoding import encode_categorical_inputs

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(StringDataLayer):
    """Hashes strings or integers into `num_bins` bins, exactly as Keras' `Hashing`.

    Integers (and floats, truncated) are hashed through their decimal string. Without
    `salt`, a value's bin is FarmHash `Fingerprint64(value) % bins` (TensorFlow's
    `to_hash_bucket_fast`); with `salt`, SipHash-2-4 keyed by the salt
    (`to_hash_bucket_strong`). So every value lands in the same bin as with Keras,
    without TensorFlow.

    Args:
        num_bins: Number of bins, including the mask bin when `mask_value` is set.
        mask_value: A value mapped to bin 0 (the others then use bins `1..num_bins-1`).
        salt: An integer or a pair of integers: use the keyed SipHash.
        output_mode: `"int"` (bin indices, int64 by default), `"one_hot"`, `"multi_hot"`
            or `"count"` (float32 encodings of `num_bins` values).
        sparse: Not supported (torch dense outputs only): must be `False`.

    Example:

    >>> import layerwise as keras
    >>> layer = keras.layers.Hashing(num_bins=3)
    >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist()
    [[1], [0], [1], [1], [2]]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or isinstance(num_bins, bool) or int(num_bins) <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{_OUTPUT_MODES}. Received: output_mode={output_mode}")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'int64'. Received: dtype={self.dtype}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: torch layers return dense "
                             "tensors. Pass `sparse=False`.")
        if salt is None:
            self.salt = None
        elif isinstance(salt, (tuple, list)) and len(salt) == 2:
            self.salt = [int(s) for s in salt]
        elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
            self.salt = [int(salt), int(salt)]
        else:
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 "
                             f"integers, or a single integer. Received: salt={salt}.")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False

    def _hash(self, array: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        use_mask = self.mask_value is not None and bins > 1
        if use_mask:
            bins -= 1
        flat = array.reshape(-1).tolist()
        out = np.fromiter((hash_bucket(v, bins, self.salt) for v in flat), dtype=np.int64, count=len(flat))
        if use_mask:
            mask = np.asarray([v == self.mask_value or hash_bytes(v) == hash_bytes(
                self.mask_value) for v in flat])
            out = np.where(mask, 0, out + 1)
        return out.reshape(array.shape)

    def call(self, inputs):
        array = to_numpy([inputs] if isinstance(inputs, (str, bytes)) else inputs)
        if self.output_mode == "one_hot" and array.ndim > 0 and array.shape[-1] == 1:
            array = array.reshape(array.shape[:-1])
        indices = torch.from_numpy(self._hash(array))
        dtype = getattr(torch, self.dtype)
        return encode_categorical_inputs(indices, self.output_mode, self.num_bins, dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt,
                       "mask_value": self.mask_value, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
