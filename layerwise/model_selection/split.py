"""`KFold` and `StratifiedKFold`: the folds scikit-learn makes, without scikit-learn."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator

import numpy as np


def _num_samples(x) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") and len(x[0].shape) > 0 \
            and not np.isscalar(x[0]):
        x = x[0]
    if hasattr(x, "shape"):
        return int(x.shape[0])
    return len(x)


def _random_state(seed):
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"`random_state` must be None, an int or a numpy RandomState, received "
                     f"{seed!r}.")


class _Folds:
    def __init__(self, n_splits: int = 5, shuffle: bool = False, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or n_splits < 2:
            raise ValueError(f"`n_splits` must be an integer of at least 2, received {n_splits!r}.")
        if not isinstance(shuffle, bool):
            raise ValueError(f"`shuffle` must be True or False, received {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError("Setting a `random_state` has no effect since `shuffle` is False; "
                             "leave it out or set `shuffle=True`.")
        self.n_splits, self.shuffle, self.random_state = int(n_splits), shuffle, random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """The number of folds."""
        return self.n_splits

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yields `(train_indices, test_indices)` for each fold (both sorted)."""
        n = _num_samples(X)
        indices = np.arange(n)
        for test in self._test_masks(n, y):
            yield indices[~test], indices[test]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_splits={self.n_splits}, "
                f"random_state={self.random_state!r}, shuffle={self.shuffle})")


class KFold(_Folds):
    """K consecutive folds (shuffled first with `shuffle=True`); each is the test set once.

    The first `n % n_splits` folds have one extra sample. Equal to
    `sklearn.model_selection.KFold` for the same arguments.

    Args:
        n_splits: Number of folds (at least 2).
        shuffle: Shuffle the samples before cutting the folds.
        random_state: Seed of the shuffle (an int gives scikit-learn's order).

    Example:

    >>> [test.tolist() for _, test in KFold(3).split(np.zeros(7))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def _test_masks(self, n: int, y):
        if self.n_splits > n:
            raise ValueError(f"Cannot have `n_splits`={self.n_splits} greater than the number "
                             f"of samples: {n}.")
        order = np.arange(n)
        if self.shuffle:
            _random_state(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n // self.n_splits, dtype=int)
        sizes[: n % self.n_splits] += 1
        start = 0
        for size in sizes:
            mask = np.zeros(n, dtype=bool)
            mask[order[start:start + size]] = True
            start += size
            yield mask


class StratifiedKFold(_Folds):
    """K folds that keep each class' share of the samples (for classification).

    Equal to `sklearn.model_selection.StratifiedKFold`; `y` may be class
    indices or one-hot rows.

    Args:
        n_splits: Number of folds (at least 2).
        shuffle: Shuffle each class' samples before assigning folds.
        random_state: Seed of the shuffle.
    """

    def split(self, X, y=None, groups=None):
        """Yields `(train_indices, test_indices)`; `y` (the classes) is required."""
        if y is None:
            raise ValueError("StratifiedKFold.split needs `y`, the classes to stratify on.")
        return super().split(X, y, groups)

    def _test_masks(self, n: int, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            y = y.argmax(axis=1)
        y = y.reshape(-1)
        if len(y) != n:
            raise ValueError(f"`y` has {len(y)} samples but `X` has {n}.")
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_perm = np.unique(first, return_inverse=True)
        encoded = class_perm[inverse.reshape(-1)]
        counts = np.bincount(encoded)
        if np.all(self.n_splits > counts):
            raise ValueError(f"n_splits={self.n_splits} cannot be greater than the number of "
                             "members in each class.")
        if self.n_splits > counts.min():
            warnings.warn(f"The least populated class in y has only {counts.min()} members, "
                          f"which is less than n_splits={self.n_splits}.", UserWarning,
                          stacklevel=3)
        ordered = np.sort(encoded)
        allocation = np.asarray([np.bincount(ordered[i::self.n_splits], minlength=len(counts))
                                 for i in range(self.n_splits)])
        rng = _random_state(self.random_state)
        test_folds = np.empty(n, dtype="i")
        for k in range(len(counts)):
            folds_for_class = np.arange(self.n_splits).repeat(allocation[:, k])
            if self.shuffle:
                rng.shuffle(folds_for_class)
            test_folds[encoded == k] = folds_for_class
        for i in range(self.n_splits):
            yield test_folds == i
