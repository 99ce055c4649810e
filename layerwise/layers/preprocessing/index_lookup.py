"""`IndexLookup`: the vocabulary lookup shared by `StringLookup` and `IntegerLookup`.

They map tokens to indices (or back, with `invert=True`) and can encode the
indices as one-hot / multi-hot / count / TF-IDF vectors. The vocabulary is given
or learned with `adapt(data)` (most frequent first, ties in reverse token order,
as Keras). TensorFlow is not needed: lookups run in NumPy on the CPU, so these
layers belong in the input pipeline (on NumPy arrays or lists of strings).

With `num_oov_indices > 1`, out-of-vocabulary strings go to the OOV buckets by
TensorFlow's hash (`_string_hash.hash_bucket`: FarmHash, or keyed SipHash with
`salt`), as Keras; integers use `floormod` unless `oov_method="farmhash"`.

This module holds the shared `IndexLookup`; the public layers are in
`string_lookup.py` and `integer_lookup.py` (Keras' layout), vocabulary files are read
by `vocabulary_file.py`.
"""

from __future__ import annotations

import collections
import os

import numpy as np
import torch

from layerwise.backend.config import floatx
from layerwise.layers.preprocessing._string_hash import hash_bucket
from layerwise.layers.preprocessing.base import StringDataLayer, to_numpy
from layerwise.layers.preprocessing.category_encoding import encode_categorical_inputs
from layerwise.layers.preprocessing.vocabulary_file import (  # noqa: F401 - re-exported
    MAX_VOCABULARY_FILE_BYTES,
    read_vocabulary_file,
)
from layerwise.registry.safe_mode import in_safe_mode

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
def _check_arguments(max_tokens, num_oov_indices, idf_weights, invert, output_mode, sparse,
                     pad_to_max_tokens, oov_method) -> str:
    """Validates `IndexLookup`'s arguments; returns `output_mode` in its canonical spelling."""
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                         f"max_tokens={max_tokens}")
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                         f"max_tokens={max_tokens}")
    if num_oov_indices < 0:
        raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                         f"num_oov_indices={num_oov_indices}")
    if oov_method not in ("floormod", "farmhash"):
        raise ValueError(f"`oov_method` must be 'floormod' or 'farmhash'. Received: "
                         f"oov_method={oov_method!r}")
    if output_mode == "binary":
        output_mode = "multi_hot"
    if output_mode == "tf-idf":
        output_mode = "tf_idf"
    if output_mode not in _OUTPUT_MODES:
        raise ValueError(f"`output_mode` must be one of {_OUTPUT_MODES}. Received: "
                         f"output_mode={output_mode!r}")
    if invert and output_mode != "int":
        raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                         f"output_mode={output_mode}")
    if sparse:
        raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError(
            "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
            f"idf_weights={idf_weights} and output_mode={output_mode}"
        )
    return output_mode


class IndexLookup(StringDataLayer):
    """Shared implementation of `StringLookup` and `IntegerLookup`."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        output_mode = _check_arguments(max_tokens, num_oov_indices, idf_weights, invert,
                                       output_mode, sparse, pad_to_max_tokens, oov_method)
        if isinstance(salt, int):
            salt = [salt, salt]
        elif salt is not None:
            salt = list(salt)
        frozen = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens: list = []
        self._table: dict = {}
        self.idf_weights = None
        self.reset_state()
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------ token types
    def _to_token(self, value):
        raise NotImplementedError

    def _token_array(self, values) -> np.ndarray:
        raise NotImplementedError

    # ------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, special tokens included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The vocabulary, index order: `[mask], [OOV] * num_oov_indices, tokens...`."""
        vocab = ([self.oov_token] * self._token_start_index()) + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def _set_tokens(self, tokens):
        start = self._token_start_index()
        self._tokens = [self._to_token(t) for t in tokens]
        self._table = {t: i + start for i, t in enumerate(self._tokens)}
        self._inverse = {i + start: t for i, t in enumerate(self._tokens)}
        self._record_vocabulary_size()

    def _record_vocabulary_size(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and size != self._frozen_vocab_size \
                    and self.built:
                raise RuntimeError(
                    f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                    "the vocabulary size cannot be changed after the layer is called. Old vocab "
                    f"size is {self._frozen_vocab_size}, new vocab size is {size}"
                )
        self._frozen_vocab_size = self.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list/array, or the path of a file with one token per line)
        and, for `output_mode="tf_idf"`, the IDF weights."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, (str, os.PathLike)):
            if self.output_mode == "tf_idf" and not in_safe_mode():
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                                 "from file.")
            vocabulary = read_vocabulary_file(vocabulary)
        vocabulary = [self._to_token(v) for v in to_numpy(vocabulary).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        oov_start, token_start = self._oov_start_index(), self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        self._check_vocabulary_tokens(tokens, special)
        new_size = token_start + len(tokens)
        if self.max_tokens is not None and new_size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received "
                f"vocabulary size is {new_size}; `max_tokens` is {self.max_tokens}."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf" and idf_weights is not None:
            self._set_idf_weights(idf_weights, len(vocabulary), found_special, token_start)

    def _check_vocabulary_tokens(self, tokens: list, special: list) -> None:
        """Refuses repeated tokens, and the mask (or, inverting, OOV) token among them."""
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {special}. Received: "
                f"mask_token={self.mask_token}"
            )
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Either remove "
                "all mask and OOV tokens, or include them only at the start of the vocabulary "
                f"in precisely this order: {special}. Received: oov_token={self.oov_token}"
            )

    def _set_idf_weights(self, idf_weights, vocabulary_size: int, found_special: bool,
                         token_start: int) -> None:
        """Stores the IDF weights, padded for the special tokens (their mean) and, with
        `pad_to_max_tokens`, to `max_tokens` (zeros)."""
        idf = np.asarray(to_numpy(idf_weights), dtype=np.float64)
        if vocabulary_size != len(idf):
            raise ValueError(
                "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                f"{len(idf)}; len(vocabulary) is {vocabulary_size}"
            )
        if idf.ndim != 1:
            raise ValueError("TF-IDF data must be a 1-index array.")
        front, front_value = (0, 0) if found_special else (token_start, np.average(idf))
        back = (self.max_tokens - front - len(idf)
                if self.pad_to_max_tokens and self.max_tokens is not None else 0)
        weights = np.pad(idf, (front, back), "constant",
                         constant_values=(front_value, 0))
        self.idf_weights = weights.astype(floatx())

    # ------------------------------------------------------------ assets
    def save_asset_files(self) -> dict[str, bytes]:
        """`{"vocabulary.txt": bytes}` for the `.keras` archive's `assets/` (Keras' layout).

        Empty when the vocabulary is in the config (given as a list) or not set.
        """
        if self.input_vocabulary is not None or not self._tokens:
            return {}
        vocab = self.get_vocabulary(include_special_tokens=True)
        return {"vocabulary.txt": "\n".join(str(w) for w in vocab).encode("utf-8")}

    def load_asset_files(self, files: dict[str, bytes]) -> None:
        """Restores an adapted vocabulary from the archive's `assets/` (never from a path)."""
        data = files.get("vocabulary.txt")
        if self.input_vocabulary is not None or data is None:
            return
        try:
            lines = data.decode("utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise ValueError(f"The vocabulary asset of layer '{self.name}' is not UTF-8 "
                             f"text: {error}") from None
        while lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return
        try:
            values = [self._to_token(line) for line in lines]
        except (TypeError, ValueError) as error:
            raise ValueError(f"The vocabulary asset of layer '{self.name}' holds a token that "
                             f"is not a {self.vocabulary_dtype}: {error}") from None
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                return
            self.set_vocabulary(values, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(values)

    # ------------------------------------------------------------ adapt
    def reset_state(self):
        if self._has_input_vocabulary:
            return
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    def adapt(self, data, steps=None):
        """Learns the vocabulary (and IDF weights) from `data`: an array or list of tokens
        (each element of a 1-D array is one document), or an iterable of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)) or hasattr(data, "to_numpy"):
            documents = self._documents(data, adapt_top_level=True)
            self.update_state(documents, _preprocessed=True)
        else:
            if hasattr(data, "as_numpy_iterator"):
                data = data.as_numpy_iterator()
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch[0] if isinstance(batch, tuple) else batch)
        self.finalize_state()

    def _documents(self, data, adapt_top_level=False) -> list[list]:
        """Rows of tokens: a rank-0/1 input is one document (rank-1 top-level adapt data:
        one document per element), a rank-2 input has one document per row."""
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], (list, tuple)):
            return [[self._to_token(t) for t in row] for row in data]
        array = self._token_array(data)
        if array.ndim == 0:
            array = array.reshape(1, 1)
        elif array.ndim == 1:
            array = array.reshape(-1, 1) if adapt_top_level else array.reshape(1, -1)
        array = array.reshape(array.shape[0], -1)
        return [[self._to_token(t) for t in row] for row in array.tolist()]

    def update_state(self, data, _preprocessed=False):
        """Accumulates token (and document) counts from one batch."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                "`vocabulary` argument or `set_vocabulary()` method."
            )
        documents = data if _preprocessed else self._documents(data)
        for doc in documents:
            self._token_counts.update(doc)
        if self.output_mode == "tf_idf":
            for doc in documents:
                self._document_counts.update(set(doc))
            self._num_documents += len(documents)

    def finalize_state(self):
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._to_token(special), None)
        # Keras: np.lexsort((tokens, counts))[::-1]: most frequent first, ties reversed.
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            doc_counts = np.asarray([self._document_counts[t] for t in tokens], dtype=np.int64)
            idf = np.log(1 + self._num_documents / (1 + doc_counts)).astype(floatx())
            idf = np.pad(idf, (self._token_start_index(), 0),
                         constant_values=np.mean(idf) if len(idf) else 0)
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size), constant_values=0)
            self.idf_weights = idf.astype(floatx())
        self.reset_state()

    # ------------------------------------------------------------ lookup
    def _index_of(self, token, non_int_mask=-1) -> int:
        if self.mask_token is not None and token == self.mask_token:
            return 0 if self.output_mode == "int" else non_int_mask
        index = self._table.get(token)
        if index is not None:
            return index
        if self.num_oov_indices == 0:
            raise ValueError(
                f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                f"[{token!r}], consider setting `num_oov_indices=1`."
            )
        if self.num_oov_indices == 1:
            return self._oov_start_index()
        if isinstance(token, (int, np.integer)) and self.oov_method != "farmhash":
            bucket = int(token) % self.num_oov_indices
        else:
            bucket = hash_bucket(token, self.num_oov_indices, self.salt)
        return bucket + self._oov_start_index()

    def _lookup_array(self, array: np.ndarray) -> np.ndarray:
        if array.size == 0:
            return np.zeros(array.shape, dtype=np.int64)
        uniques, inverse = np.unique(array.reshape(-1), return_inverse=True)
        mapped = np.asarray([self._index_of(self._to_token(u)) for u in uniques.tolist()],
                            dtype=np.int64)
        return mapped[inverse.reshape(-1)].reshape(array.shape)

    def _invert_array(self, array: np.ndarray) -> np.ndarray:
        def token_of(i):
            if self.mask_token is not None and i == 0:
                return self.mask_token
            return self._inverse.get(i, self.oov_token)

        flat = [token_of(int(i)) for i in array.reshape(-1).tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(array.shape)

    def _encode(self, indices: torch.Tensor) -> torch.Tensor:
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical_inputs(indices, mode, depth, torch.float32)
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be "
                                 "provided (or learned with `adapt`).")
            out = out * torch.as_tensor(self.idf_weights, dtype=out.dtype)
        return out.to(self.torch_dtype if self.torch_dtype.is_floating_point else torch.float32)

    def _ensure_known_vocab_size(self):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            return
        if not self._tokens and self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data."
            )

    def lookup_rows(self, rows: list[list]) -> list[np.ndarray]:
        """Indices of ragged rows of tokens (used by `TextVectorization`)."""
        lengths = [len(r) for r in rows]
        flat = np.empty(sum(lengths), dtype=object)
        flat[:] = [t for r in rows for t in r]
        indices = self._lookup_array(flat) if flat.size else np.zeros(0, dtype=np.int64)
        return np.split(indices, np.cumsum(lengths)[:-1]) if rows else []

    def encode_rows(self, rows_indices: list[np.ndarray]) -> torch.Tensor:
        """Multi-hot / count / TF-IDF of ragged rows of indices: `(rows, depth)`."""
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        out = torch.zeros(len(rows_indices), depth, dtype=torch.float32)
        for i, idx in enumerate(rows_indices):
            idx = torch.as_tensor(idx[idx >= 0], dtype=torch.int64)
            if self.output_mode in ("multi_hot", "one_hot"):
                out[i, idx] = 1.0
            else:
                out[i].index_add_(0, idx, torch.ones(len(idx)))
        if self.output_mode == "tf_idf":
            out = out * torch.as_tensor(self.idf_weights, dtype=out.dtype)
        return out

    def call(self, inputs):
        self._ensure_known_vocab_size()
        if self.invert:
            array = to_numpy(inputs).astype(np.int64)
            tokens = self._invert_array(array)
            return self._invert_output(tokens)
        array = self._token_array(inputs)
        indices = torch.from_numpy(self._lookup_array(array))
        if self.output_mode == "int":
            return indices
        return self._encode(indices)

    def _invert_output(self, tokens: np.ndarray):
        return tokens

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self):
        config = super().get_config()
        config.pop("dtype", None)
        vocab = self.input_vocabulary
        idf = self.input_idf_weights
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": None if idf is None else to_numpy(idf).tolist(),
            "vocabulary": None if vocab is None else to_numpy(vocab).tolist(),
            "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
            "salt": self.salt,
        })
        return config
