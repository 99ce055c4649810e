"""Numerical preprocessing layers: `Normalization` (with `adapt`) and `Discretization`."""

from __future__ import annotations

import math

import numpy as np
import torch

from layerwise.backend.config import epsilon, floatx
from layerwise.layers.preprocessing.base import (
    DataLayer,
    adapt_iterable,
    first_input,
    to_numpy,
)
from layerwise.layers.preprocessing.category_encoding import encode_categorical_inputs
from layerwise.utils.py_dataset import PyDataset


def _adapt_batches(data):
    """`(input_shape, batches)` for `adapt(data)`: one array, or an iterable of batches
    (a list of arrays, a generator, a `PyDataset`, a `DataLoader`, a tf.data.Dataset)."""
    if isinstance(data, (np.ndarray, torch.Tensor)) or hasattr(data, "to_numpy"):
        return None, data
    if isinstance(data, PyDataset):
        return tuple(to_numpy(first_input(data[0])).shape), (data[i] for i in range(len(data)))
    if hasattr(data, "as_numpy_iterator"):  # tf.data.Dataset
        data = data.as_numpy_iterator()
    if hasattr(data, "__iter__"):
        iterator = iter(data)
        first = next(iterator, None)
        if first is None:
            raise ValueError(
                "adapt() received an empty iterable (no batches). Pass a non-empty iterable of "
                "arrays or tensors, e.g. `layer.adapt([x])`."
            )
        first_x = first_input(first)
        if not hasattr(first_x, "shape"):
            raise TypeError(
                "adapt() expects an array, a tensor, or an iterable of batches with a `.shape` "
                f"(NumPy arrays or tensors). Got an element of type {type(first_x).__name__}."
            )

        def chain():
            yield first
            yield from iterator

        return tuple(first_x.shape), chain()
    raise TypeError(
        f"Unsupported data type for adapt(): {type(data).__name__}. Pass a NumPy array, a "
        "tensor, a `PyDataset`, or an iterable of batches."
    )


class Normalization(DataLayer):
    """Normalizes inputs to zero mean and unit variance: `(x - mean) / sqrt(var)`.

    The statistics are either given (`mean`, `variance`) or computed from data with
    `adapt(data)` before training. They are non-trainable weights (`mean`,
    `variance`, `count`), saved with the model.

    Args:
        axis: Axis or axes that keep separate statistics (default `-1`, per feature);
            `None` for one scalar mean and variance.
        mean, variance: Optional fixed statistics (broadcast to the kept axes).
        invert: Apply the inverse transform `x * sqrt(var) + mean` instead.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> layer = keras.layers.Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> layer(np.array([[1.0, 20.0]]))
    tensor([[0., 0.]])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._mean_value = None
        self._variance_value = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same "
                    f"shape. Received: mean shape {np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis "
                    f"{self.axis}"
                )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                f"ndim={ndim}, while axis={self.axis}"
            )
        self._keep_axis = tuple(sorted(d if d >= 0 else d + ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. Received "
                    f"axis={self.axis}, inputs.shape={input_shape}, with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1
                                 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._build_shape = input_shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance",
                                                  shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = torch.as_tensor(np.asarray(self.input_mean), dtype=self.torch_dtype)
            variance = torch.as_tensor(np.asarray(self.input_variance), dtype=self.torch_dtype)
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            # Views (no copy): a config cannot make a scalar mean allocate the input size.
            self._mean_value = mean.expand(self._broadcast_shape)
            self._variance_value = variance.expand(self._broadcast_shape)
        self.built = True

    def finalize_state(self):
        if self.input_mean is not None or not self.built:
            return
        self._mean_value = self.adapt_mean.detach().reshape(self._broadcast_shape)
        self._variance_value = self.adapt_variance.detach().reshape(self._broadcast_shape)

    @property
    def mean(self):
        """The mean, broadcastable to the inputs (`None` before `build`/`adapt`)."""
        return self._mean_value

    @property
    def variance(self):
        """The variance, broadcastable to the inputs (`None` before `build`/`adapt`)."""
        return self._variance_value

    def adapt(self, data):
        """Computes the mean and variance of `data` (an array or tensor, or an iterable
        of batches, e.g. a `PyDataset`, a generator or a list of arrays)."""
        input_shape, batches = _adapt_batches(data)
        is_array = input_shape is None
        if is_array:
            batches = to_numpy(batches)
            input_shape = tuple(batches.shape)
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_shape[d]:
                    raise ValueError(
                        f"The layer was built with input_shape={self._build_shape}, but adapt() "
                        f"is being called with data with an incompatible shape, "
                        f"data.shape={input_shape}"
                    )
        if is_array:
            total_mean = np.mean(batches, axis=self._reduce_axis)
            total_var = np.var(batches, axis=self._reduce_axis)
        else:
            total_mean = np.zeros(self._mean_and_var_shape)
            total_var = np.zeros(self._mean_and_var_shape)
            total_count = 0
            for batch in batches:
                batch = to_numpy(first_input(batch)).astype(floatx())
                for d in self._keep_axis:
                    if batch.shape[d] != self._build_shape[d]:
                        raise ValueError(
                            f"adapt() yielded a batch with incompatible shape. Expected "
                            f"{self._build_shape}, got {tuple(batch.shape)}."
                        )
                batch_mean = np.mean(batch, axis=self._reduce_axis)
                batch_var = np.var(batch, axis=self._reduce_axis)
                batch_count = math.prod(batch.shape[d] for d in self._reduce_axis)
                total_count += batch_count
                batch_weight = float(batch_count) / total_count
                existing_weight = 1.0 - batch_weight
                new_mean = total_mean * existing_weight + batch_mean * batch_weight
                total_var = ((total_var + (total_mean - new_mean) ** 2) * existing_weight
                             + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
                total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, dtype=floatx()))
        self.adapt_variance.assign(np.asarray(total_var, dtype=floatx()))
        self.finalize_state()

    def call(self, inputs):
        if self.mean is None:
            raise ValueError(
                "You must call `.build(input_shape)` (or `adapt(data)`) on the Normalization "
                "layer before using it."
            )
        mean = self.mean.to(device=inputs.device, dtype=inputs.dtype)
        variance = self.variance.to(device=inputs.device, dtype=inputs.dtype)
        std = torch.clamp(torch.sqrt(variance), min=epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "invert": self.invert,
            "mean": None if self.input_mean is None else np.array(self.input_mean).tolist(),
            "variance": None if self.input_variance is None
            else np.array(self.input_variance).tolist(),
        })
        return config

    def set_weights(self, weights) -> None:
        super().set_weights(weights)
        self.finalize_state()


# ------------------------------------------------------------------ Discretization
def _summarize(values, eps):
    values = np.sort(np.reshape(values, [-1]))
    elements = np.size(values)
    num_buckets = 1.0 / eps
    increment = elements / num_buckets
    step = max(increment, 1)
    start = step - 1
    boundaries = values[int(start)::int(step)]
    weights = np.ones_like(boundaries) * step
    return np.stack([boundaries, weights])


def _compress_summary(summary, eps):
    if summary.shape[1] * eps < 1:
        return summary
    percents = eps + np.arange(0.0, 1.0, eps)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def _merge_summaries(prev_summary, next_summary, eps):
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, eps)


class Discretization(DataLayer):
    """Buckets continuous features by ranges.

    Bucket `i` holds values in `[bin_boundaries[i - 1], bin_boundaries[i])`; values
    below the first boundary go to bucket 0.

    Args:
        bin_boundaries: Sorted list of boundaries (`n` boundaries give `n + 1` bins).
        num_bins: Number of bins to learn with `adapt(data)` (approximate quantiles).
        epsilon: Error tolerance of the quantile computation (default 0.01).
        output_mode: `"int"` (bucket indices, int32), `"one_hot"`, `"multi_hot"` or
            `"count"`.
        sparse: Not supported on torch (must be `False`).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))
    tensor([0, 1, 2], dtype=torch.int32)
    """

    _cast_inputs = False

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("`sparse=True` cannot be used with the torch backend.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(
                "Discretization: `output_mode` must be one of 'int', 'one_hot', 'multi_hot', "
                f"'count'. Received: output_mode={output_mode!r}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. Received: "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")

    def adapt(self, data, steps=None):
        """Learns `num_bins` quantile boundaries from `data` (array or iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with "
                "`bin_boundaries`, use `num_bins` instead."
            )
        self.reset_state()
        if isinstance(data, (np.ndarray, torch.Tensor, list)) or hasattr(data, "to_numpy"):
            self.update_state(data)
        else:
            for batch in adapt_iterable(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        data = to_numpy(data).astype("float32")
        summary = _summarize(data, self.epsilon)
        self.summary = _merge_summaries(summary, self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or "
                "call `adapt(dataset)` before you can start using the `Discretization` layer."
            )
        x = inputs if inputs.dtype.is_floating_point else inputs.to(torch.float32)
        bins = torch.as_tensor(self.bin_boundaries, dtype=x.dtype, device=x.device)
        indices = torch.bucketize(x, bins, right=True)
        depth = len(self.bin_boundaries) + 1
        if self.output_mode == "int":
            return indices.to(torch.int32)
        return encode_categorical_inputs(indices, self.output_mode, depth, self.torch_dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self):
        config = super().get_config()
        config.pop("trainable", None)  # Keras' Discretization(...) refuses `trainable`
        config.update({"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                       "epsilon": self.epsilon, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
