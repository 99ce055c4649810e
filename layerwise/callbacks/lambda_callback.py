"""`LambdaCallback`: a callback made of plain functions."""

from __future__ import annotations

from layerwise.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on the fly.

    The functions are called with positional arguments:

    - `on_epoch_begin` and `on_epoch_end`: `epoch`, `logs`;
    - `on_train_begin` and `on_train_end`: `logs`;
    - `on_train_batch_begin` and `on_train_batch_end`: `batch`, `logs`;
    - any other hook of `Callback` given by name in `**kwargs`
      (e.g. `on_test_end=lambda logs: ...`), with that hook's arguments.

    Args:
        on_epoch_begin: Called at the beginning of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the beginning of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called at the beginning of every training batch.
        on_train_batch_end: Called at the end of every training batch.
        **kwargs: Other hooks (`on_test_begin=fn`, ...) or attributes to set.

    Example:

    >>> import layerwise as keras
    >>> batch_print_callback = keras.callbacks.LambdaCallback(
    ...     on_train_batch_begin=lambda batch, logs: print(batch))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for hook, fn in hooks.items():
            if fn is not None:
                setattr(self, hook, fn)
