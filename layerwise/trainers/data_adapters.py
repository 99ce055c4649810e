"""Data adapters: turn what the user passed to `fit` into batches of device tensors.

Arrays already in memory are converted to tensors on the training device
once; an epoch is an index permutation and contiguous slices of it, so no
per-batch NumPy copy, dtype conversion or `DataLoader` is involved.
Generators, iterables and `DataLoader`s are read batch by batch.
"""

from __future__ import annotations

import functools
import math
import random
import warnings
from collections.abc import Iterator, Mapping

import numpy as np
import torch

from layerwise import tree
from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.data import INFINITE_CARDINALITY, Dataset
from layerwise.trainers.batch_buffers import GatherBuffers
from layerwise.trainers.data_adapter_base import DataAdapter
from layerwise.trainers.data_checks import check_finite, check_targets
from layerwise.utils.py_dataset import PyDataset, iterate_batches


def to_tensor(x, device=None, name="x") -> torch.Tensor | np.ndarray:
    """Converts an array-like to a tensor: float64 becomes floatx, other dtypes are kept
    (string arrays stay NumPy)."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        if hasattr(x, "to_numpy"):
            x = x.to_numpy()
            if isinstance(x, np.ndarray) and not x.flags.writeable:
                x = x.copy()  # pandas copy-on-write hands out read-only views
        array = np.asarray(x)
        if _is_string_array(array):
            return array  # String inputs stay NumPy, for `StringLookup` / `TextVectorization`.
        if array.dtype == object:
            raise ValueError(
                f"`{name}` could not be converted to a numeric array (it has dtype object: "
                "ragged lists or mixed types?). Pad sequences to the same length, e.g. with "
                "`keras.utils.pad_sequences`, and pass numbers only."
            )
        if array.dtype == np.float64:
            array = array.astype(floatx())
        elif array.dtype == np.bool_:
            array = array.astype(floatx())
        t = torch.from_numpy(np.ascontiguousarray(array))
    if t.dtype == torch.float64:
        t = t.to(to_torch_dtype(floatx()))
    if device is not None and t.device != device:
        t = _to_device(t, torch.device(device))
    return t


def _to_device(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`t` on `device`; host -> CUDA copies go through pinned memory, without a host sync.

    torch's pinned-memory allocator keeps the staging buffer until the asynchronous
    copy has finished, so the batch can be freed at once.
    """
    if device.type == "cuda" and t.device.type == "cpu":
        return t.pin_memory().to(device, non_blocking=True)
    return t.to(device)


def map_structure(fn, x):
    """`tree.map_structure` that leaves `None` leaves (no targets, no weights) as they are."""
    return tree.map_structure(lambda leaf: None if leaf is None else fn(leaf), x)


flatten = tree.flatten


def num_samples(data, name: str) -> int:
    sizes = {int(a.shape[0]) for a in flatten(data) if a is not None}
    if len(sizes) > 1:
        raise ValueError(
            f"`{name}` arrays have different numbers of samples: {sorted(sizes)}. All arrays "
            "must contain the same number of samples (first axis)."
        )
    return sizes.pop() if sizes else 0


def check_cardinality(x, y, sample_weight) -> int:
    """Returns the number of samples, or raises if x, y and sample_weight disagree."""
    n_x = num_samples(x, "x")
    for other, name in ((y, "y"), (sample_weight, "sample_weight")):
        if other is None:
            continue
        n = num_samples(other, name)
        if n != n_x:
            raise ValueError(
                f"Data cardinality is ambiguous: `x` has {n_x} samples but `{name}` has {n} "
                f"samples. Make sure `x` and `{name}` contain the same number of samples."
            )
    return n_x


def class_weight_to_sample_weight(y, class_weight: dict) -> np.ndarray:
    """Per-sample weights from `{class_index: weight}` (integer or one-hot labels)."""
    if isinstance(y, (list, tuple, Mapping)):
        raise ValueError("`class_weight` is only supported for models with a single output.")
    labels = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = np.argmax(labels, axis=1)
    elif labels.ndim == 2:
        labels = labels[:, 0]
    labels = labels.astype(np.int64)
    weights = np.ones(len(labels), dtype=floatx())
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    return weights


def train_validation_split(arrays, validation_split: float):
    """Splits array structures: the last `validation_split` fraction is for validation."""
    if not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1. Received: {validation_split}"
        )
    x = arrays[0]
    n = num_samples(x, "x")
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"`validation_split={validation_split}` leaves no samples for training or for "
            f"validation with {n} samples. Use a fraction that keeps both non-empty."
        )

    def part(a, lo, hi):
        return None if a is None else map_structure(lambda t: t[lo:hi], a)

    train = tuple(part(a, 0, split_at) for a in arrays)
    val = tuple(part(a, split_at, n) for a in arrays)
    return train, val


class ArrayDataAdapter(DataAdapter):
    """Batches of in-memory arrays (NumPy, torch, lists/dicts of them).

    Args:
        x, y, sample_weight: Array structures with the same number of samples.
        batch_size: Samples per batch.
        shuffle: `True` (new permutation each epoch), `False`, or `"batch"`.
        device: Where the tensors live.
        steps: Optional number of batches per epoch (cycling through the data).
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 device=None, steps=None):
        self.num_samples = check_cardinality(x, y, sample_weight)
        if self.num_samples == 0:
            raise ValueError("`x` is empty: there is no sample to train or evaluate on.")
        self.x = map_structure(lambda a: to_tensor(a, device, "x"), x)
        self.y = None if y is None else map_structure(lambda a: to_tensor(a, device, "y"), y)
        self.sample_weight = None if sample_weight is None else map_structure(
            lambda a: to_tensor(a, device, "sample_weight"), sample_weight)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.device = device
        self._steps_override = steps
        self._offset = 0
        self._x_buffers: GatherBuffers | None = None

    def sample_x(self):
        return self.x

    def on_device(self, device) -> ArrayDataAdapter:
        if device == self.device or device is None:
            return self
        move = functools.partial(_move, device=device)
        self.x = map_structure(move, self.x)
        self.y = map_structure(move, self.y)
        self.sample_weight = map_structure(move, self.sample_weight)
        self.device = device
        self._x_buffers = None
        return self

    def check(self, model, finite: bool = True) -> None:
        if finite:
            check_finite(self.x, "x")
        check_targets(model, self.y)

    @property
    def steps(self) -> int:
        if self._steps_override:
            return int(self._steps_override)
        return math.ceil(self.num_samples / self.batch_size)

    def _order(self):
        if self.shuffle is True or self.shuffle == "true":
            return torch.randperm(self.num_samples, device=self.device)
        return None

    def epoch(self):
        """Yields `(x, y, sample_weight)` batches for one epoch.

        Shuffling gathers each batch from an index permutation. Permuting the whole
        array up front would write a fresh copy of the data every epoch, which is
        several times slower for large inputs (page faults on new memory); large
        batches are gathered into reused memory (`batch_buffers`). Unshuffled batches
        are views, with no copy at all.
        """
        order = self._order()
        bs, n = self.batch_size, self.num_samples
        starts = list(range(0, n, bs))
        if self.shuffle == "batch":
            starts = [starts[i] for i in torch.randperm(len(starts)).tolist()]
        if self._steps_override:
            count = int(self._steps_override)
            starts = [starts[(self._offset + i) % len(starts)] for i in range(count)]
            self._offset = (self._offset + count) % len(starts)
        x, y, sw = self.x, self.y, self.sample_weight
        single = isinstance(x, torch.Tensor) and (y is None or isinstance(y, torch.Tensor))
        gather_x = None
        if order is not None and single and sw is None:
            if self._x_buffers is None and GatherBuffers.wanted(x, bs):
                self._x_buffers = GatherBuffers(x, bs)
            if self._x_buffers is not None:
                gather_x = self._x_buffers.gather
        for start in starts:
            if order is None:
                take = functools.partial(_slice_rows, rows=slice(start, start + bs))
            else:
                take = functools.partial(_gather_rows, rows=order[start:start + bs])
            if single and sw is None:
                xb = (take(x) if gather_x is None or order is None
                      else gather_x(order[start:start + bs]))
                yield xb, (None if y is None else take(y)), None
                del xb
                continue
            yield map_structure(take, x), map_structure(take, y), map_structure(take, sw)



def _move(t, device):
    return t.to(device) if isinstance(t, torch.Tensor) else t  # string inputs stay NumPy


def _slice_rows(t: torch.Tensor, rows: slice) -> torch.Tensor:
    return t[rows]


def _gather_rows(t: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    if isinstance(t, np.ndarray):  # string inputs stay NumPy
        return t[rows.cpu().numpy()]
    return t.index_select(0, rows)


class GeneratorDataAdapter(DataAdapter):
    """Batches from a Python generator, an iterable, or a torch `DataLoader`.

    Each element is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`. A re-iterable
    object (list, `DataLoader`) starts over each epoch; a generator is consumed
    across epochs, `steps` batches per epoch (the `repeat()` idiom).
    """

    def __init__(self, data, steps=None, device=None, class_weight=None):
        self.data = data
        self._steps = steps
        self.device = device
        self.class_weight = class_weight
        self._iterator = None
        self._reiterable = not isinstance(data, Iterator)
        self._exhausted_warned = False
        if steps is None and hasattr(data, "__len__"):
            try:
                self._steps = len(data)
            except TypeError:
                self._steps = None

    @property
    def steps(self) -> int | None:
        return self._steps

    def _batch(self, element):
        if isinstance(element, Mapping) or not isinstance(element, (list, tuple)):
            element = (element,)
        if len(element) > 3:
            raise ValueError(
                "Each batch from a generator must be `x`, `(x, y)` or `(x, y, sample_weight)`. "
                f"Received a tuple of {len(element)} elements."
            )
        x, y, sw = (tuple(element) + (None, None))[:3]
        x = map_structure(lambda a: to_tensor(a, self.device, "x"), x)
        if y is not None:
            y = map_structure(lambda a: to_tensor(a, self.device, "y"), y)
        if sw is None and self.class_weight is not None and y is not None:
            sw = class_weight_to_sample_weight(y, self.class_weight)
        if sw is not None:
            sw = map_structure(lambda a: to_tensor(a, self.device, "sample_weight"), sw)
        return x, y, sw

    def epoch(self):
        if self._reiterable and (self._iterator is None or self._steps is None):
            self._iterator = iter(self.data)
        elif self._iterator is None:
            self._iterator = iter(self.data)
        produced = 0
        while self._steps is None or produced < self._steps:
            try:
                element = next(self._iterator)
            except StopIteration:
                if self._reiterable:
                    self._iterator = iter(self.data)
                    if self._steps is None or produced == 0:
                        return
                    continue
                if self._steps is not None and not self._exhausted_warned:
                    warnings.warn(
                        "Your input ran out of data; interrupting training. Make sure the "
                        f"generator yields at least `steps_per_epoch * epochs` batches "
                        f"({self._steps} per epoch).", UserWarning, stacklevel=4)
                    self._exhausted_warned = True
                self.exhausted = True
                return
            produced += 1
            yield self._batch(element)
        if self._reiterable:
            self._iterator = None

    exhausted = False


class PyDatasetAdapter(GeneratorDataAdapter):
    """Batches from a `keras.utils.PyDataset` / `Sequence` (`__len__` + `__getitem__`).

    Each epoch calls `on_epoch_begin()`, reads the batches by index (in a shuffled
    order when `shuffle=True`, as Keras 3; computed ahead by the dataset's `workers`),
    then calls `on_epoch_end()`. With `steps` smaller or larger than the dataset,
    epochs continue where the previous one stopped, wrapping around.
    """

    def __init__(self, dataset, steps=None, shuffle=False, device=None, class_weight=None):
        if getattr(dataset, "is_batched", True) is False:
            raise ValueError(
                "This dataset yields single samples, not batches: call `.batch(batch_size)` on "
                "it before passing it to `fit`, `evaluate` or `predict`."
            )
        super().__init__(dataset, steps=steps, device=device, class_weight=class_weight)
        self.shuffle = shuffle is True
        self._override = steps
        self._cursor = 0
        num_batches = dataset.num_batches
        self._num_batches = None if num_batches is None else int(num_batches)
        if self._num_batches is None and not steps:
            raise ValueError(
                f"`{type(dataset).__name__}` is an infinite PyDataset (`num_batches` is None): "
                "pass `steps_per_epoch` (or `steps`) to say how many batches make an epoch."
            )
        self._steps = steps or self._num_batches

    def _indices(self):
        n, count = self._num_batches, self._override
        if count:
            start = self._cursor
            self._cursor += int(count)
            if n is None:
                return range(start, start + int(count))
            self._cursor %= n
            return [(start + i) % n for i in range(int(count))]
        assert n is not None  # `__init__` requires `steps` for an infinite PyDataset
        indices = list(range(n))
        if self.shuffle:
            random.shuffle(indices)
        return indices

    def epoch(self):
        dataset = self.data
        dataset.on_epoch_begin()
        try:
            for batch in iterate_batches(dataset, self._indices()):
                yield self._batch(_standardize_py_dataset_batch(batch))
        finally:
            dataset.on_epoch_end()


def _standardize_py_dataset_batch(batch):
    if isinstance(batch, (np.ndarray, torch.Tensor, Mapping)):
        return (batch,)
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        raise ValueError(
            "PyDataset.__getitem__() must return a tuple or a dict. If a tuple, it must be "
            "ordered either (inputs,) or (inputs, targets) or (inputs, targets, "
            f"sample_weights). Received: {str(batch)[:100]}... of type {type(batch).__name__}"
        )
    return batch


class _TFDatasetIterable:
    """A `tf.data.Dataset` read as NumPy batches (TensorFlow is never imported here)."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __iter__(self):
        return iter(self.dataset.as_numpy_iterator())

    def __len__(self):
        cardinality = int(self.dataset.cardinality())
        if cardinality < 0:  # infinite (-1) or unknown (-2)
            raise TypeError("unknown length")
        return cardinality


def is_tf_dataset(x) -> bool:
    """Whether `x` is a `tf.data.Dataset` (checked by class, without importing TensorFlow)."""
    for parent in type(x).__mro__:
        if parent.__name__ in ("DatasetV2", "DistributedDataset",
                               "DistributedDatasetsFromFunction") and (
                "tensorflow.python." in str(parent.__module__)):
            return True
    return False


def _layerwise_dataset_iterable(dataset, steps):
    """A `layerwise.data.Dataset` read like a tf.data one: its own order, its length."""
    if not isinstance(dataset, Dataset):
        return None
    if not dataset._step.batched:
        raise ValueError(
            "This dataset yields single samples, not batches: call `.batch(batch_size)` on "
            "it before passing it to `fit`, `evaluate` or `predict`."
        )
    if not steps and dataset._step.cardinality() == INFINITE_CARDINALITY:
        raise ValueError(
            "This dataset is infinite (it ends in `repeat()`): pass `steps_per_epoch` (or "
            "`steps`) to say how many batches make an epoch."
        )
    return dataset


def _is_py_dataset(x) -> bool:
    return isinstance(x, PyDataset)


def _special_adapter(x, y, sample_weight, batch_size, steps, shuffle, class_weight, device):
    """Adapters for PyDataset, tf.data, and map-style torch Datasets; None for others."""
    if _is_py_dataset(x):
        kind = "a PyDataset"
    elif _layerwise_dataset_iterable(x, steps) is not None:
        kind = "a layerwise.data.Dataset"
    elif is_tf_dataset(x):
        kind = "a tf.data.Dataset"
    elif isinstance(x, torch.utils.data.Dataset):
        kind = "a torch Dataset"
    else:
        return None
    for value, name, fix in ((y, "y", "(x, y)"), (sample_weight, "sample_weight",
                                                   "(x, y, sample_weight)")):
        if value is not None:
            raise ValueError(
                f"`{name}` must not be given when `x` is {kind}: return `{fix}` tuples from it "
                "instead."
            )
    if _is_py_dataset(x):
        return PyDatasetAdapter(x, steps=steps, shuffle=shuffle, device=device,
                                class_weight=class_weight)
    if is_tf_dataset(x):
        return GeneratorDataAdapter(_TFDatasetIterable(x), steps=steps, device=device,
                                    class_weight=class_weight)
    if kind == "a layerwise.data.Dataset":
        return GeneratorDataAdapter(x, steps=steps, device=device, class_weight=class_weight)
    # A torch Dataset yields samples: batch them (and shuffle map-style ones) with a DataLoader.
    iterable = isinstance(x, torch.utils.data.IterableDataset)
    loader = torch.utils.data.DataLoader(x, batch_size=batch_size or 32,
                                         shuffle=shuffle is True and not iterable)
    return GeneratorDataAdapter(loader, steps=steps, device=device, class_weight=class_weight)


def _is_array_structure(x) -> bool:
    """Arrays, tensors, DataFrames, nested Python lists of numbers, or lists/dicts of arrays."""
    if isinstance(x, (np.ndarray, torch.Tensor)) or hasattr(x, "to_numpy"):
        return True
    if isinstance(x, Mapping):
        return all(_is_array_structure(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (np.ndarray, torch.Tensor)) or hasattr(v, "to_numpy")
                     or isinstance(v, Mapping) for v in x):
            return all(_is_array_structure(v) for v in x)
        try:
            return np.asarray(x).dtype != object
        except (ValueError, TypeError):
            return False
    return False


def _is_nested_numbers(x) -> bool:
    """Nested Python lists of numbers (data, possibly ragged), not a list of batches."""
    if isinstance(x, (list, tuple)):
        return bool(x) and all(_is_nested_numbers(v) for v in x)
    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


def _is_string_array(array: np.ndarray) -> bool:
    if array.dtype.kind in "US":
        return True
    return array.dtype == object and array.size > 0 and all(
        isinstance(v, (str, bytes)) for v in array.reshape(-1))


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                     class_weight=None, device=None):
    """Picks the adapter for `x` (arrays, or a generator / iterable / DataLoader)."""
    if x is None:
        raise ValueError("`x` is required: pass the input data (arrays or a generator).")
    if not _is_array_structure(x):
        special = _special_adapter(x, y, sample_weight, batch_size, steps, shuffle,
                                   class_weight, device)
        if special is not None:
            return special
        if _is_nested_numbers(x):
            to_tensor(np.asarray(x, dtype=object), name="x")  # Raises: ragged lists.
        if not hasattr(x, "__iter__"):
            raise ValueError(
                f"Unrecognized data type for `x`: {type(x).__name__}. Pass NumPy arrays, torch "
                "tensors, a list/dict of them, or a generator yielding `(x, y)` batches."
            )
        if y is not None:
            raise ValueError(
                "`y` must not be given when `x` is a generator, iterable or DataLoader: "
                "yield `(x, y)` tuples from it instead."
            )
        if sample_weight is not None:
            raise ValueError(
                "`sample_weight` must not be given when `x` is a generator: yield "
                "`(x, y, sample_weight)` tuples instead."
            )
        return GeneratorDataAdapter(x, steps=steps, device=device, class_weight=class_weight)
    if isinstance(x, list) and not all(isinstance(v, (np.ndarray, torch.Tensor, Mapping))
                                       or hasattr(v, "to_numpy") for v in x):
        x = np.asarray(x)
    if isinstance(y, list) and not all(isinstance(v, (np.ndarray, torch.Tensor))
                                       or hasattr(v, "to_numpy") for v in y):
        y = np.asarray(y)
    if class_weight is not None:
        if y is None:
            raise ValueError("`class_weight` needs targets `y`.")
        cw = class_weight_to_sample_weight(y, class_weight)
        sample_weight = cw if sample_weight is None else np.asarray(sample_weight) * cw
    return ArrayDataAdapter(x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle,
                            device=device, steps=steps)


def single_batch(adapter: DataAdapter, method: str) -> tuple:
    """`(x, y, sample_weight)` of an array adapter: the one batch of `method`
    (`train_on_batch` / `test_on_batch`)."""
    if not isinstance(adapter, ArrayDataAdapter):
        raise ValueError(
            f"`{method}` takes one batch of arrays or tensors; received `x` read through "
            f"{type(adapter).__name__} (a generator, dataset or loader). Iterate over it and "
            f"call `{method}(x_batch, y_batch)` on each batch, or use `fit` / `evaluate`."
        )
    return adapter.x, adapter.y, adapter.sample_weight
