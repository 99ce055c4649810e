"""`fit`'s epoch loop (epochs, batches, validation, step skipping on resume) and evaluation.

The loop reads batches from a `DataAdapter`, runs one step function per batch (the
fast path or a custom `train_step`), and calls the callbacks. A callback that
resumes an interrupted run (`BackupAndRestore`) calls `model.epoch_loop.resume_at`
in `on_train_begin`; nothing else changes the loop from outside.
"""

from __future__ import annotations

from collections.abc import Callable

from layerwise.callbacks.callback_list import CallbackList, LazyLogs
from layerwise.trainers import distributed, kernel_sgd, train_state
from layerwise.trainers.data_adapter_base import DataAdapter


class EpochLoop:
    """Runs the epochs of one `fit` call.

    Args:
        model: The model being trained.
        adapter: The training data.
        callbacks: The run's `CallbackList`.
        epochs: Index of the last epoch.
        initial_epoch: Index of the first epoch.
        validation: `None`, or `(adapter, validation_freq)`.

    Attributes:
        initial_epoch: The epoch training starts at (changed by `resume_at`).
        initial_step: The batches of that epoch already trained (skipped).
    """

    def __init__(self, model, adapter: DataAdapter, callbacks: CallbackList, epochs: int,
                 initial_epoch: int = 0, validation=None, prepared: bool = False):
        self.model = model
        self.adapter = adapter
        self.callbacks = callbacks
        self.epochs = epochs
        self.initial_epoch = initial_epoch
        self.initial_step = 0
        self._on_resume: Callable | None = None
        self._validation = validation
        self._prepared = prepared
        self._changed_flags: list = []
        self._grad_hooks: list = []

    def resume_at(self, epoch: int, step: int = 0, on_resume: Callable | None = None) -> None:
        """Starts training at batch `step` of `epoch` (the finished batches are skipped).

        Args:
            epoch: The epoch to start at.
            step: The batches of `epoch` already trained.
            on_resume: Called with the first batch of the resumed epoch once the
                finished batches are skipped (and before the next one is drawn).
        """
        self.initial_epoch = int(epoch)
        self.initial_step = int(step)
        self._on_resume = on_resume if step else None

    def run(self) -> dict:
        """Trains; returns the last epoch's logs."""
        if self._prepared:
            self._activate()
        try:
            return self._run()
        finally:
            train_state.restore(self._changed_flags)
            self._changed_flags = []
            distributed.unwrap(self.model)
            kernel_sgd.detach(self.model)
            for hook in self._grad_hooks:
                hook.remove()
            self._grad_hooks = []

    def _run(self) -> dict:
        model, callbacks, adapter = self.model, self.callbacks, self.adapter
        train = model._step_function("train")
        custom = model._uses_custom_step("train")
        callbacks.on_train_begin()
        initial_epoch, resume_step = self.initial_epoch, self.initial_step
        epoch_logs: dict = {}
        batch_begin = callbacks.wants("on_train_batch_begin")
        batch_end = callbacks.wants("on_train_batch_end")
        for epoch in range(initial_epoch, self.epochs):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            steps_done = first_step = 0
            batches = adapter.epoch()
            if resume_step:
                batches = self._skip_batches(batches, resume_step)
                steps_done = first_step = resume_step
                resume_step = 0
            logs = None
            for step, (xb, yb, swb) in enumerate(batches, first_step):
                if not self._prepared:
                    self._prepare(xb)
                if batch_begin:
                    callbacks.on_train_batch_begin(step)
                logs = train(xb, yb, swb)
                steps_done += 1
                if batch_end:
                    callbacks.on_train_batch_end(step, LazyLogs(model._logs) if logs is None
                                                 else logs)
                if model.stop_training:
                    break
            if steps_done == 0:
                if epoch == initial_epoch:
                    raise ValueError(
                        "The training data produced no batch. Check that `x` is not empty and "
                        "that the generator yields `(x, y)` batches."
                    )
                break
            epoch_logs = _epoch_logs(model, logs, custom)
            epoch_logs = self._validate(epoch, epoch_logs)
            callbacks.on_epoch_end(epoch, epoch_logs)
            if model.stop_training or adapter.exhausted:
                break
        return epoch_logs

    def _prepare(self, xb) -> None:
        """Builds and prepares the model from the first batch (streams: no data before)."""
        model = self.model
        train_state.ensure_prepared(model, xb)
        self._prepared = True
        self._activate()

    def _activate(self) -> None:
        """The captured weights (only) require gradients while this loop trains."""
        self._changed_flags = train_state.activate(self.model)
        train_state.warn_if_nothing_to_train(self.model)
        kernel_sgd.attach(self.model)
        if self.model._distributed:
            if self.model._uses_custom_step("train"):
                self._grad_hooks = distributed.sync_gradients_hooks(
                    self.model._trained_weights())
            else:
                self._grad_hooks = distributed.wrap(self.model)

    def _validate(self, epoch: int, epoch_logs: dict) -> dict:
        if self._validation is None:
            return epoch_logs
        adapter, freq = self._validation
        if not _should_validate(epoch, freq):
            return epoch_logs
        val_logs = run_evaluation(self.model, adapter, self.callbacks)
        epoch_logs = {**epoch_logs, **{"val_" + k: v for k, v in val_logs.items()}}
        self.model.train()
        return dict(sorted(epoch_logs.items()))  # Keras sorts all log keys

    def _skip_batches(self, batches, count: int):
        """Yields the batches of a resumed epoch after its first `count` (already trained).

        The epoch is drawn as in the interrupted run (same shuffle order, since
        `BackupAndRestore` restored the random state in `on_epoch_begin`). Once the
        `count` batches are skipped, and before the next is drawn, the `on_resume`
        callback receives the first batch and restores the metrics and random state
        of the interrupted run.
        """
        iterator = iter(batches)
        first = None
        for _ in range(count):
            batch = next(iterator, None)
            if batch is None:
                break
            if first is None:
                first = batch
        if first is not None and not self._prepared:
            self._prepare(first[0])
        hook, self._on_resume = self._on_resume, None
        if hook is not None:
            hook(first)
        yield from iterator


def run_evaluation(model, adapter: DataAdapter, callbacks: CallbackList) -> dict:
    """One pass of `test_step` over `adapter` (for `evaluate` and validation); the logs."""
    model.reset_metrics()
    model.eval()
    test = model._step_function("test")
    custom = model._uses_custom_step("test")
    callbacks.on_test_begin()
    batch_begin = callbacks.wants("on_test_batch_begin")
    batch_end = callbacks.wants("on_test_batch_end")
    logs = None
    for step, (xb, yb, swb) in enumerate(adapter.epoch()):
        if step == 0 and not model.built:
            train_state.ensure_prepared(model, xb)
        if batch_begin:
            callbacks.on_test_batch_begin(step)
        logs = test(xb, yb, swb)
        if batch_end:
            callbacks.on_test_batch_end(step, LazyLogs(model._logs) if logs is None else logs)
    logs = _epoch_logs(model, logs, custom)
    callbacks.on_test_end(logs)
    return logs


def _epoch_logs(model, logs, custom: bool) -> dict:
    """The logs of a finished epoch: global ones (metrics summed over ranks) when distributed."""
    if model._distributed and (not custom or logs is None or set(logs) == set(model._logs())):
        return distributed.global_logs(model)
    return model._metrics_result_or_logs(logs) if custom else model._logs()


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq
