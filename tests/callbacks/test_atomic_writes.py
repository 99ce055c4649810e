"""Kill-during-save: a process SIGKILLed while writing a checkpoint leaves the previous one.

Child processes save checkpoints in a loop (with `atomic_write`, with
`ModelCheckpoint`, with `BackupAndRestore`); the parent kills them with
SIGKILL at arbitrary moments (most of their time is spent writing) and checks
that the checkpoint file still loads and is complete.
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

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _env():
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", LAYERWISE_TEST_THREADS="1", KERAS_BACKEND="torch",
               PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
                   os.pathsep))
    return env


def _start(script: Path, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), *map(str, args)], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_after(child: subprocess.Popen, ready, delay: float, timeout: float = 60) -> None:
    """Waits until `ready()` (the child has saved), then `delay` s more, then SIGKILL."""
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never saved"
            time.sleep(0.005)
        time.sleep(delay)
        assert child.poll() is None, ("the child ended before the kill", child.communicate())
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _marks(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


ATOMIC_CHILD = textwrap.dedent("""
    import os, sys
    import numpy as np
    from layerwise.utils.atomic import atomic_write

    target, marks = sys.argv[1], sys.argv[2]
    log = open(marks, "a", buffering=1)
    i = 0
    while True:
        i += 1
        log.write(f"begin{i}\\n")
        # ~24 MB per checkpoint, written in pieces: most of the time is spent writing.
        with atomic_write(target, "wb") as f:
            np.savez(f, step=np.array(i), a=np.full(3_000_000, i, dtype=np.int64))
        log.write(f"end{i}\\n")
""")


def test_kill_during_atomic_write_keeps_the_previous_file(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(ATOMIC_CHILD)
    target = tmp_path / "ckpt.npz"
    marks = tmp_path / "marks.txt"
    mid_save = 0
    for delay in (0.05, 0.23, 0.41):
        child = _start(script, target, marks)
        _kill_after(child, lambda: len(_marks(marks)) >= 4, delay)
        last = _marks(marks)[-1]
        mid_save += last.startswith("begin")
        with np.load(target, allow_pickle=False) as data:
            step = int(data["step"])
            # Complete and consistent: every value is the step's number.
            assert data["a"].shape == (3_000_000,) and (data["a"] == step).all()
        completed = max(int(m[3:]) for m in _marks(marks) if m.startswith("end"))
        # The last finished save (or the next one, killed between its rename and its mark).
        assert step == completed or (step == completed + 1 and last == f"begin{step}")
        marks.write_text("")
    # The kills did land in the middle of saves (their temporary files are left over,
    # hidden, never under the checkpoint's name).
    assert mid_save >= 1
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".tmp-")} == {
        "child.py", "ckpt.npz", "marks.txt"}


CHECKPOINT_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import torch
    torch.set_num_threads(1)
    import layerwise as keras

    target, marks, real = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    log = open(marks, "a", buffering=1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((512,)), keras.layers.Dense(1024),
                              keras.layers.Dense(2048), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    if not real:
        # A slow, non-atomic writer: `ModelCheckpoint` alone makes the save atomic.
        def save(path, **kwargs):
            weights = model.get_weights()
            with open(path, "wb") as f:
                np.savez(f, count=np.array(len(weights)), *weights)
        model.save = save

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            log.write(f"end{batch}\\n")  # after ModelCheckpoint has saved this batch

    x = np.ones((64, 512), "float32")
    y = np.zeros((64, 1), "float32")
    checkpoint = keras.callbacks.ModelCheckpoint(target, save_freq=1, monitor="loss")
    model.fit(x, y, batch_size=1, epochs=1000, verbose=0, callbacks=[checkpoint, Marks()])
""")


def _load_stand_in(path):
    with np.load(path, allow_pickle=False) as data:
        count = int(data["count"])
        return [data[f"arr_{i}"] for i in range(count)]


def test_kill_during_model_checkpoint_keeps_a_loadable_checkpoint(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHECKPOINT_CHILD)
    target = tmp_path / "model.keras"
    marks = tmp_path / "marks.txt"
    for delay in (0.1, 0.37):
        child = _start(script, target, marks, 0)
        _kill_after(child, lambda: len(_marks(marks)) >= 6, delay)
        weights = _load_stand_in(target)
        assert [w.shape for w in weights] == [(512, 1024), (1024,), (1024, 2048), (2048,),
                                              (2048, 1), (1,)]
        marks.write_text("")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".tmp-")) == [
        "child.py", "marks.txt", "model.keras"]


def test_kill_during_model_checkpoint_with_real_saving(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    if not hasattr(model, "save"):
        pytest.skip("model.save / load_model (layerwise.saving) are not available yet")
    script = tmp_path / "child.py"
    script.write_text(CHECKPOINT_CHILD)
    target = tmp_path / "model.keras"
    marks = tmp_path / "marks.txt"
    child = _start(script, target, marks, 1)
    _kill_after(child, lambda: len(_marks(marks)) >= 6, 0.3)
    loaded = keras.models.load_model(str(target))
    assert [tuple(w.shape) for w in loaded.get_weights()] == [
        (512, 1024), (1024,), (1024, 2048), (2048,), (2048, 1), (1,)]


BACKUP_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import torch
    torch.set_num_threads(1)
    import layerwise as keras

    backup_dir, marks = sys.argv[1], sys.argv[2]
    log = open(marks, "a", buffering=1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((512,)), keras.layers.Dense(2048),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.ones((64, 512), "float32")
    y = np.zeros((64, 1), "float32")
    log_cb = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: log.write(f"end{batch}\\n"))
    model.fit(x, y, batch_size=1, epochs=1000, verbose=0, callbacks=[
        keras.callbacks.BackupAndRestore(backup_dir, save_freq=1), log_cb])
""")


def test_kill_during_backup_keeps_a_resumable_backup(tmp_path):
    from layerwise.callbacks.backup_and_restore import _load

    script = tmp_path / "child.py"
    script.write_text(BACKUP_CHILD)
    backup_dir = tmp_path / "backup"
    marks = tmp_path / "marks.txt"
    child = _start(script, backup_dir, marks)
    _kill_after(child, lambda: len(_marks(marks)) >= 4, 0.25)
    meta, arrays = _load(backup_dir / "training_state.npz")
    assert meta["model_weights"] == 4 and meta["optimizer_weights"] == 2 + 2 * 4
    # The last finished backup (or the next one, if the kill came just after it was
    # written): batches done = 64 per epoch + the step in the epoch.
    done = len(_marks(marks))
    assert meta["epoch"] * 64 + meta["step"] in (done, done + 1)
    assert json.dumps(meta)  # plain JSON
    assert all(a.dtype != object for a in arrays.values())
