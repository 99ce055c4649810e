"""Safe mode and defensive parsing: hostile files give a clear ValueError and run nothing."""

from __future__ import annotations

import base64
import io
import json
import marshal
import os
import pathlib
import re
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest

import layerwise as keras
from layerwise.saving import keras_zip

X = np.ones((2, 4), "float32")


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d"),
                             keras.layers.Dense(2, name="e")])


def _archive_parts(tmp_path):
    _model().save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_archive(path, parts, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _with_config(tmp_path, mutate, name="m.keras"):
    parts = _archive_parts(tmp_path)
    config = json.loads(parts["config.json"])
    mutate(config)
    parts["config.json"] = json.dumps(config)
    return _write_archive(tmp_path / name, parts)


# --------------------------------------------------------------------- safe mode
def _lambda_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2)])


def test_lambda_bytecode_is_refused_in_safe_mode(tmp_path):
    _lambda_model().save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "l.keras")
    loaded = keras.models.load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), X * 2)
    # model_from_json and from_config fail closed too (no scope: safe).
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.model_from_json(_lambda_model().to_json())
    config = _lambda_model().layers[0].get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.layers.Lambda.from_config(config)
    with keras.saving.SafeModeScope(False):
        assert keras.layers.Lambda.from_config(config)(X).shape == (2, 4)


def test_enable_unsafe_deserialization(tmp_path):
    _lambda_model().save(tmp_path / "l.h5")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "l.h5")
    keras.saving.enable_unsafe_deserialization()
    try:
        loaded = keras.models.load_model(tmp_path / "l.h5", compile=False)
        assert loaded.predict(X, verbose=0).shape == (2, 4)
    finally:
        keras.saving.disable_unsafe_deserialization()


def test_keras2_lambda_list_form_in_h5_is_refused(tmp_path):
    fn = lambda x: x + 1  # noqa: E731
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Lambda", "config": {
            "name": "lambda", "trainable": True, "dtype": "float32",
            "batch_input_shape": [None, 4], "function": [code, None, None],
            "function_type": "lambda", "module": "__main__", "output_shape": None,
            "output_shape_type": "raw", "output_shape_module": None, "arguments": {}}}]}}
    path = tmp_path / "k2_lambda.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.asarray([b"lambda"])
        group.create_group("lambda").attrs["weight_names"] = np.asarray([])
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)
    model = keras.models.load_model(path, safe_mode=False, compile=False)
    np.testing.assert_array_equal(model.predict(X, verbose=0), X + 1)


@pytest.mark.keras
def test_keras_written_lambda_is_refused(keras_oracle_lambda):
    path = keras_oracle_lambda
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)


@pytest.fixture
def keras_oracle_lambda(keras, tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 3)])
    path = tmp_path / "k_lambda.keras"
    model.save(path)
    return path


def test_only_registered_classes_and_functions_are_built(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    fake = "layerwise_tests_fake_module_xyz"

    def hostile_layer(config):
        config["config"]["layers"][1] = {"module": "os", "class_name": "system",
                                         "registered_name": "os>system",
                                         "config": {"command": "echo pwned"}}

    def hostile_module(config):
        config["config"]["layers"][1]["module"] = fake
        config["config"]["layers"][1]["class_name"] = "Evil"

    def hostile_activation(config):
        config["config"]["layers"][1]["config"]["activation"] = {
            "module": "os", "class_name": "function", "config": "system",
            "registered_name": "system"}

    def hostile_initializer(config):
        config["config"]["layers"][1]["config"]["kernel_initializer"] = {
            "module": "builtins", "class_name": "eval", "config": {"source": "1"},
            "registered_name": None}

    def hostile_loss(config):
        config["compile_config"] = {"optimizer": "sgd", "loss": {
            "module": "builtins", "class_name": "function", "config": "exec",
            "registered_name": "exec"}}

    for i, mutate in enumerate([hostile_layer, hostile_module, hostile_activation,
                                hostile_initializer, hostile_loss]):
        path = _with_config(tmp_path, mutate, name=f"h{i}.keras")
        with pytest.raises(ValueError) as info:
            keras.models.load_model(path)
        assert f"h{i}.keras" in str(info.value)
    assert calls == []
    assert fake not in sys.modules


def test_unknown_config_keys_give_a_clear_error(tmp_path):
    def unknown_key(config):
        config["config"]["layers"][1]["config"]["flux_capacitor"] = 88

    with pytest.raises(ValueError, match="flux_capacitor"):
        keras.models.load_model(_with_config(tmp_path, unknown_key))

    def unknown_compile_key(config):
        config["compile_config"] = {"optimizer": "sgd", "loss": "mse", "warp_drive": True}

    with pytest.raises(ValueError, match="warp_drive"):
        keras.models.load_model(_with_config(tmp_path, unknown_compile_key, "c.keras"))
    assert keras.models.load_model(_with_config(tmp_path, unknown_compile_key, "d.keras"),
                                   compile=False) is not None


def test_nothing_is_unpickled():
    """The saving code never unpickles: no pickle, no torch.load, no allow_pickle."""
    root = pathlib.Path(keras.saving.__file__).parent
    for path in root.glob("*.py"):
        source = path.read_text()
        assert not re.search(r"\bimport pickle\b|\bpickle\.loads?\b|\bdill\b", source), path
        assert "allow_pickle=True" not in source, path
        for call in re.findall(r"torch\.load\([^)]*\)", source):
            assert "weights_only=True" in call, (path, call)


# ------------------------------------------------------------------ zip parsing
@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "assets/../../evil.txt",
                                    "C:/evil.txt", "assets\\..\\evil.txt", "a/./b"])
def test_members_outside_the_archive_root_are_refused(tmp_path, member):
    parts = _archive_parts(tmp_path)
    parts[member] = b"x"
    path = _write_archive(tmp_path / "slip.keras", parts)
    with pytest.raises(ValueError, match="leaves the archive"):
        keras.models.load_model(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_oversized_members_and_decompression_bombs(tmp_path, monkeypatch):
    parts = _archive_parts(tmp_path)
    monkeypatch.setattr(keras_zip, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(ValueError, match="more than the 100 allowed"):
        keras.models.load_model(_write_archive(tmp_path / "big.keras", parts))
    monkeypatch.undo()
    parts["assets/zeros.bin"] = b"\0" * 200_000
    path = _write_archive(tmp_path / "bomb.keras", parts, compression=zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(keras_zip, "BOMB_FLOOR_BYTES", 10_000)
    with pytest.raises(ValueError, match="decompression bomb"):
        keras.models.load_model(path)


def test_not_an_archive_and_missing_members(tmp_path):
    bad = tmp_path / "junk.keras"
    bad.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ValueError, match="junk.keras"):
        keras.models.load_model(bad)
    parts = _archive_parts(tmp_path)
    del parts["model.weights.h5"]
    with pytest.raises(ValueError, match="model.weights.h5"):
        keras.models.load_model(_write_archive(tmp_path / "noweights.keras", parts))
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "missing.keras")


def test_hostile_config_cannot_force_a_giant_allocation(tmp_path):
    def giant(config):
        layer = config["config"]["layers"][1]
        layer["config"]["units"] = 10**9
        layer.pop("build_config", None)
        config["config"]["layers"][2].pop("build_config", None)

    start = time.perf_counter()
    with pytest.raises(ValueError, match="exhaust memory"):
        keras.models.load_model(_with_config(tmp_path, giant))
    assert time.perf_counter() - start < 20


# ------------------------------------------------------------------ hdf5 parsing
def _weights_file(tmp_path, edit):
    model = _model()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        edit(f)
    return model, path


def test_dataset_shape_is_checked_before_reading(tmp_path):
    def shape_bomb(f):
        del f["layers/dense/vars/0"]
        # 4 TB declared, nothing stored: reading it would allocate it all.
        f["layers/dense/vars"].create_dataset("0", shape=(10**6, 10**6), dtype="float32",
                                              chunks=(1, 1024), fillvalue=1.0)

    model, path = _weights_file(tmp_path, shape_bomb)
    before = model.get_weights()
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"shape"):
        model.load_weights(path)
    assert time.perf_counter() - start < 10
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["soft", "external_link", "external_storage", "strings"])
def test_links_external_storage_and_non_numeric_data_are_refused(tmp_path, kind):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(np.ones(12, "float32").tobytes())

    def edit(f):
        group = f["layers/dense/vars"]
        del group["0"]
        if kind == "soft":
            group["0"] = h5py.SoftLink("/layers/dense_1/vars/0")
        elif kind == "external_link":
            group["0"] = h5py.ExternalLink(str(outside), "/data")
        elif kind == "external_storage":
            group.create_dataset("0", shape=(4, 3), dtype="float32",
                                 external=[(str(outside), 0, 48)])
        else:
            group.create_dataset("0", data=np.array([["a"] * 3] * 4, dtype=object),
                                 dtype=h5py.string_dtype())

    model, path = _weights_file(tmp_path, edit)
    with pytest.raises(ValueError, match="Not allowed|not numbers|dtype"):
        model.load_weights(path)


def test_truncated_and_non_hdf5_files(tmp_path):
    model = _model()
    model.save(tmp_path / "m.h5")
    data = (tmp_path / "m.h5").read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.h5"):
        keras.models.load_model(tmp_path / "cut.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(ValueError):
        keras.models.load_model(tmp_path / "text.h5")
    weights_only = tmp_path / "w.h5"
    model.save_weights(weights_only)
    with pytest.raises(ValueError, match="weights only"):
        keras.models.load_model(weights_only)


def test_file_objects_are_checked_too():
    with pytest.raises(ValueError):
        keras.models.load_model(io.BytesIO(b"not a zip at all"))
