"""`Callback`: hooks called by `fit`, `evaluate` and `predict`."""

from __future__ import annotations


class Callback:
    """Base class of callbacks. Override the hooks you need.

    Attributes:
        model: The model being trained (set by `fit`).
        params: `{"verbose", "epochs", "steps"}` of the current run.

    Example:

    >>> import layerwise as keras
    >>> class PrintLoss(keras.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, round(logs["loss"], 2))
    """

    def __init__(self):
        self.params: dict = {}
        self._model = None
        self.validation_data = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Keras 2 alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2 alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch of `fit`."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its training and validation logs."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of `evaluate` (and of validation)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of `evaluate` (and of validation)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of `predict`."""

    def on_train_begin(self, logs=None):
        """Called at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called at the end of `fit`."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` (and of each validation)."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` (and of each validation)."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""
