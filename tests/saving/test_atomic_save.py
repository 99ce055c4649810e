"""A process killed while saving leaves the previous checkpoint loadable (atomic writes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import layerwise as keras

CHILD = textwrap.dedent("""
    import sys, time, zipfile
    import h5py
    import layerwise as keras

    path, fmt = sys.argv[1], sys.argv[2]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d")])
    model.compile(optimizer="adam", loss="mse")
    model.set_weights([w * 0 + 1 for w in model.get_weights()])
    save = (lambda: model.save_weights(path)) if fmt == "weights" else (lambda: model.save(path))
    save()  # checkpoint A: all ones
    print("SAVED", flush=True)
    model.set_weights([w * 0 + 2 for w in model.get_weights()])

    def stall(original):
        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            print("WRITING", flush=True)
            time.sleep(120)  # killed here, in the middle of writing checkpoint B
            return result
        return wrapper

    if fmt == "keras":
        zipfile.ZipFile.writestr = stall(zipfile.ZipFile.writestr)
    else:
        h5py.Group.create_dataset = stall(h5py.Group.create_dataset)
    save()
    print("NOT KILLED", flush=True)
""")


@pytest.mark.parametrize("fmt,name", [("keras", "ckpt.keras"), ("h5", "ckpt.h5"),
                                      ("weights", "ckpt.weights.h5")])
def test_kill_during_save_keeps_the_previous_checkpoint(tmp_path, fmt, name):
    path = tmp_path / name
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), fmt],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        for line in child.stdout:
            lines.append(line.strip())
            if line.strip() == "WRITING":
                os.kill(child.pid, signal.SIGKILL)
                break
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert lines[:2] == ["SAVED", "WRITING"], (lines, child.stderr.read())
    assert child.returncode == -signal.SIGKILL

    expected = [np.ones((3, 4), "float32"), np.ones(4, "float32")]
    if fmt == "weights":
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d")])
        model.load_weights(path)
    else:
        model = keras.models.load_model(path)
    for value, want in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(value, want)
    # Only the hidden temporary file of the interrupted save is left beside it.
    others = sorted(p.name for p in tmp_path.iterdir() if p.name != name)
    assert all(n.startswith(".tmp-") and n.endswith(name) for n in others), others


def test_failed_save_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    from layerwise.saving import keras_zip

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(keras_zip, "write_weights", boom)  # what the archive writer calls
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]
