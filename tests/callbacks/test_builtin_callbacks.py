"""The built-in callbacks: behaviour in `fit`, and decisions compared with real Keras 3.

Callbacks whose decisions depend only on the logs (EarlyStopping,
ReduceLROnPlateau, ModelCheckpoint's file names and `save_best_only`,
CSVLogger's file) are driven in both libraries with the same synthetic logs,
and their outcomes compared.
"""

from __future__ import annotations

import http.server
import json
import math
import os
import sys
import threading
import urllib.parse
import warnings

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise.callbacks.monitor_callback import MonitorCallback
from layerwise.utils.atomic import atomic_path, atomic_write

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def small_model(module=keras, metrics=("acc",), optimizer="sgd", units=3):
    model = module.Sequential([module.Input((4,)), module.layers.Dense(units, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=list(metrics))
    return model


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def fake_save(model, log):
    """Gives `model` stand-in `save`/`save_weights` (NumPy files) that record their calls."""

    def save(path, **kwargs):
        log.append(path)
        with open(path, "wb") as f:
            np.save(f, np.concatenate([w.ravel() for w in model.get_weights()]))

    model.save = save
    model.save_weights = save


def real_keras(request):
    real = request.getfixturevalue("keras")
    real.backend.clear_session(free_memory=False)
    return real


def drive(callback, model, history, monitor="val_loss", weights_per_epoch=True):
    """Feeds `history` to `callback` as epoch logs, like `fit`; returns the epochs run.

    Each epoch's weights are set to the epoch index first, so restored weights
    tell which epoch they came from.
    """
    callback.set_model(model)
    callback.set_params({"epochs": len(history), "verbose": 0, "steps": 1})
    model.stop_training = False
    callback.on_train_begin()
    run = 0
    for epoch, value in enumerate(history):
        callback.on_epoch_begin(epoch)
        if weights_per_epoch:
            model.set_weights([np.full(w.shape, float(epoch), "float32")
                               for w in model.get_weights()])
        callback.on_epoch_end(epoch, {monitor: value})
        run += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return run


# ------------------------------------------------------------- MonitorCallback
def test_monitor_auto_mode_directions():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["acc", "mae", keras.metrics.AUC()])
    x, y = data()
    model.fit(x, (y > 0).astype("float32"), epochs=1, verbose=0)
    expected = {"loss": "min", "val_loss": "min", "acc": "max", "val_acc": "max",
                "mae": "min", "val_auc": "max"}
    for monitor, direction in expected.items():
        cb = MonitorCallback(monitor=monitor)
        cb.set_model(model)
        cb._set_monitor_op()
        assert cb._is_improvement(2.0, 1.0) == (direction == "max"), monitor
    cb = MonitorCallback(monitor="val_unknown")
    cb.set_model(model)
    with pytest.raises(ValueError, match="mode='max'"):
        cb._set_monitor_op()
    with pytest.warns(UserWarning, match="mode 'bogus' is unknown"):
        cb = MonitorCallback(monitor="loss", mode="bogus")
    assert cb.mode == "auto"


def test_min_delta_sign():
    cb = MonitorCallback(monitor="loss", mode="min", min_delta=0.1)
    cb._set_monitor_op()
    assert cb.min_delta == -0.1
    assert cb._is_improvement(0.85, 1.0) and not cb._is_improvement(0.95, 1.0)
    cb = MonitorCallback(monitor="acc", mode="max", min_delta=-0.1)  # abs() is taken
    cb._set_monitor_op()
    assert cb.min_delta == 0.1
    assert cb._is_improvement(0.75, 0.6) and not cb._is_improvement(0.65, 0.6)


# --------------------------------------------------------------- EarlyStopping
HISTORIES = [
    [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.5],
    [1.0, 0.9, 0.8, 0.85, 0.79, 0.81, 0.82, 0.83, 0.84],
    [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
    [1.0, 0.95, 0.9, 0.85, 0.8],
]
EARLY_CONFIGS = [
    dict(patience=0),
    dict(patience=2),
    dict(patience=1, min_delta=0.06),
    dict(patience=2, baseline=0.85),
    dict(patience=1, baseline=0.3, restore_best_weights=True),
    dict(patience=2, restore_best_weights=True),
    dict(patience=1, start_from_epoch=3, restore_best_weights=True),
    dict(patience=1, mode="max", restore_best_weights=True),
]


@pytest.mark.keras
@pytest.mark.parametrize("config", EARLY_CONFIGS, ids=lambda c: ",".join(map(str, c.items())))
def test_early_stopping_matches_keras(request, config):
    real = real_keras(request)
    for history in HISTORIES:
        ours_model = small_model(units=1)
        theirs_model = small_model(real, units=1)
        ours = keras.callbacks.EarlyStopping(**config)
        theirs = real.callbacks.EarlyStopping(**config)
        run_ours = drive(ours, ours_model, history)
        run_theirs = drive(theirs, theirs_model, history)
        assert run_ours == run_theirs, history
        assert ours.stopped_epoch == theirs.stopped_epoch
        assert ours.best_epoch == theirs.best_epoch
        assert ours.wait == theirs.wait
        assert ours.best == theirs.best
        for a, b in zip(ours_model.get_weights(), theirs_model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_early_stopping_in_fit_restores_best_weights():
    model = small_model()
    x, y = data()

    class Record(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append(self.model.get_weights())
            logs["val_loss"] = [3.0, 1.0, 2.0, 2.5, 2.6, 2.7][epoch]  # a fixed history

    record = Record()
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[record, stop])
    assert len(history.history["loss"]) == 4
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for a, b in zip(model.get_weights(), record.weights[1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_missing_monitor_warns():
    model = small_model()
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss`"):
        history = model.fit(*data(), epochs=2, verbose=0,
                            callbacks=[keras.callbacks.EarlyStopping()])
    assert len(history.history["loss"]) == 2


# ----------------------------------------------------------- ReduceLROnPlateau
@pytest.mark.keras
@pytest.mark.parametrize("config", [
    dict(factor=0.5, patience=1),
    dict(factor=0.5, patience=2, cooldown=2, min_lr=0.002),
    dict(factor=0.1, patience=0, min_delta=0.05),
    dict(factor=0.2, patience=1, cooldown=1, mode="max"),
])
def test_reduce_lr_on_plateau_matches_keras(request, config):
    real = real_keras(request)
    history = [1.0, 0.99, 0.98, 0.99, 0.97, 0.96, 0.96, 0.96, 0.8, 0.8, 0.8, 0.8, 0.8]
    sequences = []
    for module in (keras, real):
        model = small_model(module, optimizer=module.optimizers.SGD(0.01))
        cb = module.callbacks.ReduceLROnPlateau(monitor="val_loss", **config)
        cb.set_model(model)
        cb.on_train_begin()
        lrs, logged = [], []
        for epoch, value in enumerate(history):
            logs = {"val_loss": value}
            cb.on_epoch_end(epoch, logs)
            logged.append(logs["learning_rate"])
            lrs.append(float(np.asarray(model.optimizer.learning_rate)))
        sequences.append((lrs, logged, cb.wait, cb.cooldown_counter))
    ours, theirs = sequences
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    assert ours[2:] == theirs[2:]


def test_reduce_lr_on_plateau_in_fit():
    model = small_model(optimizer=keras.optimizers.SGD(0.1))
    x, y = data()
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
                                           min_delta=10.0, min_lr=0.03)
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[cb])
    # The logged rate is the one the epoch trained with (logged before the reduction).
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.03])
    assert model.optimizer.learning_rate == pytest.approx(0.03)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        keras.callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="conditioned on metric `val_loss`"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.ReduceLROnPlateau()])


# ------------------------------------------------------- LearningRateScheduler
def test_learning_rate_scheduler():
    model = small_model(optimizer=keras.optimizers.SGD(0.01))
    x, y = np.arange(100).reshape(5, 20).astype("float32")[:, :4], np.zeros(5)

    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    history = model.fit(x, y, epochs=15, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(scheduler)])
    assert round(model.optimizer.learning_rate, 5) == 0.00607  # Keras' docstring value
    assert history.history["learning_rate"][0] == pytest.approx(0.01)
    assert history.history["learning_rate"][-1] == pytest.approx(model.optimizer.learning_rate)
    # The Keras 2 signature, schedule(epoch).
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch: 0.5 / (epoch + 1))])
    assert model.optimizer.learning_rate == pytest.approx(0.25)
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[keras.callbacks.LearningRateScheduler(lambda e, lr: "fast")])


# ------------------------------------------------------------------ CSVLogger
@pytest.mark.keras
def test_csv_logger_file_matches_keras(request, tmp_path):
    real = real_keras(request)
    epochs_logs = [{"loss": 0.5, "acc": 0.25}, {"loss": 0.25, "acc": 0.5, "extra": 1.0}]
    contents = []
    for module, name in ((keras, "ours.csv"), (real, "theirs.csv")):
        path = tmp_path / name
        for append in (False, True):  # a second run appends without a header
            cb = module.callbacks.CSVLogger(str(path), separator=";", append=append)
            cb.on_train_begin()
            for epoch, logs in enumerate(epochs_logs):
                cb.on_epoch_end(epoch, dict(logs))
            cb.on_train_end()
        contents.append(path.read_bytes())
    assert contents[0] == contents[1]
    assert contents[0].decode().splitlines()[0] == "epoch;acc;loss;val_acc;val_loss"


def test_csv_logger_in_fit(tmp_path):
    path = tmp_path / "sub" / "log.csv"
    model = small_model()
    x, y = data()
    model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y),
              callbacks=[keras.callbacks.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,acc,loss,val_acc,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1"]
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    assert len(path.read_text().splitlines()) == 2  # overwritten (append=False)
    assert not [p for p in os.listdir(path.parent) if p.startswith(".tmp-")]


# -------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan():
    x, y = data()
    model = small_model(optimizer=keras.optimizers.SGD(1e30))
    x_big = x * 1e30
    history = model.fit(x_big, y, batch_size=4, epochs=3, verbose=0,
                        callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])
    model = small_model(optimizer=keras.optimizers.SGD(1e30))
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        model.fit(x_big, y, batch_size=4, epochs=3, verbose=0,
                  callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])


# -------------------------------------------------------------- LambdaCallback
def test_lambda_callback_hooks():
    calls = []
    cb = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(f"epoch_begin{epoch}"),
        on_train_batch_begin=lambda batch, logs: calls.append(f"batch_begin{batch}"),
        on_train_batch_end=lambda batch, logs: calls.append(f"batch_end{batch}:{'loss' in logs}"),
        on_epoch_end=lambda epoch, logs: calls.append(f"epoch_end{epoch}"),
        on_train_end=lambda logs: calls.append("train_end"),
        on_test_end=lambda logs: calls.append("test_end"),
        note="kept",
    )
    assert cb.note == "kept"
    model = small_model()
    x, y = data(8)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y), callbacks=[cb])
    assert calls == ["train_begin", "epoch_begin0", "batch_begin0", "batch_end0:True",
                     "batch_begin1", "batch_end1:True", "test_end", "epoch_end0", "train_end"]
    seen = []
    model.fit(x, y, batch_size=4, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1]


# --------------------------------------------------------------- RemoteMonitor
class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, self.headers["Content-Type"],
                                     self.headers.get("X-Run"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_remote_monitor_posts_epoch_logs(http_server):
    root = f"http://127.0.0.1:{http_server.server_address[1]}"
    model = small_model()
    x, y = data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        keras.callbacks.RemoteMonitor(root=root, headers={"X-Run": "a"})])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[
        keras.callbacks.RemoteMonitor(root=root, path="/json/", send_as_json=True)])
    form, form2, as_json = http_server.requests
    assert form[0] == "/publish/epoch/end/" and form[2] == "a"
    assert form[1] == "application/x-www-form-urlencoded"
    sent = json.loads(urllib.parse.parse_qs(form[3].decode())["data"][0])
    assert sent["epoch"] == 0 and set(sent) == {"epoch", "loss", "acc"}
    assert json.loads(urllib.parse.parse_qs(form2[3].decode())["data"][0])["epoch"] == 1
    assert as_json[0] == "/json/" and as_json[1] == "application/json"
    assert set(json.loads(as_json[3])) == {"epoch", "loss", "acc"}


def test_remote_monitor_unreachable_warns():
    model = small_model()
    cb = keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9", timeout=2)
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        model.fit(*data(), epochs=1, verbose=0, callbacks=[cb])


# ----------------------------------------------------------------- TensorBoard
def _read_events(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"histograms": 0, "scalars": 0,
                                                       "tensors": 0})
    acc.Reload()
    return acc


def test_tensorboard_writes_event_files(tmp_path):
    pytest.importorskip("tensorboard")
    model = small_model()
    x, y = data()
    cb = keras.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=1, update_freq=2,
                                     write_images=True, write_steps_per_second=True)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x, y), callbacks=[cb])
    train = _read_events(tmp_path / "train")
    tags = train.Tags()
    assert {"epoch_loss", "epoch_acc", "epoch_learning_rate", "epoch_steps_per_second",
            "batch_loss", "batch_steps_per_second"} <= set(tags["scalars"])
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1]
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6]  # every 2 of 6 batches
    assert train.Scalars("epoch_learning_rate")[0].value == pytest.approx(0.01)
    assert {"dense/kernel/histogram", "dense/bias/histogram"} <= set(tags["histograms"])
    assert "dense/kernel/image" in tags["images"]
    assert "keras" in tags["tensors"]  # the Keras model graph (its JSON)
    graph = train.Tensors("keras")[0].tensor_proto.string_val[0].decode()
    assert json.loads(graph)["class_name"] == "Sequential"
    val = _read_events(tmp_path / "validation")
    assert {"epoch_loss", "epoch_acc", "evaluation_loss_vs_iterations"} <= set(
        val.Tags()["scalars"])
    history = model.history.history
    assert val.Scalars("epoch_loss")[1].value == pytest.approx(history["val_loss"][1], rel=1e-6)
    assert [e.step for e in val.Scalars("evaluation_loss_vs_iterations")] == [3, 6]


def test_tensorboard_requires_the_tensorboard_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        keras.callbacks.TensorBoard()


def test_tensorboard_profiling_is_refused(tmp_path):
    pytest.importorskip("tensorboard")
    with pytest.raises(ValueError, match="Profiling is not yet available"):
        keras.callbacks.TensorBoard(tmp_path, profile_batch=2)


# -------------------------------------------------------------- SwapEMAWeights
def test_swap_ema_weights_for_validation_and_predict():
    x, y = data(32)
    model = small_model(optimizer=keras.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5))
    cb = keras.callbacks.SwapEMAWeights()

    class Check(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):  # runs after the swap: the EMA weights
            self.ema = [w.detach().clone() for w in self.model.trainable_weights]
            self.trained = [a.detach().clone() for a in self.model.optimizer._averages]

    check = Check()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[cb, check])
    val_loss = model.history.history["val_loss"][0]
    # After fit, the model holds the EMA weights (finalize_variable_values).
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(val_loss, rel=1e-6)
    for w, ema, trained in zip(model.trainable_weights, check.ema, check.trained):
        assert torch.equal(w, ema) and not torch.equal(w, trained)
    before = [w.detach().clone() for w in model.trainable_weights]
    model.predict(x, verbose=0, callbacks=[cb])
    for w, b in zip(model.trainable_weights, before):
        assert torch.equal(w, b)  # swapped back after predict
    plain = small_model()
    plain.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="use_ema=True"):
        plain.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])


def test_swap_ema_weights_on_epoch_checkpoint_holds_ema(tmp_path):
    x, y = data(32)
    model = small_model(optimizer=keras.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5))
    seen = []

    class Snapshot(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append([w.detach().clone() for w in self.model.trainable_weights])

    model.fit(x, y, batch_size=8, epochs=2, verbose=0,
              callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=True), Snapshot()])
    # The last epoch's snapshot (EMA weights) is what fit leaves in the model.
    for w, s in zip(model.trainable_weights, seen[-1]):
        assert torch.equal(w, s)


# -------------------------------------------------------------- ModelCheckpoint
@pytest.mark.keras
def test_checkpoint_file_names_match_keras(request, tmp_path):
    real = real_keras(request)
    logs = {"loss": 0.123456, "val_loss": 1.98765, "acc": 0.5}
    patterns = ["weights.{epoch:02d}-{val_loss:.2f}.keras", "m-{epoch}-{batch:03d}.keras",
                "w.{epoch:03d}-{acc:.3f}.weights.h5"]
    for pattern in patterns:
        weights_only = pattern.endswith(".weights.h5")
        ours = keras.callbacks.ModelCheckpoint(str(tmp_path / pattern),
                                               save_weights_only=weights_only)
        theirs = real.callbacks.ModelCheckpoint(str(tmp_path / pattern),
                                                save_weights_only=weights_only)
        for epoch, batch in ((0, None), (4, 9)):
            if batch is None and "{batch" in pattern:
                continue
            assert ours._get_file_path(epoch, batch, logs) == theirs._get_file_path(
                epoch, batch, dict(logs))
    for bad, kwargs in (("model.h5x", {}), ("w.keras", {"save_weights_only": True})):
        with pytest.raises(ValueError):
            keras.callbacks.ModelCheckpoint(str(tmp_path / bad), **kwargs)
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")
    with pytest.raises(KeyError, match="Failed to format"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "{nope}.keras"))._get_file_path(0, None, {})


@pytest.mark.keras
@pytest.mark.parametrize("config", [
    dict(save_best_only=True),
    dict(save_best_only=True, initial_value_threshold=0.85),
    dict(save_best_only=True, mode="max"),
    dict(save_best_only=False),
])
def test_checkpoint_save_decisions_match_keras(request, tmp_path, config):
    real = real_keras(request)
    history = [1.0, 0.9, 0.95, 0.8, 0.8, 0.7, 1.2]
    decisions = []
    for module in (keras, real):
        model = small_model(module)
        cb = module.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), **config)
        cb.set_model(model)
        cb._set_monitor_op()
        saved = [cb._should_save_model(epoch, None, {"val_loss": value}, "m.keras")
                 for epoch, value in enumerate(history)]
        decisions.append((saved, cb.best))
    assert decisions[0] == decisions[1]


def test_checkpoint_in_fit_with_stand_in_saver(tmp_path):
    model = small_model()
    x, y = data()
    log = []
    fake_save(model, log)
    pattern = str(tmp_path / "ckpt" / "w.{epoch:02d}-{val_loss:.2f}.keras")
    model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y),
              callbacks=[keras.callbacks.ModelCheckpoint(pattern)])
    names = sorted(os.listdir(tmp_path / "ckpt"))
    losses = model.history.history["val_loss"]
    assert names == [f"w.{e + 1:02d}-{v:.2f}.keras" for e, v in enumerate(losses)]
    # The saver wrote a temporary file beside the target, renamed afterwards.
    assert all(os.path.basename(p).startswith(".tmp-") for p in log)
    assert all(os.path.dirname(p) == str(tmp_path / "ckpt") for p in log)

    # save_freq in batches: counted across epochs (4 batches per epoch, every 3).
    log.clear()
    cb = keras.callbacks.ModelCheckpoint(str(tmp_path / "b.{epoch}-{batch}.keras"), save_freq=3)
    model.fit(x, y, batch_size=6, epochs=3, verbose=0, callbacks=[cb])
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith("b.")) == [
        "b.1-3.keras", "b.2-2.keras", "b.3-1.keras", "b.3-4.keras"]

    # save_best_only keeps the best file: a worse epoch does not overwrite it.
    log.clear()
    best = tmp_path / "best.keras"
    cb = keras.callbacks.ModelCheckpoint(str(best), monitor="loss", save_best_only=True,
                                         verbose=1)

    class Losses(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["loss"] = [1.0, 0.5, 0.7, 0.4][epoch]

    model.fit(x, y, epochs=4, verbose=0, callbacks=[Losses(), cb])
    assert len(log) == 3 and cb.best == 0.4


def test_checkpoint_without_saving_api_is_clear(tmp_path):
    class NoSave:
        pass

    cb = keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"))
    cb.set_model(NoSave())
    with pytest.raises(NotImplementedError, match=r"model.save\(\)"):
        cb._save_model(0, None, {})


def test_checkpoint_real_saving(tmp_path):
    model = small_model()
    if not hasattr(model, "save"):
        pytest.skip("model.save / load_model (layerwise.saving) are not available yet")
    x, y = data()
    path = tmp_path / "m.keras"
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[keras.callbacks.ModelCheckpoint(str(path), monitor="loss")])
    loaded = keras.models.load_model(str(path))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    weights = tmp_path / "w.weights.h5"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(
        str(weights), monitor="loss", save_weights_only=True)])
    other = small_model()
    other.load_weights(str(weights))
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


# ----------------------------------------------------------------- atomic helper
def test_atomic_write_replaces_or_keeps(tmp_path):
    path = tmp_path / "f.txt"
    with atomic_write(path, "w") as f:
        f.write("one")
    assert path.read_text() == "one"
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert path.read_text() == "one"
    with atomic_write(path, "wb") as f:
        f.write(b"two")
    assert path.read_bytes() == b"two"
    with pytest.raises(FileExistsError):
        with atomic_write(path, "x") as f:
            f.write("three")
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(path, "a"):
            pass
    assert os.listdir(tmp_path) == ["f.txt"]
    with atomic_path(tmp_path / "m.weights.h5") as temp:
        assert temp.endswith(".m.weights.h5") and os.path.basename(temp).startswith(".tmp-")
        with open(temp, "wb") as f:
            f.write(b"x")
    assert (tmp_path / "m.weights.h5").read_bytes() == b"x"
    with pytest.raises(FileNotFoundError):
        with atomic_path(tmp_path / "never"):
            pass
    assert sorted(os.listdir(tmp_path)) == ["f.txt", "m.weights.h5"]
    mode = os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_callbacks_do_not_warn_in_plain_fit(tmp_path):
    pytest.importorskip("tensorboard")
    model = small_model()
    x, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[
            keras.callbacks.EarlyStopping(patience=5),
            keras.callbacks.ReduceLROnPlateau(patience=5),
            keras.callbacks.CSVLogger(tmp_path / "log.csv"),
            keras.callbacks.TerminateOnNaN(),
            keras.callbacks.TensorBoard(tmp_path / "tb"),
            keras.callbacks.BackupAndRestore(tmp_path / "backup", save_freq=2),
        ])


def test_epoch_level_callbacks_cost_nothing_per_batch(tmp_path):
    from layerwise.callbacks import CallbackList

    def wants(*callbacks):
        lst = CallbackList(list(callbacks))
        return {h for h in ("on_train_batch_begin", "on_train_batch_end") if lst.wants(h)}

    cb = keras.callbacks
    assert wants(cb.ModelCheckpoint(str(tmp_path / "m.keras")),
                 cb.BackupAndRestore(tmp_path / "b"), cb.EarlyStopping(),
                 cb.ReduceLROnPlateau(), cb.CSVLogger(tmp_path / "l.csv")) == set()
    assert wants(cb.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq=5)) == {
        "on_train_batch_end"}
    assert wants(cb.BackupAndRestore(tmp_path / "b", save_freq=5)) == {"on_train_batch_end"}
    assert wants(cb.TerminateOnNaN()) == {"on_train_batch_end"}

    class Sub(cb.ModelCheckpoint):
        def on_train_batch_end(self, batch, logs=None):
            pass

    assert wants(Sub(str(tmp_path / "m.keras"))) == {"on_train_batch_end"}
    if "tensorboard" in sys.modules or _has_tensorboard():
        assert wants(cb.TensorBoard(tmp_path / "tb")) == set()
        assert wants(cb.TensorBoard(tmp_path / "tb", update_freq="batch")) == {
            "on_train_batch_begin", "on_train_batch_end"}


def _has_tensorboard():
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True
