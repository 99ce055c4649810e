"""`ProgbarLogger`: prints the Keras progress bar during `fit`, `evaluate` and `predict`."""

from __future__ import annotations

import time

from layerwise.callbacks.callback import Callback
from layerwise.utils.progbar import Progbar, _print, is_interactive


def resolve_verbose(verbose) -> int:
    """`"auto"` is 1 on a terminal or in a notebook, 2 when output goes to a file or pipe."""
    if verbose == "auto":
        return 1 if is_interactive() else 2
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return int(verbose)


class ProgbarLogger(Callback):
    """Prints metrics to stdout: a bar for `verbose=1`, one line per epoch for `verbose=2`.

    Logs are read (which waits for the device) only when the bar redraws, at most
    every 50 ms, never on the other steps.
    """

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self.seen = 0
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = resolve_verbose(params.get("verbose", 1))
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset()
            self._bar()

    def on_predict_begin(self, logs=None):
        self._reset()
        self._bar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        self._bar()
        if self.verbose and self.epochs > 1:
            _print(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None):
        self._finalize(logs)

    def _reset(self):
        self.seen = 0
        self.progbar = None

    def _bar(self):
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=_AllNames())
        return self.progbar

    def _update(self, batch, logs):
        self.seen = batch + 1
        bar = self._bar()
        if self.verbose == 1 and bar.should_redraw(self.seen):
            bar.update(self.seen, list((logs or {}).items()), finalize=False)
        elif self.seen == 1:
            # Keep Keras' time-per-step estimate, which leaves out the first step.
            bar._seen_so_far = self.seen
            bar._estimate_step_duration(self.seen, time.time())

    def _finalize(self, logs):
        if not self.verbose:
            return
        bar = self._bar()
        if self.target is None:
            self.target = self.seen
            bar.target = self.target
        bar.update(self.target, list((logs or {}).items()), finalize=True)


class _AllNames:
    """Every metric is shown as given: logs already hold running means."""

    def __contains__(self, item):
        return True

    def __iter__(self):
        return iter(())

