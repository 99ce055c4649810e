"""Threads behind `Dataset.map(num_parallel_calls=...)` and `Dataset.prefetch()`."""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

AUTOTUNE = -1

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def default_parallelism() -> int:
    """What `AUTOTUNE` means for `map`: one call per CPU core (at least 2)."""
    return max(2, os.cpu_count() or 2)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=default_parallelism(),
                                       thread_name_prefix="layerwise-data")
        return _POOL


def parallel_map(fn, items, parallelism: int, ordered: bool = True):
    """Yields `fn(item)` for each item, computing up to `2 * parallelism` ahead in threads.

    In input order when `ordered` (tf.data's `deterministic=True`, the default), else in
    the order the calls finish. An exception in `fn` is raised here, at its element.
    """
    pool = _pool()
    window = max(1, 2 * parallelism)
    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            while len(pending) >= window:
                yield from _take(pending, ordered)
        while pending:
            yield from _take(pending, ordered)
    finally:
        for future in pending:
            future.cancel()


def _take(pending: deque, ordered: bool):
    if ordered:
        yield pending.popleft().result()
        return
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in [f for f in pending if f in done]:
        pending.remove(future)
        yield future.result()


_END = object()


def prefetch(iterator_fn, buffer_size: int):
    """Yields the elements of `iterator_fn()`, produced up to `buffer_size` ahead in a thread.

    Stopping early (a `break`, `take(1)`) stops the producer thread; an exception in
    the pipeline is raised here, where the element would have been.
    """
    buffer: queue.Queue = queue.Queue(maxsize=max(1, buffer_size))
    stop = threading.Event()

    def produce():
        try:
            for element in iterator_fn():
                while not stop.is_set():
                    try:
                        buffer.put((element, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put((_END, None))
        except BaseException as error:  # Re-raised in the consumer.
            buffer.put((_END, error))

    thread = threading.Thread(target=produce, name="layerwise-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            element, error = buffer.get()
            if element is _END:
                if error is not None:
                    raise error
                return
            yield element
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get(timeout=0.05)
            except queue.Empty:
                pass
