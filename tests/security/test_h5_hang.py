"""Item 3: a corrupted `model_config` attribute gives a ValueError, never a hang."""

from __future__ import annotations

import os
import signal
import struct
import time

import h5py
import pytest

import layerwise as keras


def _corrupt_model_config(path) -> None:
    """Sets the top byte of the variable-length string's length (libhdf5 then spins)."""
    with h5py.File(path, "r") as f:
        length = len(f.attrs["model_config"].encode() if isinstance(
            f.attrs["model_config"], str) else f.attrs["model_config"])
    data = bytearray(open(path, "rb").read())
    at = data.find(struct.pack("<I", length), data.find(b"model_config"))
    assert at > 0
    data[at + 3] = 0xFF
    open(path, "wb").write(bytes(data))


def _outcome_within(seconds: float, function) -> str:
    """Runs `function` in a forked child: its exception type name, 'ok', or 'HANG'."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            function()
            result = "ok"
        except BaseException as error:  # noqa: BLE001
            result = f"{type(error).__name__}: {error}"
        os.write(write_end, result.encode()[:4000])
        os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            result = os.read(read_end, 4000).decode()
            os.close(read_end)
            return result
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_end)
    return "HANG"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_corrupted_model_config_is_a_value_error(tmp_path):
    path = tmp_path / "m.h5"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]).save(path)
    _corrupt_model_config(path)
    outcome = _outcome_within(30, lambda: keras.models.load_model(path))
    assert outcome.startswith("ValueError") and "model_config" in outcome, outcome


def test_attribute_guard_reads_healthy_files(tmp_path):
    path = tmp_path / "m.h5"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("adam", "mse")
    model.save(path)
    with h5py.File(path, "r+") as f:  # h5py writes lists of str as variable-length strings
        f["model_weights"].attrs["layer_names"] = [n.decode() if isinstance(n, bytes) else n
                                                   for n in f["model_weights"].attrs["layer_names"]]
    loaded = keras.models.load_model(path)
    assert loaded.count_params() == model.count_params() and loaded.optimizer is not None
