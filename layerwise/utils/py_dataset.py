"""`PyDataset` (alias `Sequence`): a dataset of batches written in Python.

`fit`, `evaluate` and `predict` read a `PyDataset` batch by batch with
`__getitem__`; with `workers > 1` the next batches are computed ahead of time
in a pool of threads (or of processes with `use_multiprocessing=True`), in
order, at most `max_queue_size` batches ahead.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

from layerwise.backend import settings


def _constructor_setting(attribute: str) -> property:
    """A `PyDataset` setting stored in `attribute`; reading it warns when a subclass did not
    call `super().__init__()` (which sets it)."""
    def get(self):
        self._warn_if_super_not_called()
        return getattr(self, attribute)

    def set(self, value) -> None:
        setattr(self, attribute, value)

    return property(get, set)


class PyDataset:
    """Base class for a dataset of batches computed in Python.

    Implement `__getitem__(index)` (returning one complete batch: `x`, `(x, y)` or
    `(x, y, sample_weight)`) and `__len__()` (the number of batches). Optionally
    implement `on_epoch_begin()` / `on_epoch_end()` to change the data between
    epochs (e.g. reshuffle).

    Args:
        workers: Number of threads (or processes) that compute batches ahead of the
            training loop. 1 (default) computes them in the training thread.
        use_multiprocessing: Use a pool of processes instead of threads (for
            CPU-bound Python code; the dataset must be picklable or the platform must
            fork).
        max_queue_size: Batches computed ahead of time at most (default 10).

    These arguments configure how `fit()` iterates; iterating yourself
    (`for batch in dataset`) is sequential.

    Example:

    >>> import math, numpy as np, layerwise as keras
    >>> class Squares(keras.utils.PyDataset):
    ...     def __init__(self, n, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x = np.arange(n, dtype="float32")[:, None]
    ...         self.batch_size = batch_size
    ...     def __len__(self):
    ...         return math.ceil(len(self.x) / self.batch_size)
    ...     def __getitem__(self, idx):
    ...         x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
    ...         return x, x ** 2
    >>> len(Squares(10, 4))
    3
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        warn = False
        if not hasattr(self, "_workers"):
            self._workers, warn = 1, True
        if not hasattr(self, "_use_multiprocessing"):
            self._use_multiprocessing, warn = False, True
        if not hasattr(self, "_max_queue_size"):
            self._max_queue_size, warn = 10, True
        if warn:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will be "
                "ignored.", stacklevel=3)

    workers = _constructor_setting("_workers")
    use_multiprocessing = _constructor_setting("_use_multiprocessing")
    max_queue_size = _constructor_setting("_max_queue_size")

    def __getitem__(self, index):
        """Returns the batch at position `index`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__getitem__(index)` returning a batch."
        )

    @property
    def num_batches(self) -> int | None:
        """Number of batches, or `None` for an infinite dataset (defaults to `len(self)`)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement `__len__` (or the `num_batches` property returning the "
            "number of batches, `None` when infinite)."
        )

    def __iter__(self):
        try:
            num_batches = self.num_batches
        except NotImplementedError:
            num_batches = None
        indices = itertools.count() if num_batches is None else range(num_batches)
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the beginning of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


Sequence = PyDataset


# ----------------------------------------------------------------- parallel reading
_PROCESS_DATASET = None


def _init_process(dataset) -> None:
    global _PROCESS_DATASET
    _PROCESS_DATASET = dataset


def _process_get(index):
    return _PROCESS_DATASET[index]


def uses_workers(dataset) -> bool:
    """Whether `fit` should read `dataset` with a pool (Keras' rule)."""
    workers = getattr(dataset, "workers", 1) or 0
    use_mp = bool(getattr(dataset, "use_multiprocessing", False))
    return workers > 1 or (workers > 0 and use_mp)


def iterate_batches(dataset, indices):
    """Yields `dataset[i]` for `i` in `indices`, in order, computed ahead by the
    dataset's workers when it has more than one.

    Stopping the generator early (or an exception in a worker) shuts the pool down.
    """
    if not uses_workers(dataset):
        for i in indices:
            yield dataset[i]
        return
    workers = int(dataset.workers)
    ahead = max(int(getattr(dataset, "max_queue_size", 10) or 1), workers)
    if getattr(dataset, "use_multiprocessing", False):
        pool = multiprocessing.Pool(workers, initializer=_init_process, initargs=(dataset,))
        submit = lambda i: pool.apply_async(_process_get, (i,))  # noqa: E731
        result = lambda f: f.get()  # noqa: E731
        close = pool.terminate
    else:
        executor = ThreadPoolExecutor(workers, thread_name_prefix="py_dataset")
        submit = lambda i: executor.submit(dataset.__getitem__, i)  # noqa: E731
        result = lambda f: f.result()  # noqa: E731

        def close():
            executor.shutdown(wait=True, cancel_futures=True)

    pending: collections.deque = collections.deque()
    iterator = iter(indices)
    try:
        for i in itertools.islice(iterator, ahead):
            pending.append(submit(i))
        while pending:
            future = pending.popleft()
            batch = result(future)
            for i in itertools.islice(iterator, 1):
                pending.append(submit(i))
            yield batch
    finally:
        close()


# ----------------------------------------------------------------- shared loader pool
_LOADER = {"pool": None, "pid": None, "lock": threading.Lock()}


def loader_pool(max_threads: int | None = None) -> ThreadPoolExecutor | None:
    """A process-wide thread pool for per-sample work that releases the GIL (image
    decoding and resizing), or `None` for one thread. Recreated after a fork.

    Size: `max_threads`, else the environment variable `LAYERWISE_LOADER_THREADS`, else
    `min(8, os.cpu_count())`; read when the pool is first created.
    """
    threads = max_threads or settings.loader_threads() or min(
        8, os.cpu_count() or 1)
    if threads <= 1:
        return None
    with _LOADER["lock"]:
        if _LOADER["pool"] is None or _LOADER["pid"] != os.getpid():
            _LOADER["pool"] = ThreadPoolExecutor(threads, thread_name_prefix="image_loader")
            _LOADER["pid"] = os.getpid()
        return _LOADER["pool"]
