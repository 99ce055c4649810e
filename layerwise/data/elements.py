"""What a `layerwise.data.Dataset` yields: NumPy arrays that also behave like tf.data's
eager tensors.

tf.data hands out `EagerTensor`s, and tutorial code uses them both ways: with NumPy
(`np.mean(images, axis=0)`, `images[i].astype("uint8")`) and with the tensor methods
(`labels.numpy()`, `images.shape`). `EagerArray` is a NumPy array with `.numpy()`, so
both work; layers accept it like any array, and `fit` turns it into a torch tensor
without a copy. Strings are NumPy object arrays of `bytes`, as tf.data's `tf.string`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch


class EagerArray(np.ndarray):
    """A NumPy array with the eager-tensor method `.numpy()` that tf.data code calls.

    Example:

    >>> from layerwise.data.elements import to_element
    >>> labels = to_element([1, 0, 1])
    >>> labels.numpy()
    array([1, 0, 1], dtype=int32)
    >>> int(labels[0]), labels.shape
    (1, (3,))
    """

    def numpy(self):
        """A plain NumPy array (a NumPy scalar, or `bytes`, for a 0-d element)."""
        plain = self.view(np.ndarray)
        return plain[()] if plain.ndim == 0 else plain

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # Reductions to a scalar (`np.mean(x)`) give NumPy scalars, as for plain arrays.
        if return_scalar or array.ndim == 0:
            return array.view(np.ndarray)[()]
        return super().__array_wrap__(array, context, return_scalar)


def _is_tf_tensor(value) -> bool:
    return type(value).__module__.startswith("tensorflow") and hasattr(value, "numpy")


def as_array(value) -> np.ndarray:
    """A NumPy array of one leaf, with tf.data's conversions of Python values."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.cpu().numpy()
    if _is_tf_tensor(value):
        return np.asarray(value.numpy())
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        out = np.empty((), dtype=object)
        out[()] = value
        return out
    if isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, int):
        return np.asarray(value, dtype="int32" if -2**31 <= value < 2**31 else "int64")
    if isinstance(value, float):
        return np.asarray(value, dtype="float32")
    array = value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)
    if array.dtype.kind in "US" or (array.dtype == object and array.size
                                    and isinstance(array.flat[0], str)):
        return _as_bytes(array)
    if not isinstance(value, np.ndarray) and not hasattr(value, "to_numpy"):
        # Python numbers in lists get tf.data's dtypes: float32, and int32 when they fit.
        if array.dtype == np.float64:
            array = array.astype("float32")
        elif array.dtype == np.int64 and (not array.size or (
                array.min() >= -2**31 and array.max() < 2**31)):
            array = array.astype("int32")
    return array


def _as_bytes(array: np.ndarray) -> np.ndarray:
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1)):
        flat[i] = item.encode("utf-8") if isinstance(item, str) else bytes(item)
    return out


def to_element(value):
    """Converts a pipeline value (structure of tensors, arrays, Python values) to an element.

    Tuples and dicts are structures; every leaf becomes an `EagerArray` (torch and tf
    tensors without a copy on the CPU, strings as `bytes`). `None` stays `None`.
    """
    if value is None or isinstance(value, EagerArray):
        return value
    if isinstance(value, tuple):
        return tuple(to_element(v) for v in value)
    if isinstance(value, Mapping):
        return {k: to_element(v) for k, v in value.items()}
    return as_array(value).view(EagerArray)


def to_numpy_element(element):
    """An element with plain NumPy leaves (what `as_numpy_iterator()` yields)."""
    if element is None:
        return None
    if isinstance(element, tuple):
        return tuple(to_numpy_element(v) for v in element)
    if isinstance(element, Mapping):
        return {k: to_numpy_element(v) for k, v in element.items()}
    return element.numpy() if isinstance(element, EagerArray) else element


def _zip_leaves(items: list, combine):
    """`combine(leaves)` for each leaf position of a list of same-structured elements."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_zip_leaves([e[i] for e in items], combine) for i in range(len(first)))
    if isinstance(first, Mapping):
        return {k: _zip_leaves([e[k] for e in items], combine) for k in first}
    return combine(items)


def collate(elements: list):
    """Stacks a list of same-structured elements into one batch element."""
    return _zip_leaves(elements, _stack_leaves)


def _stack_leaves(elements: list):
    first = elements[0]
    if first is None:
        return None
    shapes = {np.shape(e) for e in elements}
    if len(shapes) > 1:
        raise ValueError(
            "Cannot batch elements of different shapes: found shapes "
            f"{sorted(shapes, key=str)[:4]}. Resize or pad them to one shape first (e.g. "
            "`keras.layers.Resizing` in `map`, or `keras.utils.pad_sequences`)."
        )
    if first.dtype == object:
        out = np.empty((len(elements),) + first.shape, dtype=object)
        for i, e in enumerate(elements):
            out[i] = e.view(np.ndarray)[()] if e.ndim == 0 else e
        return out.view(EagerArray)
    return np.stack(elements).view(EagerArray)


def pad_and_collate(elements: list, padded_shapes=None, padding_values=None):
    """Batches elements of different shapes: each leaf is padded at the end of every axis
    to the largest shape in the batch (or to `padded_shapes`, `None` dims: the largest)."""
    first = elements[0]
    if isinstance(first, tuple):
        shapes = padded_shapes or (None,) * len(first)
        values = padding_values if isinstance(padding_values, tuple) else (
            (padding_values,) * len(first))
        return tuple(pad_and_collate([e[i] for e in elements], shapes[i], values[i])
                     for i in range(len(first)))
    if isinstance(first, Mapping):
        shapes = padded_shapes or {}
        values = padding_values if isinstance(padding_values, Mapping) else {
            k: padding_values for k in first}
        return {k: pad_and_collate([e[k] for e in elements], shapes.get(k), values.get(k))
                for k in first}
    largest = np.max([np.shape(e) for e in elements], axis=0) if first.ndim else ()
    target = tuple(int(m) if padded_shapes is None or padded_shapes[i] in (None, -1)
                   else int(padded_shapes[i]) for i, m in enumerate(largest))
    fill = padding_values if padding_values is not None else (
        b"" if first.dtype == object else 0)
    out = np.full((len(elements),) + target, fill, dtype=first.dtype)
    for i, e in enumerate(elements):
        if any(s > t for s, t in zip(np.shape(e), target)):
            raise ValueError(f"An element of shape {np.shape(e)} is larger than "
                             f"`padded_shapes` {target}.")
        out[(i,) + tuple(slice(0, s) for s in np.shape(e))] = e
    return out.view(EagerArray)


def split_batch(batch) -> list:
    """The elements of a batch (the inverse of `collate`)."""
    if isinstance(batch, tuple):
        parts = [split_batch(b) for b in batch]
        return [tuple(p[i] for p in parts) for i in range(len(parts[0]))]
    if isinstance(batch, Mapping):
        keys = list(batch)
        parts = [split_batch(batch[k]) for k in keys]
        return [dict(zip(keys, row)) for row in zip(*parts)]
    if np.ndim(batch) == 0:
        raise ValueError("`unbatch()` needs elements with a batch dimension; received a "
                         "scalar element.")
    return list(batch)


def batch_length(batch) -> int:
    """Rows in a batch element (of its first leaf)."""
    while isinstance(batch, (tuple, Mapping)):
        batch = batch[0] if isinstance(batch, tuple) else next(iter(batch.values()))
    return len(batch)


def slice_rows(batch, start: int, stop: int):
    """Rows `start:stop` of every leaf of a batch element."""
    if isinstance(batch, tuple):
        return tuple(slice_rows(b, start, stop) for b in batch)
    if isinstance(batch, Mapping):
        return {k: slice_rows(v, start, stop) for k, v in batch.items()}
    return batch[start:stop]


def concat_rows(batches: list):
    """Concatenates batch elements along their first axis."""
    return _zip_leaves(batches, lambda leaves: np.concatenate(leaves).view(EagerArray))


class TensorSpec:
    """The shape and dtype of one element leaf (`Dataset.element_spec`), as `tf.TensorSpec`.

    Attributes:
        shape: Tuple with `None` for a dimension that varies (the batch dimension).
        dtype: NumPy dtype name (`"float32"`, `"int32"`, ...; `"string"` for bytes).
    """

    def __init__(self, shape, dtype, name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name={self.name})"


def spec_of(element, batched: bool):
    """The `TensorSpec` structure of an element (batch dimension `None` when batched)."""
    if isinstance(element, tuple):
        return tuple(spec_of(e, batched) for e in element)
    if isinstance(element, Mapping):
        return {k: spec_of(v, batched) for k, v in element.items()}
    if element is None:
        return None
    shape = tuple(np.shape(element))
    if batched and shape:
        shape = (None,) + shape[1:]
    dtype = "string" if element.dtype == object else element.dtype.name
    return TensorSpec(shape, dtype)
