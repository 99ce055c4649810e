"""Callbacks: every hook, in Keras' order, with Keras' logs."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras
from layerwise.callbacks import Callback, CallbackList, History, ProgbarLogger

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


def make_recorder(base):
    """A callback class (subclass of `base`) recording `(hook, index, sorted log keys)`."""

    def hook_method(name):
        def method(self, *args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args and not isinstance(args[-1], int) else None)
            index = args[0] if args and isinstance(args[0], int) else None
            keys = tuple(sorted(logs)) if isinstance(logs, dict) or hasattr(logs, "keys") else ()
            self.calls.append((name, index, keys))
        method.__name__ = name
        return method

    namespace = {name: hook_method(name) for name in HOOKS}

    def __init__(self):
        base.__init__(self)
        self.calls = []

    namespace["__init__"] = __init__
    return type("Recorder", (base,), namespace)


Recorder = make_recorder(Callback)


def model_and_data(module=keras):
    model = module.Sequential([module.Input((4,)), module.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4)).astype("float32")
    y = rng.integers(0, 3, size=10)
    return model, x, y


def run_all(module, recorder):
    model, x, y = model_and_data(module)
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x[:6], y[:6]), verbose=0,
              callbacks=[recorder])
    model.evaluate(x, y, batch_size=5, verbose=0, callbacks=[recorder])
    model.predict(x, batch_size=8, verbose=0, callbacks=[recorder])
    return recorder.calls


def names(calls):
    return [(name, index) for name, index, _ in calls]


def test_hook_order_in_fit_evaluate_predict():
    calls = names(run_all(keras, Recorder()))
    expected = [("on_train_begin", None)]
    for e in range(2):
        expected += [("on_epoch_begin", e)]
        for b in range(3):
            expected += [("on_train_batch_begin", b), ("on_train_batch_end", b)]
        expected += [("on_test_begin", None)]
        for b in range(2):
            expected += [("on_test_batch_begin", b), ("on_test_batch_end", b)]
        expected += [("on_test_end", None), ("on_epoch_end", e)]
    expected += [("on_train_end", None)]
    expected += [("on_test_begin", None)]
    for b in range(2):
        expected += [("on_test_batch_begin", b), ("on_test_batch_end", b)]
    expected += [("on_test_end", None)]
    expected += [("on_predict_begin", None)]
    for b in range(2):
        expected += [("on_predict_batch_begin", b), ("on_predict_batch_end", b)]
    expected += [("on_predict_end", None)]
    assert calls == expected


def test_logs_given_to_the_hooks():
    calls = run_all(keras, Recorder())
    by_hook = {}
    for name, _, keys in calls:
        by_hook.setdefault(name, []).append(keys)
    assert set(by_hook["on_epoch_end"]) == {("acc", "loss", "val_acc", "val_loss")}
    assert set(by_hook["on_train_batch_end"]) == {("acc", "loss")}
    assert set(by_hook["on_test_end"]) == {("acc", "loss")}
    assert set(by_hook["on_test_batch_end"]) == {("acc", "loss")}
    assert set(by_hook["on_train_end"]) == {("acc", "loss", "val_acc", "val_loss")}
    assert set(by_hook["on_predict_batch_end"]) == {("outputs",)}


@pytest.mark.keras
def test_hook_sequence_and_logs_match_keras(request):
    real = request.getfixturevalue("keras")
    real.backend.clear_session(free_memory=False)
    theirs = run_all(real, make_recorder(real.callbacks.Callback)())
    ours = run_all(keras, Recorder())
    assert names(ours) == names(theirs)
    assert ours == theirs  # log keys included


def test_batch_logs_are_running_means_and_epoch_logs_match_history():
    class Collect(Callback):
        def __init__(self):
            super().__init__()
            self.batch_logs, self.epoch_logs = [], []

        def on_train_batch_end(self, batch, logs=None):
            self.batch_logs.append(dict(logs))

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_logs.append(dict(logs))

    model, x, y = model_and_data()
    cb = Collect()
    history = model.fit(x, y, batch_size=5, epochs=2, verbose=0, callbacks=[cb])
    assert len(cb.batch_logs) == 4
    assert all(isinstance(v, float) for logs in cb.batch_logs for v in logs.values())
    assert cb.epoch_logs[0] == {k: v[0] for k, v in history.history.items()}
    # The last batch log of an epoch is the epoch's mean (equal batch sizes).
    assert cb.batch_logs[1]["loss"] == pytest.approx(cb.epoch_logs[0]["loss"])
    assert cb.batch_logs[3]["acc"] == pytest.approx(cb.epoch_logs[1]["acc"])


def test_keras2_batch_aliases_are_called_in_training():
    class Old(Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_batch_begin(self, batch, logs=None):
            self.calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            self.calls.append(("end", batch, "loss" in logs))

    model, x, y = model_and_data()
    cb = Old()
    model.fit(x, y, batch_size=5, epochs=1, verbose=0, callbacks=[cb])
    assert cb.calls == [("begin", 0), ("end", 0, True), ("begin", 1), ("end", 1, True)]
    cb.calls.clear()
    model.evaluate(x, y, verbose=0, callbacks=[cb])
    assert cb.calls == []  # aliases are training-only, as in Keras


def test_model_and_params_are_set():
    seen = {}

    class Check(Callback):
        def on_train_begin(self, logs=None):
            seen["model"] = self.model
            seen["params"] = dict(self.params)

    model, x, y = model_and_data()
    model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[Check()])
    assert seen["model"] is model
    assert seen["params"] == {"verbose": 0, "epochs": 3, "steps": 3}


def test_history_is_added_once_and_returned():
    model, x, y = model_and_data()
    mine = History()
    returned = model.fit(x, y, epochs=2, verbose=0, callbacks=[mine])
    assert returned is mine and model.history is mine
    assert len(mine.history["loss"]) == 2
    assert mine.epoch == [0, 1]
    # A second fit returns a new History.
    second = model.fit(x, y, epochs=1, verbose=0)
    assert second is not mine and len(second.history["loss"]) == 1


def test_stop_training_in_on_train_batch_end_and_on_epoch_end():
    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < 100:
                self.model.stop_training = True

    model, x, y = model_and_data()
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[Stop()])
    assert len(history.history["loss"]) == 1
    # stop_training is reset by the next fit.
    history = model.fit(x, y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_callbacks_can_change_the_learning_rate():
    class Zero(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.model.optimizer.learning_rate = 0.0

    model, x, y = model_and_data()
    initial = model.get_weights()[0]
    weights = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights.append(self.model.get_weights()[0])

    model.fit(x, y, epochs=3, verbose=0, callbacks=[Zero(), Snapshot()])
    assert not np.array_equal(initial, weights[0])  # epoch 0 trains
    np.testing.assert_array_equal(weights[0], weights[1])  # then the rate is 0
    np.testing.assert_array_equal(weights[1], weights[2])


def test_callback_list_dispatch_and_progbar_insertion():
    rec = Recorder()
    callbacks = CallbackList([rec], add_history=True, add_progbar=True, model=None, verbose=0,
                             epochs=1, steps=2)
    assert isinstance(callbacks.callbacks[0], ProgbarLogger)
    assert isinstance(callbacks.history, History)
    assert callbacks.callbacks[1] is rec and rec.params == {"verbose": 0, "epochs": 1,
                                                            "steps": 2}
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    callbacks.on_epoch_end(0, {"loss": 1.0})
    assert names(rec.calls) == [("on_epoch_begin", 0), ("on_train_batch_end", 0),
                                ("on_epoch_end", 0)]
    assert callbacks.history.history == {"loss": [1.0]}
    with pytest.raises(TypeError, match="Callback"):
        CallbackList([object()])


def test_evaluate_and_predict_accept_callbacks_and_print_nothing_at_verbose_0(capsys):
    model, x, y = model_and_data()
    rec = Recorder()
    model.evaluate(x, y, verbose=0, callbacks=[rec])
    model.predict(x, verbose=0, callbacks=[rec])
    assert capsys.readouterr().out == ""
    assert rec.calls[0][0] == "on_test_begin" and rec.calls[-1][0] == "on_predict_end"
