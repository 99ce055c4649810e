"""`BackupAndRestore`: a resumed run equals an uninterrupted one.

The crash test trains in a subprocess, kills it with SIGKILL in the middle of
an epoch once a backup exists, restarts the same script, and compares its
final weights with those of an uninterrupted run with the same seed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import layerwise as keras

REPO = Path(__file__).resolve().parents[2]


class Interrupt(Exception):
    pass


class InterruptAt(keras.callbacks.Callback):
    """Raises after the `at`-th training batch (counted across epochs)."""

    def __init__(self, at):
        super().__init__()
        self.at, self.seen = at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.at:
            raise Interrupt


def make_model(seed=7):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dropout(0.2, seed=3),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["acc"])
    return model


def dataset(n=50):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 6)).astype("float32"), rng.integers(0, 3, n)


def fit(model, callbacks, x, y, epochs=4, **kwargs):
    kwargs.setdefault("batch_size", 8)
    return model.fit(x, y, epochs=epochs, verbose=0, validation_data=(x[:10], y[:10]),
                     callbacks=callbacks, **kwargs)


def assert_same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


# 50 samples, batch 8: 7 batches per epoch. Interruptions mid-epoch, right after a
# backup at an epoch's last batch, and at epoch granularity.
@pytest.mark.parametrize("save_freq,interrupt_at", [(3, 11), (5, 19), (7, 7), ("epoch", 17)])
def test_interrupted_fit_resumes_to_the_same_result(tmp_path, save_freq, interrupt_at):
    x, y = dataset()
    reference = make_model()
    ref_history = fit(reference, [], x, y).history
    backup_dir = tmp_path / "backup"
    model = make_model()
    with pytest.raises(Interrupt):
        fit(model, [keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
                    InterruptAt(interrupt_at)], x, y)
    assert (backup_dir / "training_state.npz").exists()
    resumed = make_model()  # a fresh process would build the model again
    history = fit(resumed, [keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq)],
                  x, y).history
    assert_same_weights(resumed, reference)
    assert resumed.optimizer.iterations == reference.optimizer.iterations
    run = len(history["loss"])
    # (7, 7): the backup after the last batch of epoch 0 resumes at that epoch's end.
    assert run == {3: 3, 5: 2, 7: 4, "epoch": 2}[save_freq]
    # The logs of the resumed epochs too: the metrics of a half-done epoch were restored.
    for key, values in ref_history.items():
        assert history[key] == values[-run:], key
    assert not backup_dir.exists()  # deleted once training completes


def test_keras_docstring_example(tmp_path):
    class InterruptingCallback(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 4:
                raise RuntimeError("Interrupting!")

    callback = keras.callbacks.BackupAndRestore(backup_dir=tmp_path / "backup")
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(), loss="mse")
    x, y = np.arange(100).reshape(5, 20).astype("float32"), np.zeros((5, 10))
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=10, batch_size=1, callbacks=[callback, InterruptingCallback()],
                  verbose=0)
    history = model.fit(x, y, epochs=10, batch_size=1, callbacks=[callback], verbose=0)
    assert len(history.history["loss"]) == 6
    # A later fit without the callback starts at its own initial epoch again.
    assert len(model.fit(x, y, epochs=2, verbose=0).history["loss"]) == 2


def test_resume_with_an_iterable_of_batches(tmp_path):
    x, y = dataset(48)
    batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 48, 8)]
    reference = make_model()
    reference.fit(batches, epochs=3, verbose=0)
    model = make_model()
    backup_dir = tmp_path / "backup"
    with pytest.raises(Interrupt):
        model.fit(batches, epochs=3, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(backup_dir, save_freq=4), InterruptAt(10)])
    resumed = make_model()
    resumed(x[:1])  # built, as Keras requires for BackupAndRestore with generators
    resumed.fit(batches, epochs=3, verbose=0,
                callbacks=[keras.callbacks.BackupAndRestore(backup_dir, save_freq=4)])
    assert_same_weights(resumed, reference)


def test_unbuilt_model_is_refused_with_a_generator(tmp_path):
    x, y = dataset(16)
    batches = [(x[:8], y[:8]), (x[8:], y[8:])]
    model = make_model()
    with pytest.raises(Interrupt):
        model.fit(batches, epochs=2, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(tmp_path, save_freq=1), InterruptAt(1)])
    fresh = keras.Sequential([keras.layers.Dense(3)])
    fresh.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        fresh.fit(batches, epochs=2, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(tmp_path, save_freq=1)])


def test_backup_file_is_safe_to_read_and_validated(tmp_path):
    x, y = dataset()
    model = make_model()
    with pytest.raises(Interrupt):
        fit(model, [keras.callbacks.BackupAndRestore(tmp_path, save_freq=2), InterruptAt(3)],
            x, y)
    with np.load(tmp_path / "training_state.npz", allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes())
        assert all(data[k].dtype != object for k in data.files)
    assert (meta["epoch"], meta["step"]) == (0, 2)
    other = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
    other.compile("sgd", "mse")
    with pytest.raises(ValueError, match="made for another model"):
        other.fit(x, np.zeros((50, 3)), epochs=1, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(tmp_path)])
    for bad in ("batch", 0, 1.5):
        with pytest.raises(ValueError, match="save_freq"):
            keras.callbacks.BackupAndRestore(tmp_path, save_freq=bad)
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        keras.callbacks.BackupAndRestore("")


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    x, y = dataset()
    model = make_model()
    with pytest.raises(Interrupt):
        fit(model, [keras.callbacks.BackupAndRestore(tmp_path, save_freq="epoch",
                                                     double_checkpoint=True),
                    InterruptAt(16)], x, y)
    state = tmp_path / "training_state.npz"
    assert (tmp_path / "training_state.npz.bkp").exists()
    state.write_bytes(b"corrupted")
    resumed = make_model()
    with pytest.warns(UserWarning, match="restoring the previous one"):
        history = fit(resumed, [keras.callbacks.BackupAndRestore(tmp_path,
                                                                 double_checkpoint=True)], x, y)
    assert len(history.history["loss"]) == 3  # the previous backup: after epoch 1
    reference = make_model()
    fit(reference, [], x, y)
    assert_same_weights(resumed, reference)


def test_unreadable_backup_without_fallback_is_an_error(tmp_path):
    (tmp_path / "training_state.npz").write_bytes(b"corrupted")
    model = make_model()
    x, y = dataset()
    with pytest.raises(OSError, match="cannot be read"):
        fit(model, [keras.callbacks.BackupAndRestore(tmp_path)], x, y)


def test_delete_checkpoint_false_keeps_the_backup(tmp_path):
    x, y = dataset()
    model = make_model()
    fit(model, [keras.callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)],
        x, y, epochs=2)
    assert (tmp_path / "b" / "training_state.npz").exists()
    again = fit(model, [keras.callbacks.BackupAndRestore(tmp_path / "b")], x, y, epochs=3)
    assert len(again.history["loss"]) == 1  # resumed after the 2 finished epochs
    assert not (tmp_path / "b").exists()


# ------------------------------------------------------------------ crash test
CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import torch
    torch.set_num_threads(1)
    import layerwise as keras
    from layerwise.utils.atomic import atomic_write

    backup_dir, out, use_backup = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    keras.utils.set_random_seed(11)
    model = keras.Sequential([
        keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.25), keras.layers.Dense(4, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["acc"])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(160, 8)).astype("float32")
    y = rng.integers(0, 4, 160)

    def report(logs):
        print("resumed at", model.epoch_loop.initial_epoch, model.epoch_loop.initial_step,
              flush=True)

    def slow(batch, logs):
        time.sleep(0.02)  # room for the parent to kill the run mid-epoch

    callbacks = [keras.callbacks.LambdaCallback(on_train_batch_end=slow)]
    if use_backup:
        callbacks = [keras.callbacks.BackupAndRestore(backup_dir, save_freq=7),
                     keras.callbacks.LambdaCallback(on_train_begin=report)] + callbacks
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=callbacks)
    with atomic_write(out, "wb") as f:
        np.savez(f, *model.get_weights())
    print("done", len(history.history["loss"]), flush=True)
""")


def _child_env():
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", LAYERWISE_TEST_THREADS="1", KERAS_BACKEND="torch",
               PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
                   os.pathsep))
    return env


def _position(state):
    """`(epoch, step)` of the backup file (always complete: it is replaced atomically)."""
    with np.load(state, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes())
    return meta["epoch"], meta["step"]


def _weights(path):
    with np.load(path, allow_pickle=False) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_mid_epoch_then_restart_equals_uninterrupted_run(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(CHILD)
    backup_dir = tmp_path / "backup"
    env = _child_env()

    def run(out, use_backup):
        return subprocess.run([sys.executable, str(script), str(backup_dir), str(out),
                               use_backup], env=env, capture_output=True, text=True,
                              timeout=120)

    # The uninterrupted run, without the callback.
    done = run(tmp_path / "reference.npz", "0")
    assert done.returncode == 0, done.stderr

    # The run to kill: wait for a backup, then for more batches, then SIGKILL.
    state = backup_dir / "training_state.npz"
    child = subprocess.Popen([sys.executable, str(script), str(backup_dir),
                              str(tmp_path / "resumed.npz"), "1"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not state.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "no backup was written"
            time.sleep(0.01)
        first = _position(state)
        # Let training go on to a later backup (one every 7 batches, ~0.15 s), then kill
        # it a few batches after that one: in the middle of an epoch, work since lost.
        while _position(state) == first:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "no second backup was written"
            time.sleep(0.01)
        time.sleep(0.07)
        assert child.poll() is None, "training finished before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert not (tmp_path / "resumed.npz").exists()
    with np.load(state, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes())
    assert (meta["epoch"], meta["step"]) > first
    assert 0 < meta["step"] < 20  # a backup in the middle of an epoch (20 batches each)

    # Restart the same script: it resumes from the backup and finishes.
    done = run(tmp_path / "resumed.npz", "1")
    assert done.returncode == 0, done.stderr
    assert f"resumed at {meta['epoch']} {meta['step']}" in done.stdout
    assert f"done {5 - meta['epoch']}" in done.stdout
    for a, b in zip(_weights(tmp_path / "resumed.npz"), _weights(tmp_path / "reference.npz"),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    assert not backup_dir.exists()
