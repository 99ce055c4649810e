"""`pad_sequences`: lists of sequences to one 2D array."""

from __future__ import annotations

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0) -> np.ndarray:
    """Pads (or truncates) sequences to the same length, as Keras does.

    Args:
        sequences: List of sequences (lists of numbers or arrays).
        maxlen: Length of the output (default: the longest sequence).
        dtype: Output dtype.
        padding: `"pre"` or `"post"`: where to pad.
        truncating: `"pre"` or `"post"`: where to cut sequences longer than `maxlen`.
        value: Padding value.

    Returns:
        Array of shape `(len(sequences), maxlen, ...)`.

    Example:

    >>> from layerwise.utils import pad_sequences
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'`padding` must be "pre" or "post". Received: {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'`truncating` must be "pre" or "post". Received: {truncating!r}')
    lengths, sample_shape = [], ()
    for s in sequences:
        if not hasattr(s, "__len__"):
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {s!r}")
        lengths.append(len(s))
        if not sample_shape and len(s):
            sample_shape = np.asarray(s).shape[1:]
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.object_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type {type(value)}; use "
            "dtype=object for string padding."
        )
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {sample_shape}."
            )
        if padding == "post":
            x[i, : len(trunc)] = trunc
        else:
            x[i, -len(trunc):] = trunc
    return x
