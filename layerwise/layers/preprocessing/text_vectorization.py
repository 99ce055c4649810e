"""`TextVectorization`: strings to token indices or bag-of-words vectors, without TensorFlow.

Standardization and splitting follow TensorFlow's string ops as Keras uses them:
`"lower"` lowercases ASCII letters only (like `tf.strings.lower`), punctuation
stripping removes ASCII punctuation, `"whitespace"` splits on ASCII whitespace
and `"character"` on Unicode code points.
"""

from __future__ import annotations

import re
import string

import numpy as np
import torch

from layerwise.layers.preprocessing.base import StringDataLayer, adapt_iterable, to_numpy
from layerwise.layers.preprocessing.string_lookup import StringLookup

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_WHITESPACE = re.compile("[ \t\n\r\x0b\x0c]+")


def _decode(value, encoding):
    return value.decode(encoding) if isinstance(value, bytes) else str(value)


class TextVectorization(StringDataLayer):
    """Turns raw strings into integer token sequences or dense bag-of-words vectors.

    Processing: standardize each string, split it into tokens, optionally form
    n-grams, then look the tokens up in a vocabulary learned with `adapt(data)` (or
    given). Index 0 is padding (the mask token `""`), index 1 is OOV (`"[UNK]"`).

    Args:
        max_tokens: Maximum vocabulary size, padding and OOV included.
        standardize: `"lower_and_strip_punctuation"` (default), `"lower"`,
            `"strip_punctuation"`, `None`, or a callable taking a NumPy array of strings.
        split: `"whitespace"` (default), `"character"`, `None` (inputs are already
            tokens), or a callable taking a 1-D NumPy array of strings and returning one
            list of tokens per string.
        ngrams: `None`, an integer `n` (all 1..n-grams) or a tuple of widths.
        output_mode: `"int"` (default), `"multi_hot"`, `"count"` or `"tf_idf"`.
        output_sequence_length: In `"int"` mode, pad or truncate to this length
            (otherwise pad to the longest sequence of the batch).
        pad_to_max_tokens: In the vector modes, output `max_tokens` columns.
        vocabulary: List of tokens or path of a file with one token per line.
        idf_weights: IDF weights for `output_mode="tf_idf"` with a given vocabulary.
        encoding: Encoding used to decode `bytes` inputs.

    Example:

    >>> import layerwise as keras
    >>> layer = keras.layers.TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["The cat sat.", "The dog sat on the mat!"])
    >>> layer.get_vocabulary()[:4]
    ['', '[UNK]', 'the', 'sat']
    >>> layer(["the cat ran"])
    tensor([[2, 7, 1, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        if not (standardize is None or callable(standardize) or standardize in (
                "lower_and_strip_punctuation", "lower", "strip_punctuation")):
            raise ValueError(
                "`standardize` must be one of 'lower_and_strip_punctuation', 'lower', "
                f"'strip_punctuation', None or a callable. Received: standardize={standardize!r}"
            )
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError("`split` must be one of 'whitespace', 'character', None or a "
                             f"callable. Received: split={split!r}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError("`output_mode` must be one of 'int', 'one_hot', 'multi_hot', "
                             f"'count', 'tf_idf'. Received: output_mode={output_mode!r}")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int)
                                         or output_sequence_length is None):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when `output_mode` "
                f"is 'int'. Received: output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------ text processing
    def _standardize_strings(self, array: np.ndarray) -> np.ndarray:
        if self._standardize is None:
            return array
        if callable(self._standardize):
            out = self._standardize(array)
            if hasattr(out, "numpy") and not isinstance(out, np.ndarray):
                out = out.numpy()  # e.g. a function written with `tf.strings` ops
            flat = [_decode(v, self._encoding) for v in np.asarray(out, dtype=object).ravel()]
            result = np.empty(len(flat), dtype=object)
            result[:] = flat
            return result.reshape(np.shape(out))
        flat = array.reshape(-1).tolist()
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            flat = [s.translate(_ASCII_LOWER) for s in flat]
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [_PUNCTUATION.sub("", s) for s in flat]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(array.shape)

    def _split_strings(self, strings: list) -> list[list]:
        if self._split == "whitespace":
            return [[t for t in _WHITESPACE.split(s) if t] for s in strings]
        if self._split == "character":
            return [list(s) for s in strings]
        array = np.empty(len(strings), dtype=object)
        array[:] = strings
        rows = self._split(array)
        return [[_decode(t, self._encoding) for t in row] for row in rows]

    def _ngram_rows(self, rows: list[list]) -> list[list]:
        if self._ngrams is None:
            return rows
        out = []
        for row in rows:
            grams = []
            for width in self._ngrams:
                grams.extend(" ".join(row[i:i + width]) for i in range(len(row) - width + 1))
            out.append(grams)
        return out

    def _preprocess(self, inputs):
        """Returns `(rows, scalar)`: token lists (or, with `split=None`, the array of
        tokens) and whether the input was a single string."""
        if isinstance(inputs, (str, bytes)):
            inputs = [inputs]
            scalar = True
        else:
            scalar = False
        array = to_numpy(inputs)
        if array.ndim == 0:
            array, scalar = array.reshape(1), True
        flat = [_decode(v, self._encoding) for v in array.reshape(-1).tolist()]
        strings = np.empty(len(flat), dtype=object)
        strings[:] = flat
        strings = self._standardize_strings(strings.reshape(array.shape))
        if self._split is None:
            return strings, scalar
        if strings.ndim > 1:
            if strings.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank must be "
                    f"1 or the last shape dimension must be 1. Received: inputs.shape="
                    f"{strings.shape} with rank={strings.ndim}"
                )
            strings = strings.reshape(strings.shape[:-1])
        rows = self._split_strings(strings.reshape(-1).tolist())
        return self._ngram_rows(rows), scalar

    # ------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and IDF weights) from strings: an array or list (one
        document per string), or an iterable of batches (`tf.data`, a generator...)."""
        self.reset_state()
        if isinstance(data, (str, bytes, list, tuple, np.ndarray, torch.Tensor)) or hasattr(
                data, "to_numpy"):
            array = to_numpy(data) if not isinstance(data, (str, bytes)) else np.asarray([data])
            if array.ndim == 1 and self._split is None:
                array = array.reshape(-1, 1)
            self.update_state(array)
        else:
            for batch in adapt_iterable(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        processed, _ = self._preprocess(data)
        if self._split is None:
            array = np.asarray(processed, dtype=object)
            if array.ndim <= 1:
                array = array.reshape(1, -1)
            rows = [list(r) for r in array.reshape(array.shape[0], -1).tolist()]
        else:
            rows = processed
        self._lookup_layer.update_state(rows, _preprocessed=True)

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The vocabulary: `["", "[UNK]", tokens...]` in `"int"` mode."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and IDF weights for `"tf_idf"`)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------ call
    def call(self, inputs):
        lookup = self._lookup_layer
        lookup._ensure_known_vocab_size()
        processed, scalar = self._preprocess(inputs)
        if self._split is None:
            array = np.asarray(processed, dtype=object)
            indices = torch.from_numpy(lookup._lookup_array(array))
            if self._output_mode != "int":
                return lookup._encode(indices)
            if self._output_sequence_length is not None and indices.ndim >= 1:
                indices = _fit_length(indices, self._output_sequence_length)
            return indices
        rows = lookup.lookup_rows(processed)
        if self._output_mode != "int":
            out = lookup.encode_rows(rows)
            return out[0] if scalar else out
        length = self._output_sequence_length
        if length is None:
            length = max((len(r) for r in rows), default=0)
        out = torch.zeros(len(rows), length, dtype=torch.int64)
        for i, r in enumerate(rows):
            r = r[:length]
            out[i, :len(r)] = torch.from_numpy(r)
        return out[0] if scalar else out

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        depth = (self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens
                 else self._lookup_layer._frozen_vocab_size)
        return (input_shape[0], depth)

    def get_config(self):
        config = super().get_config()
        config.pop("dtype", None)
        lookup = self._lookup_layer
        config.update({
            "max_tokens": lookup.max_tokens, "standardize": self._standardize,
            "split": self._split, "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False, "ragged": False,
            "vocabulary": None if lookup.input_vocabulary is None
            else to_numpy(lookup.input_vocabulary).tolist(),
            "idf_weights": None if lookup.input_idf_weights is None
            else to_numpy(lookup.input_idf_weights).tolist(),
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size(),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


def _fit_length(indices: torch.Tensor, length: int) -> torch.Tensor:
    indices = indices[..., :length]
    missing = length - indices.shape[-1]
    if missing > 0:
        indices = torch.nn.functional.pad(indices, (0, missing))
    return indices
