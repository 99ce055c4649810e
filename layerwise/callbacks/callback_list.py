"""`CallbackList`: dispatches hooks to callbacks, and lazy batch logs."""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np
import torch

from layerwise.callbacks.callback import Callback
from layerwise.callbacks.history import History
from layerwise.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")


class LazyLogs(MutableMapping):
    """Batch logs whose values are read from the device only when a callback looks.

    Args:
        compute: Function returning the `{name: float}` dict when first needed.
    """

    __slots__ = ("_compute", "_values")

    def __init__(self, compute):
        self._compute = compute
        self._values = None

    def _resolved(self) -> dict:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def __getitem__(self, key):
        return self._resolved()[key]

    def __setitem__(self, key, value):
        self._resolved()[key] = value

    def __delitem__(self, key):
        del self._resolved()[key]

    def __iter__(self):
        return iter(self._resolved())

    def __len__(self):
        return len(self._resolved())

    def __repr__(self):
        return repr(self._resolved())


def pythonify_logs(logs) -> dict:
    """Flattens nested dicts and turns scalar values into Python floats (sorted keys)."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            value = float(value) if value.ndim == 0 else value.numpy()
        elif isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
            value = float(value)
        result[key] = value
    return result


def _as_logs(logs):
    """Keras passes `{}` for no logs, and flat dicts of Python numbers."""
    if logs is None:
        return {}
    if isinstance(logs, LazyLogs) or (isinstance(logs, dict) and "outputs" in logs):
        return logs
    return pythonify_logs(logs)


_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback: Callback, hook: str) -> bool:
    idle = getattr(callback, "_idle_batch_hooks", None)
    if idle is not None and hook in idle():
        return False  # Defined, but with this configuration it does nothing.
    # The train hooks forward to the Keras 2 `on_batch_*` aliases.
    names = (hook, _ALIASES[hook]) if hook in _ALIASES else (hook,)
    instance_attrs = getattr(callback, "__dict__", {})
    for name in names:
        if name in instance_attrs:  # Set on the instance (e.g. by `LambdaCallback`).
            return True
        if getattr(type(callback), name, None) is not getattr(Callback, name):
            return True
    return False


def _batch_hook(hook: str):
    """The `CallbackList` method `hook(batch, logs)`: calls it on the callbacks that listen."""
    def dispatch(self, batch, logs=None):
        self._batch(hook, batch, logs)

    dispatch.__name__, dispatch.__qualname__ = hook, f"CallbackList.{hook}"
    return dispatch


def _run_hook(hook: str):
    """The `CallbackList` method `hook(logs)`: calls it on every callback."""
    def dispatch(self, logs=None):
        self._all(hook, logs)

    dispatch.__name__, dispatch.__qualname__ = hook, f"CallbackList.{hook}"
    return dispatch


class CallbackList:
    """A list of callbacks, with `History` and `ProgbarLogger` added as in Keras.

    Batch hooks are only dispatched to callbacks that override them, so an
    epoch without such callbacks costs no Python work per step.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks: list[Callback] = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"`callbacks` must contain `keras.callbacks.Callback` instances. "
                    f"Received: {cb!r}"
                )
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        self.params = params
        if model is not None:
            self.set_model(model)
        self.set_params(params)
        self._batch_listeners = {
            hook: [cb for cb in self.callbacks if _overrides(cb, hook)] for hook in _BATCH_HOOKS
        }

    @property
    def history(self) -> History | None:
        return next((c for c in self.callbacks if isinstance(c, History)), None)

    def set_model(self, model):
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def wants(self, hook: str) -> bool:
        """Whether any callback listens to the batch hook `hook`."""
        return bool(self._batch_listeners[hook])

    def _batch(self, hook, batch, logs):
        logs = _as_logs(logs)
        for cb in self._batch_listeners[hook]:
            getattr(cb, hook)(batch, logs)

    on_train_batch_begin = _batch_hook("on_train_batch_begin")
    on_train_batch_end = _batch_hook("on_train_batch_end")
    on_test_batch_begin = _batch_hook("on_test_batch_begin")
    on_test_batch_end = _batch_hook("on_test_batch_end")
    on_predict_batch_begin = _batch_hook("on_predict_batch_begin")
    on_predict_batch_end = _batch_hook("on_predict_batch_end")

    def _all(self, hook, *args):
        *args, logs = args
        logs = _as_logs(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._all("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._all("on_epoch_end", epoch, logs)

    on_train_begin = _run_hook("on_train_begin")
    on_train_end = _run_hook("on_train_end")
    on_test_begin = _run_hook("on_test_begin")
    on_test_end = _run_hook("on_test_end")
    on_predict_begin = _run_hook("on_predict_begin")
    on_predict_end = _run_hook("on_predict_end")
