"""`History`: records the epoch logs; `fit` returns it."""

from __future__ import annotations

from layerwise.callbacks.callback import Callback

# Keras 2 and Keras 3 spellings of the same log keys (Keras 2.2 logged `acc` for
# `metrics=["accuracy"]`; Keras 2.3+ logged `mean_absolute_error` for `"mae"`).
_SPELLINGS = (
    ("accuracy", "acc"),
    ("mae", "mean_absolute_error"),
    ("mse", "mean_squared_error"),
    ("mape", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"),
    ("crossentropy", "ce"),
)


def _alternatives(key: str) -> list[str]:
    """Other spellings of `key`: the metric name swapped, with any prefix (`val_`, output)."""
    out = []
    for a, b in _SPELLINGS:
        for old, new in ((a, b), (b, a)):
            if key == old:
                out.append(new)
            elif key.endswith("_" + old):
                out.append(key[: -len(old)] + new)
    return out


class HistoryDict(dict):
    """The `history` dict: keys as Keras 3 logs them, read with either spelling.

    `history["acc"]` and `history["accuracy"]` are the same list (whichever was
    logged), as are `val_mae` and `val_mean_absolute_error`; iteration and `keys()`
    show only the logged names.
    """

    def _resolve(self, key):
        if isinstance(key, str) and not dict.__contains__(self, key):
            for other in _alternatives(key):
                if dict.__contains__(self, other):
                    return other
        return key

    def __missing__(self, key):
        resolved = self._resolve(key)
        if resolved is key:
            raise KeyError(key)
        return dict.__getitem__(self, resolved)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, self._resolve(key))

    def get(self, key, default=None):
        return dict.get(self, self._resolve(key), default)


class History(Callback):
    """Records every epoch's logs in `history` (a plain, picklable dict of lists).

    Attributes:
        history: `{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`; Keras 2
            spellings (`acc`, `mean_absolute_error`, `val_acc`, ...) read the same lists.
        epoch: The epoch indices recorded.
        params: The run's parameters (`verbose`, `epochs`, `steps`).

    Example:

    >>> import numpy as np, layerwise as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse", metrics=["mae"])
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    >>> list(history.history), history.history["mean_absolute_error"] == history.history["mae"]
    (['loss', 'mae'], True)
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = HistoryDict()
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self

    def plot(self, metrics=None, to_file=None, figsize=None):
        """Training vs validation curves per metric, best epoch marked (needs matplotlib).

        See `layerwise.reports.plot_history`. Returns the matplotlib `Figure`.
        """
        # Deliberate lazy entry point into the reports package, which sits above callbacks.
        from layerwise.reports.plots import plot_history

        return plot_history(self, metrics=metrics, to_file=to_file, figsize=figsize)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_model"] = None
        return state
