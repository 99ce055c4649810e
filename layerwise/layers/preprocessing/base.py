"""Shared pieces of the preprocessing layers."""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend import tf_interop
from layerwise.backend.config import standardize_data_format
from layerwise.backend.keras_tensor import is_symbolic
from layerwise.backend.random import make_generator
from layerwise.layers.layer import Layer


class DataLayer(Layer):
    """A layer usable both inside a model and in an input pipeline (on NumPy data).

    Random layers draw from a torch generator seeded with `seed` (or from torch's
    global generator, which `keras.utils.set_random_seed` seeds, when `seed=None`).
    """

    def _make_generator(self, seed):
        self.seed = seed
        self._generator = make_generator(seed)

    def _uniform(self, shape, low, high, device=None, dtype=torch.float32) -> torch.Tensor:
        """Uniform samples in `[low, high)` drawn on the CPU, then moved to `device`."""
        gen = getattr(self, "_generator", None)
        values = torch.rand(shape, generator=gen, dtype=torch.float32)
        values = values * (float(high) - float(low)) + float(low)
        return values.to(device=device, dtype=dtype)


class StringDataLayer(DataLayer):
    """A preprocessing layer whose inputs may be strings or Python lists.

    torch has no string tensors, so these layers take NumPy arrays or lists and are
    called outside `nn.Module` machinery on concrete data; symbolic calls (model
    building) go through the normal path.
    """

    _cast_inputs = False

    def __call__(self, inputs, *args, **kwargs):
        if tf_interop.is_tf_tensor(inputs):  # inside `tf.data.Dataset.map`
            return tf_interop.call(self, inputs, args, kwargs)
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        kwargs.pop("training", None)
        if not self.built:
            self.built = True
        return self.call(inputs, *args, **kwargs)


def standardize_image_format(data_format):
    return standardize_data_format(data_format)


def to_numpy(x) -> np.ndarray:
    """NumPy view of a tensor, array, list (strings included) or pandas object."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, "to_numpy"):
        return x.to_numpy()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):  # tf.Tensor
        x = x.numpy()
    return np.asarray(x)


def set_factor(factor, bounds, name="factor"):
    """Keras' factor validation: a number `f` gives `(max(-f, low), f)`, a pair is sorted."""
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the "
               f"range [{bounds[0]}, {bounds[1]}]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(message)
        factor = abs(factor)
        lower, upper = max(-factor, bounds[0]), factor
    else:
        raise ValueError(message)
    return (lower, upper)


def first_input(batch):
    """The inputs of an `(x, y[, sample_weight])` batch tuple, or the batch itself."""
    return batch[0] if isinstance(batch, tuple) else batch


def adapt_iterable(data, steps=None):
    """Yields the input batches of an iterable `adapt()` argument (a `tf.data.Dataset`,
    a generator, a list of batches ...): `steps` of them at most (`None`: all)."""
    if hasattr(data, "as_numpy_iterator"):  # tf.data.Dataset
        data = data.as_numpy_iterator()
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield first_input(batch)
