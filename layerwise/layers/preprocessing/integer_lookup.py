"""`IntegerLookup`: maps integers to contiguous indices (or back), on `IndexLookup`."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.layers.preprocessing.base import to_numpy
from layerwise.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices from a vocabulary (or back with `invert=True`).

    Args:
        max_tokens: Maximum vocabulary size, special tokens included (`None`: no limit).
        num_oov_indices: Number of OOV indices (default 1); with more, an unknown value
            `v` goes to bucket `v % num_oov_indices`.
        mask_token: Integer mapped to index 0 (e.g. `0`); default `None`.
        oov_token: Value returned for OOV indices when inverting (default `-1`).
        vocabulary: List of integers or path of a file with one per line.
        vocabulary_dtype: Only `"int64"`.
        idf_weights, invert, output_mode, pad_to_max_tokens: As in `StringLookup`.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> layer = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]]))
    tensor([[1, 3, 4],
            [4, 0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)

    def _to_token(self, value):
        return int(value)

    def _token_array(self, values) -> np.ndarray:
        array = to_numpy(values)
        if array.dtype.kind in ("U", "S", "O"):
            try:
                array = array.astype(np.int64)
            except (TypeError, ValueError) as e:
                raise TypeError(
                    "IntegerLookup expects integers; use `StringLookup` for strings."
                ) from e
        elif array.dtype.kind == "f":
            if not np.all(np.equal(np.mod(array, 1), 0)):
                raise TypeError("IntegerLookup expects integer values; received floats with a "
                                "fractional part.")
            array = array.astype(np.int64)
        return array.astype(np.int64, copy=False)

    def _invert_output(self, tokens: np.ndarray):
        return torch.from_numpy(tokens.astype(np.int64))
