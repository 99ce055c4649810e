"""The batch counting of the callbacks that save every `save_freq` batches or once per
epoch (`ModelCheckpoint`, `BackupAndRestore`), as Keras counts."""

from __future__ import annotations


class SaveFrequency:
    """Mixin: `on_train_batch_end` calls `_save_on_batch(batch, logs)` every `save_freq`
    batches (counted across epochs); with `save_freq="epoch"` the batch hook is idle.

    The class sets `save_freq`, `_batches_seen_since_last_saving` (0) and
    `_last_batch_seen` (`None` or 0 before the first batch).
    """

    save_freq: str | int
    _batches_seen_since_last_saving: int
    _last_batch_seen: int | None

    def _idle_batch_hooks(self) -> set:
        """Batch hooks `CallbackList` may skip: all of them when saving once per epoch."""
        if self.save_freq == "epoch" and (
            type(self).on_train_batch_end is SaveFrequency.on_train_batch_end
        ):
            return {"on_train_batch_end"}
        return set()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_on_batch(batch, logs)

    def _save_on_batch(self, batch: int, logs) -> None:
        raise NotImplementedError

    def _should_save_on_batch(self, batch: int) -> bool:
        """Counts the batches seen; `True` every `save_freq` of them."""
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            add_batches = batch + 1  # A new epoch: batches are zero-indexed.
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False
