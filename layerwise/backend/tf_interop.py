"""Layers called on TensorFlow tensors (inside `tf.data.Dataset.map`).

Keras tutorials on the torch backend still build input pipelines with tf.data and call
preprocessing layers (or a `Sequential` of them) inside `map`, where the values are
symbolic TensorFlow tensors.
A layerwise layer cannot trace TensorFlow ops, so such a call runs the layer eagerly on
NumPy values through `tf.py_function`, with the output dtype and shape the layer
declares. An eager TensorFlow tensor is simply read as a NumPy array.
TensorFlow is only imported here, and only when the caller already passed its tensors.
"""

from __future__ import annotations

import numpy as np
import torch


def is_tf_tensor(value) -> bool:
    """Whether `value` is a TensorFlow tensor (checked by class, without importing TF)."""
    return type(value).__module__.startswith("tensorflow")


def _is_eager(value) -> bool:
    return type(value).__name__ == "EagerTensor"


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _tf_dtype(tf, array: np.ndarray):
    return tf.string if array.dtype == object or array.dtype.kind in "SU" else tf.as_dtype(
        array.dtype)


def _dummy_input(tf, inputs) -> np.ndarray:
    shape = [1 if d is None else int(d) for d in inputs.shape.as_list()]
    if inputs.dtype == tf.string:
        out = np.empty(shape, dtype=object)
        out[...] = b""
        return out
    return np.zeros(shape, dtype=inputs.dtype.as_numpy_dtype)


def call(layer, inputs, args: tuple, kwargs: dict):
    """Calls `layer` on a TensorFlow tensor: eagerly on NumPy, or through `tf.py_function`."""
    if _is_eager(inputs):
        return layer(inputs.numpy(), *args, **kwargs)
    import tensorflow as tf  # Lazy: the caller is already running TensorFlow.

    if inputs.shape.rank is None:
        raise ValueError(
            f"Layer '{layer.name}' was called on a TensorFlow tensor of unknown rank inside "
            "`tf.data`. Give the tensor a static rank (e.g. `tf.ensure_shape`), or build the "
            "pipeline with `layerwise.data.Dataset`, whose `map` runs layers directly."
        )
    # The output dtype comes from one call on a placeholder batch of the same kind.
    out_dtype = _tf_dtype(tf, _to_numpy(layer(_dummy_input(tf, inputs), *args, **kwargs)))

    def run(values):
        return _to_numpy(layer(values.numpy(), *args, **kwargs))

    outputs = tf.py_function(run, [inputs], Tout=out_dtype, name=f"layerwise_{layer.name}")
    try:
        shape = layer.compute_output_shape(tuple(inputs.shape.as_list()))
        outputs.set_shape(shape)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        pass  # The layer cannot say its output shape: TensorFlow leaves it unknown.
    return outputs
