"""`Dataset`: the tf.data API that Keras tutorials call, on NumPy and threads.

A `Dataset` is a lazy chain of steps (`map`, `batch`, `shuffle`, ...) over a source
(arrays, a generator, the files of a folder). Iterating it runs one pass; iterating
again runs another (reshuffled when a `shuffle` asks for it). `fit`, `evaluate` and
`predict` take it directly, and `len()` / `cardinality()` give the number of
elements when it is known, so the progress bar knows the epoch length.
"""

from __future__ import annotations

import numpy as np

from layerwise.data import _stages as stages
from layerwise.data._parallel import AUTOTUNE
from layerwise.data.elements import spec_of, to_element, to_numpy_element

INFINITE_CARDINALITY = stages.INFINITE
UNKNOWN_CARDINALITY = stages.UNKNOWN


def _check_count(value, name, allow_negative_one=True):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or (
            value < (-1 if allow_negative_one else 0)):
        lowest = "-1 (all)" if allow_negative_one else "0"
        raise ValueError(f"`{name}` must be an integer >= {lowest}. Received: {name}={value!r}")
    return int(value)


def _check_parallel(num_parallel_calls):
    if num_parallel_calls is None:
        return None
    value = getattr(num_parallel_calls, "numpy", lambda: num_parallel_calls)()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or (
            value < 1 and value != AUTOTUNE):
        raise ValueError("`num_parallel_calls` must be a positive integer or AUTOTUNE. "
                         f"Received: num_parallel_calls={num_parallel_calls!r}")
    return int(value)


class Dataset:
    """A sequence of elements read lazily, with the methods of `tf.data.Dataset`.

    Returned by `keras.utils.image_dataset_from_directory`, `text_dataset_from_directory`,
    `audio_dataset_from_directory`, `timeseries_dataset_from_array` and `split_dataset`;
    built directly with `Dataset.from_tensor_slices`, `from_tensors`, `from_generator`,
    `range` and `zip`. Elements are NumPy arrays (`EagerArray`: with `.numpy()`, like
    tf.data's eager tensors) in tuples and dicts; strings are `bytes`.

    Attributes:
        class_names: Class names of a directory dataset (kept through the methods).
        file_paths: File paths of a directory dataset.

    Example:

    >>> import numpy as np
    >>> from layerwise.data import Dataset
    >>> ds = Dataset.from_tensor_slices((np.arange(6), np.arange(6) * 10))
    >>> ds = ds.map(lambda x, y: (x * 2, y)).batch(4)
    >>> [(x.tolist(), y.tolist()) for x, y in ds]
    [([0, 2, 4, 6], [0, 10, 20, 30]), ([8, 10], [40, 50])]
    >>> int(ds.cardinality()), len(ds)
    (2, 2)
    """

    def __init__(self, step: stages.Step, class_names=None, file_paths=None):
        self._step = step
        self.class_names = class_names
        self.file_paths = file_paths

    def _then(self, step: stages.Step) -> Dataset:
        return Dataset(step, self.class_names, self.file_paths)

    # ---------------------------------------------------------------- sources
    @staticmethod
    def from_tensor_slices(tensors) -> Dataset:
        """One element per row of `tensors` (an array, or a tuple/dict of arrays)."""
        return Dataset(stages.Slices(tensors))

    @staticmethod
    def from_tensors(tensors) -> Dataset:
        """A dataset of one element: `tensors` itself."""
        return Dataset(stages.Slices(stages.add_axis(tensors)))

    @staticmethod
    def range(*args, dtype="int64") -> Dataset:
        """Like Python's `range(start, stop, step)`, as `int64` elements."""
        return Dataset(stages.Slices(np.arange(*args).astype(dtype)))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None) -> Dataset:
        """Elements of `generator(*args)`, called anew for each pass.

        `output_signature` / `output_types` / `output_shapes` are accepted for tf.data
        compatibility; the elements' own shapes and dtypes are used.
        """
        if not callable(generator):
            raise TypeError("`generator` must be a callable that returns an iterator (e.g. a "
                            f"generator function). Received: {type(generator).__name__}")
        return Dataset(stages.FromGenerator(generator, tuple(args or ())))

    @staticmethod
    def zip(*datasets) -> Dataset:
        """Elements of several datasets side by side (a tuple, or the given structure)."""
        structure = datasets[0] if len(datasets) == 1 else datasets
        return Dataset(stages.Zip(structure))

    # ---------------------------------------------------------------- transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """Applies `map_func` to every element (tuple elements are unpacked into arguments).

        Args:
            map_func: Function of an element (`lambda x, y: (f(x), y)` for pairs). It may
                call layers (their torch outputs become NumPy again), NumPy or torch.
            num_parallel_calls: Elements computed at once in threads (`AUTOTUNE`: one per
                core). Default: one at a time.
            deterministic: `False` lets parallel results arrive in completion order.
        """
        parallel = _check_parallel(num_parallel_calls)
        return self._then(stages.Map(self._step, map_func, parallel, deterministic is not False))

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None) -> Dataset:
        """Stacks consecutive elements into batches of `batch_size` (the last may be smaller)."""
        batch_size = _check_count(batch_size, "batch_size", allow_negative_one=False)
        if batch_size == 0:
            raise ValueError("`batch_size` must be at least 1. Received: batch_size=0")
        return self._then(stages.Batch(self._step, batch_size, bool(drop_remainder)))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None) -> Dataset:
        """Batches elements of different shapes, padding each to the largest (or `padded_shapes`)."""
        batch_size = _check_count(batch_size, "batch_size", allow_negative_one=False)
        return self._then(stages.Batch(self._step, batch_size, bool(drop_remainder),
                                       pad=(padded_shapes, padding_values)))

    def unbatch(self, name=None) -> Dataset:
        """Splits each batch back into its elements."""
        return self._then(stages.Unbatch(self._step))

    def rebatch(self, batch_size, drop_remainder=False, name=None) -> Dataset:
        """Regroups a batched dataset into batches of `batch_size`."""
        return self.unbatch().batch(batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True,
                name=None) -> Dataset:
        """Shuffles with a buffer of `buffer_size` elements, as tf.data.

        A buffer at least as large as the dataset gives a uniform shuffle. With a `seed`
        (or after `keras.utils.set_random_seed`) every run gives the same orders; each
        pass gets a new one unless `reshuffle_each_iteration=False`.
        """
        buffer_size = _check_count(buffer_size, "buffer_size")
        if buffer_size == 0:
            raise ValueError("`buffer_size` must be positive (or -1 for the whole dataset). "
                             "Received: buffer_size=0")
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        return self._then(stages.Shuffle(self._step, buffer_size, int(seed),
                                         bool(reshuffle_each_iteration)))

    def take(self, count, name=None) -> Dataset:
        """The first `count` elements (`-1`: all)."""
        return self._then(stages.Take(self._step, _check_count(count, "count")))

    def skip(self, count, name=None) -> Dataset:
        """All but the first `count` elements (`-1`: none)."""
        return self._then(stages.Skip(self._step, _check_count(count, "count")))

    def repeat(self, count=None, name=None) -> Dataset:
        """Repeats the dataset `count` times (`None` or `-1`: forever)."""
        count = -1 if count is None else _check_count(count, "count")
        return self._then(stages.Repeat(self._step, count))

    def filter(self, predicate, name=None) -> Dataset:
        """Keeps the elements for which `predicate(element)` is true."""
        return self._then(stages.Filter(self._step, predicate))

    def enumerate(self, start=0, name=None) -> Dataset:
        """Pairs each element with its index: `(i, element)`, `i` an int64."""
        return self._then(stages.Enumerate(self._step, int(start)))

    def concatenate(self, dataset, name=None) -> Dataset:
        """This dataset's elements, then `dataset`'s."""
        if not isinstance(dataset, Dataset):
            raise TypeError("`dataset` must be a `layerwise.data.Dataset`. Received: "
                            f"{type(dataset).__name__}")
        return self._then(stages.Concatenate(self._step, dataset._step))

    def cache(self, filename="", name=None) -> Dataset:
        """Keeps the elements after the first complete pass: in memory, or in `filename`.

        A file cache persists across runs (delete the file to refresh it) and is read
        without unpickling; it is written only after a complete pass.
        """
        return self._then(stages.Cache(self._step, str(filename or "")))

    def prefetch(self, buffer_size=AUTOTUNE, name=None) -> Dataset:
        """Prepares up to `buffer_size` elements ahead in a background thread."""
        size = _check_parallel(buffer_size)
        return self._then(stages.Prefetch(self._step, 2 if size in (None, AUTOTUNE) else size))

    def shard(self, num_shards, index, name=None) -> Dataset:
        """Every `num_shards`-th element, starting at `index` (one worker's share)."""
        num_shards = _check_count(num_shards, "num_shards", allow_negative_one=False)
        if not 0 <= int(index) < max(num_shards, 1):
            raise ValueError(f"`index` must be in [0, num_shards). Received: index={index}, "
                             f"num_shards={num_shards}")
        return self._then(stages.Shard(self._step, num_shards, int(index)))

    def apply(self, transformation_func) -> Dataset:
        """`transformation_func(self)`: a chain step written as a function of datasets."""
        return transformation_func(self)

    # ---------------------------------------------------------------- reading
    def __iter__(self):
        return iter(self._step.iterate())

    def as_numpy_iterator(self):
        """Iterates over the elements as plain NumPy arrays (and `bytes` for strings)."""
        for element in self:
            yield to_numpy_element(element)

    def cardinality(self):
        """Number of elements, or `INFINITE_CARDINALITY` (-1) / `UNKNOWN_CARDINALITY` (-2).

        Returned as a 0-d int64 array, so both `int(ds.cardinality())` and
        `ds.cardinality().numpy()` work.
        """
        return to_element(np.int64(self._step.cardinality()))

    def __len__(self):
        n = self._step.cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite (it ends in `repeat()`): it has no length.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown (after `filter`, `unbatch` or a "
                            "generator source).")
        return n

    def __bool__(self):
        return True

    @property
    def element_spec(self):
        """The `TensorSpec` structure of the elements (read from the first element)."""
        for element in self.take(1):
            return spec_of(element, self._step.batched)
        raise ValueError("`element_spec` of an empty dataset is unknown: it has no element.")

    def __repr__(self):
        n = self._step.cardinality()
        size = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(n, n)
        return f"<Dataset {type(self._step).__name__}, cardinality={size}>"
