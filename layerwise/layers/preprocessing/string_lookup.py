"""`StringLookup`: maps strings to integer indices (or back), on `IndexLookup`."""

from __future__ import annotations

import numpy as np

from layerwise.layers.preprocessing.base import to_numpy
from layerwise.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to integer indices from a vocabulary (or back with `invert=True`).

    Index order: the mask token (if `mask_token` is set and `output_mode="int"`),
    then `num_oov_indices` out-of-vocabulary buckets, then the vocabulary.

    Args:
        max_tokens: Maximum vocabulary size, special tokens included (`None`: no limit).
        num_oov_indices: Number of OOV indices (default 1; 0 raises on unknown tokens).
        mask_token: Token mapped to index 0 (e.g. `""` for padding); default `None`.
        oov_token: Token returned for OOV indices when inverting (default `"[UNK]"`).
        vocabulary: List of tokens or path of a text file with one token per line.
        idf_weights: IDF weights, one per vocabulary token (`output_mode="tf_idf"`).
        invert: Map indices back to tokens.
        output_mode: `"int"` (default), `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        pad_to_max_tokens: Encoded outputs have `max_tokens` columns.
        encoding: Encoding used to decode `bytes` inputs (default `"utf-8"`).

    Example:

    >>> import layerwise as keras
    >>> layer = keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
    >>> layer([["a", "c", "d"], ["d", "z", "b"]])
    tensor([[1, 3, 4],
            [4, 0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _to_token(self, value):
        if isinstance(value, bytes):
            return value.decode(self.encoding)
        return value if isinstance(value, str) else str(value)

    def _token_array(self, values) -> np.ndarray:
        array = to_numpy(values)
        if array.dtype.kind == "S":
            array = np.char.decode(array, self.encoding)
        elif array.dtype.kind == "O":
            flat = [self._to_token(v) for v in array.reshape(-1).tolist()]
            array = np.asarray(flat, dtype=str).reshape(array.shape) if flat else \
                array.astype(str)
        elif array.dtype.kind != "U":
            raise TypeError(
                f"StringLookup expects strings; received an array of dtype {array.dtype}. Use "
                "`IntegerLookup` for integer inputs."
            )
        return array

    def _invert_output(self, tokens: np.ndarray):
        # As Keras on the torch backend: Python strings.
        return tokens.tolist()

    def get_config(self):
        config = super().get_config()
        config.pop("vocabulary_dtype", None)
        config["encoding"] = self.encoding
        return config
