"""Item 1: a file never names a file (CVE-2025-12058 pattern).

In safe mode (the default of every loader) a `vocabulary` string in a lookup
config is never opened; vocabularies come from the archive's `assets/`.
Outside safe mode only regular, size-bounded files are read.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import layerwise as keras
from layerwise.layers.preprocessing import vocabulary_file

SECRET = "root:x:0:0\nhunter2\n"


def _inverted_lookup_json(path: str) -> str:
    model = keras.Sequential([keras.Input((1,), dtype="int64"),
                              keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"]["vocabulary"] = path
    return json.dumps(config)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return str(path)


def _keras_archive(tmp_path, config_json: str) -> str:
    model = keras.Sequential([keras.Input((1,), dtype="int64"),
                              keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(parts["config.json"])
    config["config"]["layers"][1]["config"]["vocabulary"] = json.loads(config_json)[
        "config"]["layers"][1]["config"]["vocabulary"]
    parts["config.json"] = json.dumps(config).encode()
    hostile = tmp_path / "hostile.keras"
    with zipfile.ZipFile(hostile, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return str(hostile)


def _legacy_h5(tmp_path, config_json: str) -> str:
    model = keras.Sequential([keras.Input((1,), dtype="int64"),
                              keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)])
    path = tmp_path / "hostile.h5"
    model.save(path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = config_json
    return str(path)


def test_model_from_json_never_reads_the_named_file(secret):
    with pytest.raises(ValueError, match="outside of the model archive"):
        keras.models.model_from_json(_inverted_lookup_json(secret))


def test_load_model_never_reads_the_named_file(tmp_path, secret):
    for path in (_keras_archive(tmp_path, _inverted_lookup_json(secret)),
                 _legacy_h5(tmp_path, _inverted_lookup_json(secret))):
        with pytest.raises(ValueError, match="outside of the model archive"):
            keras.models.load_model(path)


def test_special_files_never_block(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    keras.saving.enable_unsafe_deserialization()
    try:
        for path in (str(fifo), "/dev/zero", str(tmp_path)):
            with pytest.raises(ValueError, match="not a regular file"):
                keras.models.model_from_json(_inverted_lookup_json(path))
    finally:
        keras.saving.disable_unsafe_deserialization()


def test_unsafe_mode_reads_regular_files_with_a_bound(secret, monkeypatch):
    keras.saving.enable_unsafe_deserialization()
    try:
        model = keras.models.model_from_json(_inverted_lookup_json(secret))
        assert model.layers[0].get_vocabulary() == ["[UNK]", "root:x:0:0", "hunter2"]
        monkeypatch.setattr(vocabulary_file, "MAX_VOCABULARY_FILE_BYTES", 8)
        with pytest.raises(ValueError, match="more than the 8 allowed"):
            keras.models.model_from_json(_inverted_lookup_json(secret))
    finally:
        keras.saving.disable_unsafe_deserialization()


def test_vocabularies_round_trip_through_assets(tmp_path, secret):
    lookup = keras.layers.IntegerLookup()
    lookup.adapt(np.array([5, 6, 6, 7]))
    model = keras.Sequential([keras.Input((1,), dtype="int64"), lookup])
    model.save(tmp_path / "adapted.keras")
    with zipfile.ZipFile(tmp_path / "adapted.keras") as zf:
        assert "assets/layers/integer_lookup/vocabulary.txt" in zf.namelist()
    loaded = keras.models.load_model(tmp_path / "adapted.keras")
    assert loaded.layers[0].get_vocabulary() == [-1, 6, 7, 5]
    # A vocabulary given as a file: the archive carries it, the file is not needed to load.
    model = keras.Sequential([keras.Input((1,), dtype="int64"),
                              keras.layers.StringLookup(vocabulary=secret, invert=True)])
    model.save(tmp_path / "file_vocab.keras")
    os.remove(secret)
    loaded = keras.models.load_model(tmp_path / "file_vocab.keras")
    assert loaded.layers[0].get_vocabulary() == ["[UNK]", "root:x:0:0", "hunter2"]


def test_load_model_opens_only_the_archive(tmp_path, secret, monkeypatch):
    lookup = keras.layers.IntegerLookup()
    lookup.adapt(np.array([5, 6, 6, 7]))
    model = keras.Sequential([keras.Input((1,), dtype="int64"), lookup,
                              keras.layers.Dense(2)])
    archive = str(tmp_path / "m.keras")
    model.save(archive)
    hostile = _keras_archive(tmp_path, _inverted_lookup_json(secret))
    opened = []
    real_open, real_os_open, real_io_open = builtins.open, os.open, io.open

    def spy(real):
        def wrapper(file, *args, **kwargs):
            opened.append(os.fspath(file) if not isinstance(file, int) else file)
            return real(file, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    keras.models.load_model(archive)
    with pytest.raises(ValueError):
        keras.models.load_model(hostile)
    monkeypatch.undo()
    assert opened and set(opened) <= {archive, hostile}, opened
