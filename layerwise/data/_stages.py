"""The steps a `Dataset` chains: each knows how to run one pass and how long it is."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from layerwise.data import _cache_file, _parallel
from layerwise.data.elements import (
    EagerArray,
    as_array,
    collate,
    pad_and_collate,
    split_batch,
    to_element,
)

INFINITE = -1
UNKNOWN = -2


def _map_leaves(fn, value):
    if isinstance(value, tuple):
        return tuple(_map_leaves(fn, v) for v in value)
    if isinstance(value, Mapping):
        return {k: _map_leaves(fn, v) for k, v in value.items()}
    return fn(value)


def _leaves(value) -> list:
    if isinstance(value, tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, Mapping):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def add_axis(tensors):
    """`tensors` with a new leading axis of 1 on every leaf (`Dataset.from_tensors`)."""
    return _map_leaves(lambda leaf: as_array(leaf)[None], tensors)


def _call(fn, element):
    """Calls a user function on an element, unpacking tuples as tf.data does."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


class Step:
    """One step of a pipeline: `iterate()` runs a pass, `cardinality()` counts elements."""

    batched = False

    def iterate(self):
        raise NotImplementedError

    def cardinality(self) -> int:
        return UNKNOWN


class _Unary(Step):
    # False where the stage changes the number of elements unpredictably (filter,
    # unbatch): its cardinality is then UNKNOWN, or INFINITE after an infinite upstream.
    _count_kept = True

    def __init__(self, upstream: Step):
        self.upstream = upstream
        self.batched = upstream.batched

    def cardinality(self) -> int:
        count = self.upstream.cardinality()
        return count if self._count_kept or count == INFINITE else UNKNOWN


# ------------------------------------------------------------------ sources
class Slices(Step):
    """Rows of in-memory arrays (`from_tensor_slices`)."""

    def __init__(self, tensors):
        if isinstance(tensors, list) and tensors and isinstance(tensors[0], (tuple, Mapping)):
            raise ValueError("`tensors` must be an array or a tuple/dict of arrays, not a list "
                             "of tuples: pass `(xs, ys)` instead of `[(x, y), ...]`.")
        self.tensors = _map_leaves(as_array, tensors)
        lengths = {len(leaf) if leaf.ndim else -1 for leaf in _leaves(self.tensors)}
        if -1 in lengths:
            raise ValueError("`from_tensor_slices` needs arrays with a first axis to slice; "
                             "received a scalar. Use `from_tensors` for a single element.")
        if len(lengths) != 1:
            raise ValueError("All arrays given to `from_tensor_slices` must have the same "
                             f"length; received lengths {sorted(lengths)}.")
        self.length = lengths.pop()

    def cardinality(self) -> int:
        return self.length

    def iterate(self):
        for i in range(self.length):
            yield _map_leaves(lambda leaf, i=i: _row(leaf, i), self.tensors)

    def rows(self, start: int, stop: int):
        """Rows `start:stop` as one batch element (a copy)."""
        return _map_leaves(lambda leaf: np.array(leaf[start:stop]).view(EagerArray),
                           self.tensors)


def _row(leaf: np.ndarray, i: int):
    row = leaf[i]
    if isinstance(row, np.ndarray):
        return np.array(row).view(EagerArray)
    out = np.empty((), dtype=leaf.dtype)
    out[()] = row
    return out.view(EagerArray)


class FromGenerator(Step):
    def __init__(self, generator, args):
        self.generator = generator
        self.args = args

    def iterate(self):
        for element in self.generator(*self.args):
            yield to_element(element)


class Zip(Step):
    def __init__(self, structure):
        self.structure = structure
        steps = _leaves(_map_leaves(lambda d: _as_step(d), structure))
        self.steps = steps
        self.batched = all(s.batched for s in steps)

    def cardinality(self) -> int:
        counts = [s.cardinality() for s in self.steps]
        if UNKNOWN in counts:
            return UNKNOWN
        finite = [c for c in counts if c >= 0]
        return min(finite) if finite else INFINITE

    def iterate(self):
        iterators = _map_leaves(lambda d: iter(_as_step(d).iterate()), self.structure)
        end = object()
        while True:
            element = _map_leaves(lambda it: next(it, end), iterators)
            if any(leaf is end for leaf in _leaves(element)):
                return
            yield element


def _as_step(dataset) -> Step:
    step = getattr(dataset, "_step", None)
    if not isinstance(step, Step):
        raise TypeError("`Dataset.zip` takes datasets (a tuple or dict of them). Received: "
                        f"{type(dataset).__name__}")
    return step


# ------------------------------------------------------------------ element-wise steps
class Map(_Unary):
    def __init__(self, upstream, fn, parallelism, ordered):
        super().__init__(upstream)
        self.fn = fn
        if parallelism == _parallel.AUTOTUNE:
            parallelism = _parallel.default_parallelism()
        self.parallelism = parallelism
        self.ordered = ordered

    def _apply(self, element):
        return to_element(_call(self.fn, element))

    def iterate(self):
        if not self.parallelism or self.parallelism <= 1:
            for element in self.upstream.iterate():
                yield self._apply(element)
            return
        yield from _parallel.parallel_map(self._apply, self.upstream.iterate(),
                                          self.parallelism, self.ordered)


class Filter(_Unary):
    _count_kept = False

    def __init__(self, upstream, predicate):
        super().__init__(upstream)
        self.predicate = predicate

    def iterate(self):
        for element in self.upstream.iterate():
            keep = _call(self.predicate, element)
            keep = keep.detach().cpu().numpy() if hasattr(keep, "detach") else keep
            if bool(np.asarray(keep)):
                yield element


class Enumerate(_Unary):
    def __init__(self, upstream, start):
        super().__init__(upstream)
        self.start = start

    def iterate(self):
        for i, element in enumerate(self.upstream.iterate(), self.start):
            yield to_element(np.int64(i)), element


class Shard(_Unary):
    def __init__(self, upstream, num_shards, index):
        super().__init__(upstream)
        self.num_shards, self.index = num_shards, index

    def cardinality(self) -> int:
        n = self.upstream.cardinality()
        return n if n < 0 else max(0, math.ceil((n - self.index) / self.num_shards))

    def iterate(self):
        for i, element in enumerate(self.upstream.iterate()):
            if i % self.num_shards == self.index:
                yield element


# ------------------------------------------------------------------ batching
class Batch(_Unary):
    def __init__(self, upstream, batch_size, drop_remainder, pad=None):
        super().__init__(upstream)
        self.batch_size = batch_size
        self.drop_remainder = drop_remainder
        self.pad = pad
        self.batched = True

    def cardinality(self) -> int:
        n = self.upstream.cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else math.ceil(n / self.batch_size)

    def _collate(self, elements):
        if self.pad is None:
            return collate(elements)
        return pad_and_collate(elements, *self.pad)

    def iterate(self):
        if isinstance(self.upstream, Slices) and self.pad is None:
            yield from self._slices()
            return
        group = []
        for element in self.upstream.iterate():
            group.append(element)
            if len(group) == self.batch_size:
                yield self._collate(group)
                group = []
        if group and not self.drop_remainder:
            yield self._collate(group)

    def _slices(self):
        """Batches of in-memory arrays, sliced rather than stacked row by row."""
        n, size = self.upstream.length, self.batch_size
        stop = n - n % size if self.drop_remainder else n
        for start in range(0, stop, size):
            yield self.upstream.rows(start, min(start + size, stop))


class Unbatch(_Unary):
    _count_kept = False

    def __init__(self, upstream):
        super().__init__(upstream)
        self.batched = False

    def iterate(self):
        for batch in self.upstream.iterate():
            yield from split_batch(batch)


# ------------------------------------------------------------------ order and length
class Shuffle(_Unary):
    """tf.data's buffered shuffle, seeded per pass from `(seed, pass number)`."""

    def __init__(self, upstream, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(upstream)
        self.buffer_size = buffer_size
        self.seed = seed
        self.reshuffle = reshuffle_each_iteration
        self.passes = 0

    def iterate(self):
        pass_number = self.passes if self.reshuffle else 0
        self.passes += 1
        rng = np.random.default_rng([self.seed, pass_number])
        size = self.buffer_size if self.buffer_size > 0 else None
        buffer = []
        for element in self.upstream.iterate():
            if size is None or len(buffer) < size:
                buffer.append(element)
                continue
            j = int(rng.integers(len(buffer)))
            yield buffer[j]
            buffer[j] = element
        while buffer:
            j = int(rng.integers(len(buffer)))
            buffer[j], buffer[-1] = buffer[-1], buffer[j]
            yield buffer.pop()


class _Counted(_Unary):
    """A stage of `count` (elements or passes) over its upstream."""

    def __init__(self, upstream, count):
        super().__init__(upstream)
        self.count = count


class Take(_Counted):
    def cardinality(self) -> int:
        n = self.upstream.cardinality()
        if self.count < 0:
            return n
        if n == UNKNOWN:
            return UNKNOWN
        return self.count if n == INFINITE else min(n, self.count)

    def iterate(self):
        if self.count == 0:
            return
        for i, element in enumerate(self.upstream.iterate(), 1):
            yield element
            if i == self.count:
                return


class Skip(_Counted):
    def cardinality(self) -> int:
        n = self.upstream.cardinality()
        if self.count < 0:
            return 0
        return n if n < 0 else max(0, n - self.count)

    def iterate(self):
        if self.count < 0:
            return
        for i, element in enumerate(self.upstream.iterate()):
            if i >= self.count:
                yield element


class Repeat(_Counted):
    def cardinality(self) -> int:
        n = self.upstream.cardinality()
        if n == 0 or self.count == 0:
            return 0
        if self.count < 0:
            return INFINITE
        return n if n < 0 else n * self.count

    def iterate(self):
        done = 0
        while self.count < 0 or done < self.count:
            produced = False
            for element in self.upstream.iterate():
                produced = True
                yield element
            if not produced:
                return  # An empty dataset repeated is empty, not an endless loop.
            done += 1


class Concatenate(Step):
    def __init__(self, first: Step, second: Step):
        self.first, self.second = first, second
        self.batched = first.batched

    def cardinality(self) -> int:
        counts = (self.first.cardinality(), self.second.cardinality())
        if INFINITE in counts:
            return INFINITE
        return UNKNOWN if UNKNOWN in counts else sum(counts)

    def iterate(self):
        yield from self.first.iterate()
        yield from self.second.iterate()


# ------------------------------------------------------------------ performance
class Cache(_Unary):
    def __init__(self, upstream, filename):
        super().__init__(upstream)
        self.filename = filename
        self.elements = None

    def iterate(self):
        if self.elements is None and self.filename:
            self.elements = _cache_file.read(self.filename)
        if self.elements is not None:
            yield from self.elements
            return
        elements = []
        for element in self.upstream.iterate():
            elements.append(element)
            yield element
        self.elements = elements  # Only a complete pass is kept, as in tf.data.
        if self.filename:
            _cache_file.write(self.filename, elements)


class Prefetch(_Unary):
    def __init__(self, upstream, buffer_size):
        super().__init__(upstream)
        self.buffer_size = buffer_size

    def iterate(self):
        return _parallel.prefetch(self.upstream.iterate, self.buffer_size)
