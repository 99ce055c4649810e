"""`ModelCheckpoint`: saves the model (or its weights) during training."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
import torch

from layerwise.callbacks._save_frequency import SaveFrequency
from layerwise.callbacks.monitor_callback import MonitorCallback
from layerwise.distribution import runtime
from layerwise.utils.atomic import TEMP_PREFIX, atomic_path
from layerwise.utils.progbar import _print


class ModelCheckpoint(SaveFrequency, MonitorCallback):
    """Saves the model or its weights at some frequency.

    `filepath` may contain named formatting options, filled with the 1-based
    `epoch`, the 1-based `batch` (with `save_freq` in batches) and the keys of
    the logs: with `filepath="weights.{epoch:02d}-{val_loss:.2f}.keras"` the
    checkpoints are saved with the epoch number and the validation loss in the
    file name.

    Every checkpoint is written to a temporary file in the same folder and then
    renamed over `filepath` (atomic replacement): if the process is killed while
    saving, the previous checkpoint at that path is left intact and loadable.

    Args:
        filepath: Path of the file, ending in `.keras` (full model, saved with
            `model.save`) or, with `save_weights_only=True`, in `.weights.h5`
            (`model.save_weights`). May contain formatting options.
        monitor: The metric name to monitor (a key of the logs: `"val_loss"`,
            `"val_accuracy"`, `"loss"`, ...).
        verbose: 0 (silent) or 1 (print a message when the callback acts).
        save_best_only: If `True`, save only when the model is considered the
            best so far by `monitor` (with a fixed `filepath` the latest best
            model is never overwritten by a worse one).
        save_weights_only: If `True`, save only the weights.
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        save_freq: `"epoch"` (save after each epoch) or an integer (save after
            this many batches; counted across epochs).
        initial_value_threshold: Initial "best" value of the monitored metric
            (only with `save_best_only=True`): the model is only saved once it
            beats this value.

    Example:

    >>> import layerwise as keras
    >>> checkpoint = keras.callbacks.ModelCheckpoint(
    ...     "ckpt/weights.{epoch:02d}-{val_loss:.2f}.weights.h5",
    ...     save_weights_only=True, monitor="val_accuracy", mode="max",
    ...     save_best_only=True)
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch",
                 initial_value_threshold: float | None = None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if self.save_freq != "epoch" and not isinstance(self.save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {self.save_freq}. Expected save_freq are 'epoch' or "
                "integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not any(self.filepath.endswith(ext) for ext in (".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def _save_on_batch(self, batch: int, logs) -> None:
        self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            # Delayed until the model's metrics are built.
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_model(self, epoch, batch, logs, filepath) -> bool:
        """Whether to save now: always, or with `save_best_only` when `monitor` improved.

        A missing monitored value, or a non-scalar one, saves (with a warning),
        as in Keras.
        """
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: saving model to {filepath}\n")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=2)
            return True
        if isinstance(current, (np.ndarray, torch.Tensor)) and len(current.shape) > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: "
                f"{current}. Falling back to `save_best_only=False`.",
                stacklevel=2,
            )
            return True
        if isinstance(current, torch.Tensor):
            current = float(current)
        if self.monitor_op is None:
            self._set_monitor_op()
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to "
                       f"{current:.5f}, saving model to {filepath}\n")
            self.best = current
            return True
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}\n")
        return False

    def _save_model(self, epoch, batch, logs) -> None:
        """Saves the model (atomically) if `_should_save_model` says so."""
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            )
        if not self._should_save_model(epoch, batch, logs, filepath):
            return
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        method = "save_weights" if self.save_weights_only else "save"
        save = getattr(self.model, method, None)
        if save is None:
            raise NotImplementedError(
                f"ModelCheckpoint needs `model.{method}()`, which this model does not have."
            )
        if runtime.is_distributed():
            save(filepath)  # gathered, written once (atomically) by rank 0: saving/_distributed
        else:
            # Written beside the target, then renamed over it: a crash keeps the old file.
            with atomic_path(filepath) as temp:
                save(temp)
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}\n")

    def _get_file_path(self, epoch, batch, logs) -> str:
        """The checkpoint path for this epoch (and batch), with the logs filled in."""
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from e

    def _checkpoint_exists(self, filepath) -> bool:
        """Whether the checkpoint `filepath` exists."""
        return os.path.exists(filepath)

    def _get_most_recently_modified_file_matching_pattern(self, pattern: str) -> str | None:
        """The most recently modified file matching `pattern` (ties: the largest name).

        `pattern` may contain formatting options (`{epoch:02d}`), which match any
        text. Temporary files of interrupted saves are ignored.

        Returns:
            The path, or `None` if no file matches.
        """
        dir_name = os.path.dirname(pattern)
        base_name = os.path.basename(pattern)
        base_name_regex = f"^{re.sub(r'{.*}', r'.*', base_name)}$"
        latest_mod_time = 0
        file_path_with_latest_mod_time = None
        n_file_with_latest_mod_time = 0
        file_path_with_largest_file_name = None
        if os.path.exists(dir_name):
            for file_name in os.listdir(dir_name):
                if file_name.startswith(TEMP_PREFIX) or not re.match(base_name_regex, file_name):
                    continue
                file_path = os.path.join(dir_name, file_name)
                mod_time = os.path.getmtime(file_path)
                if (file_path_with_largest_file_name is None
                        or file_path > file_path_with_largest_file_name):
                    file_path_with_largest_file_name = file_path
                if mod_time > latest_mod_time:
                    latest_mod_time = mod_time
                    file_path_with_latest_mod_time = file_path
                    n_file_with_latest_mod_time = 1
                elif mod_time == latest_mod_time:
                    n_file_with_latest_mod_time += 1
        if n_file_with_latest_mod_time == 1:
            return file_path_with_latest_mod_time
        return file_path_with_largest_file_name
