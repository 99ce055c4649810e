"""Item 2: one allocation budget, from the bytes a file really holds.

The budget is the bytes of weights read from the file plus the load allowance;
it counts bytes (not weight counts) of every tensor a layer holds, and what a
config alone makes a layer allocate (lookup IDF padding), before any real
allocation. Tests lower the allowance so that the attacks stay small.
"""

from __future__ import annotations

import json
import struct
import zipfile

import numpy as np
import pytest
import torch

import layerwise as keras


@pytest.fixture
def allowance():
    def set_to(num_bytes):
        keras.saving.set_load_allowance(num_bytes)
    yield set_to
    keras.saving.set_load_allowance(None)


def _dense_json(inputs: int, units: int) -> dict:
    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(2)])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"]["units"] = units
    return config


def _rewrite(path, **members):
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts.update(members)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _declare_size(path, member: str, size: int) -> None:
    """Patches the zip directory so `member` declares `size` bytes (stored and expanded)."""
    data = bytearray(open(path, "rb").read())
    name = member.encode()
    for signature, offset in ((b"PK\x01\x02", 20), (b"PK\x03\x04", 18)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<II", data, start + offset, size, size)
            start += 4
    open(path, "wb").write(bytes(data))


def test_declared_zip_size_is_not_trusted(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    keras.Sequential([keras.Input((1000,)), keras.layers.Dense(2)]).save(path)
    config = _dense_json(1000, 300_000)  # 1.2 GB of weights
    _rewrite(path, **{"config.json": json.dumps(config).encode()})
    _declare_size(path, "model.weights.h5", 0xF0000000)
    real_builds = []
    build = keras.layers.Dense.build

    def spy(self, *args, **kwargs):
        if torch.empty(0).device.type != "meta":
            real_builds.append(self.name)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(keras.layers.Dense, "build", spy)
    with pytest.raises(ValueError, match="corrupted"):
        keras.models.load_model(path)
    assert real_builds == []


def test_budget_compares_bytes_with_bytes(tmp_path, allowance):
    path = tmp_path / "m.keras"
    keras.Sequential([keras.Input((1000,)), keras.layers.Dense(1000)]).save(path)  # 4 MB
    _rewrite(path, **{"config.json": json.dumps(_dense_json(1000, 3000)).encode()})  # 12 MB
    allowance(0)
    with pytest.raises(ValueError, match=r"'dense[_0-9]*' \(Dense\).*loading budget"):
        keras.models.load_model(path)
    allowance(None)
    with pytest.raises(ValueError, match="shape"):  # within the allowance: a plain mismatch
        keras.models.load_model(path)


def test_normalization_statistics_count(allowance):
    layers = [keras.layers.Normalization(axis=(1, 2), name=f"n{i}") for i in range(4)]
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2048, 2048],
                                                "dtype": "float32", "name": "in"}}]
        + [{"class_name": "Normalization", "config": layer.get_config()} for layer in layers]}}
    allowance(64 << 20)  # 4 layers x (mean + variance) x 16 MB = 128 MB
    with pytest.raises(ValueError, match=r"Normalization.*loading budget"):
        keras.models.model_from_json(json.dumps(config))


def test_normalization_given_statistics_are_not_expanded(allowance):
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2048, 2048],
                                                "dtype": "float32", "name": "in"}},
        {"class_name": "Normalization", "config": {"axis": [1, 2], "mean": 0.5,
                                                   "variance": 2.0, "name": "n"}}]}}
    allowance(1 << 20)
    model = keras.models.model_from_json(json.dumps(config))
    layer = model.layers[0]
    assert layer.mean.untyped_storage().nbytes() < 1024
    out = model.predict(np.full((1, 2048, 2048), 2.5, "float32"), verbose=0)
    np.testing.assert_allclose(out[0, :2, :2], np.full((2, 2), 2 / np.sqrt(2)), rtol=1e-6)


@pytest.mark.parametrize("cls", ["IntegerLookup", "StringLookup"])
def test_lookup_tf_idf_padding_is_budgeted(allowance, cls):
    layer = getattr(keras.layers, cls)(output_mode="tf_idf", pad_to_max_tokens=True,
                                       max_tokens=10, vocabulary=[1, 2] if cls[0] == "I"
                                       else ["a", "b"], idf_weights=[0.5, 0.5])
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "dtype": "int64",
                                                "name": "in"}},
        {"class_name": cls, "config": dict(layer.get_config(), max_tokens=2_000_000)}]}}
    allowance(1 << 20)
    with pytest.raises(ValueError, match=rf"{cls}, max_tokens=2000000.*loading budget"):
        keras.models.model_from_json(json.dumps(config))


def test_allowance_setting_is_validated_and_read_from_the_environment(monkeypatch):
    with pytest.raises(ValueError, match="num_bytes"):
        keras.saving.set_load_allowance(-1)
    monkeypatch.setenv("LAYERWISE_LOAD_ALLOWANCE", "2G")
    assert keras.saving.get_load_allowance() == 2 << 30
    monkeypatch.setenv("LAYERWISE_LOAD_ALLOWANCE", "lots")
    with pytest.raises(ValueError, match="LAYERWISE_LOAD_ALLOWANCE"):
        keras.saving.get_load_allowance()
