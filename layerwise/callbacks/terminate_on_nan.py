"""`TerminateOnNaN`: stops training when the loss becomes NaN or infinite."""

from __future__ import annotations

import numpy as np

from layerwise.callbacks.callback import Callback
from layerwise.utils.progbar import _print


class TerminateOnNaN(Callback):
    """Terminates training when a NaN or Inf loss is encountered.

    The loss is checked after every training batch (reading it waits for the
    device). By default `model.stop_training` is set, so the epoch ends after
    the current batch and `on_epoch_end`/`on_train_end` still run.

    Args:
        raise_error: If `True`, raise a `RuntimeError` immediately instead, so
            no further callback runs (nothing is saved after the bad batch).

    Example:

    >>> import layerwise as keras
    >>> callback = keras.callbacks.TerminateOnNaN(raise_error=False)
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        """Checks the loss at the end of each training batch.

        Raises:
            RuntimeError: If the loss is NaN/Inf and `raise_error=True`.
        """
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None:
            if np.isnan(loss) or np.isinf(loss):
                if self.raise_error:
                    raise RuntimeError(
                        f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                        "Terminating training immediately."
                    )
                _print(f"Batch {batch}: Invalid loss, terminating training\n")
                self.model.stop_training = True
