"""`History`: records the epoch logs; `fit` returns it."""

from __future__ import annotations

from layerwise.callbacks.callback import Callback


class History(Callback):
    """Records every epoch's logs in `history` (a plain, picklable dict of lists).

    Attributes:
        history: `{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`.
        epoch: The epoch indices recorded.
        params: The run's parameters (`verbose`, `epochs`, `steps`).
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
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
