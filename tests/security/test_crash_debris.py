"""Item 5: temp files of interrupted saves are removed by the next save; one temp per write."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

import layerwise as keras
from layerwise.utils import atomic

_INTERRUPTED_SAVE = """
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("atomic", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic)
with atomic.atomic_path(sys.argv[2]) as temp:
    with open(temp, "wb") as f:
        f.write(b"half a model")
    os._exit(0)  # killed mid-save: the temp file stays behind
"""


def _interrupted_save(path) -> None:
    subprocess.run([sys.executable, "-c", _INTERRUPTED_SAVE, atomic.__file__, str(path)],
                   check=True, timeout=60)


def _temps(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(atomic.TEMP_PREFIX))


def test_next_save_removes_the_debris_of_killed_saves(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    path = tmp_path / "m.keras"
    for _ in range(3):
        _interrupted_save(path)
    _interrupted_save(tmp_path / "other.keras")
    # Each interrupted save already removed the debris of the one before.
    assert len(_temps(tmp_path)) == 2
    model.save(path)
    # Only the debris of `m.keras` goes; another target's temp files are its own business.
    assert [n.endswith(".other.keras") for n in _temps(tmp_path)] == [True]
    assert keras.models.load_model(path).count_params() == 8


def test_live_writers_temp_files_are_kept(tmp_path):
    path = tmp_path / "state.json"
    with atomic.atomic_write(path, "w") as f:
        f.write("{}")
        live = _temps(tmp_path)
        assert atomic.remove_stale_temps(path) == []
        assert _temps(tmp_path) == live
    assert _temps(tmp_path) == []


def test_one_temp_file_per_checkpoint_write(tmp_path, monkeypatch):
    made = []
    real = atomic._temp_path

    def spy(path):
        made.append(real(path))
        return made[-1]

    monkeypatch.setattr(atomic, "_temp_path", spy)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.keras"))
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), epochs=2, verbose=0,
              callbacks=[checkpoint])
    assert len(made) == 2  # one per epoch
    assert _temps(tmp_path) == []
    assert keras.models.load_model(tmp_path / "ckpt.keras").count_params() == 8
