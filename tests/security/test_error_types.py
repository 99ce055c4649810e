"""Item 4 (loaders): one error type, a `ValueError` naming the file and the config key."""

from __future__ import annotations

import json
import zipfile

import pytest

import layerwise as keras


def _archive_with(tmp_path, edit) -> str:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2),
                              keras.layers.Dropout(0.5)])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(parts["config.json"])
    edit(config["config"]["layers"])
    parts["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return str(path)


@pytest.mark.parametrize("index, key, value, internal", [
    (2, "rate", "x", "not supported between"),            # a TypeError inside the layer
    (0, "batch_shape", 3.0, "not iterable"),              # 'float' object is not iterable
    (2, "noise_shape", 2.0, "not iterable"),
    (1, "units", [3], "positive integer"),
])
def test_config_errors_name_the_file_layer_and_key(tmp_path, index, key, value, internal):
    def edit(layers):
        layers[index]["config"][key] = value

    path = _archive_with(tmp_path, edit)
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert "m.keras" in message and f"config key {key!r}" in message and internal in message
    assert type(info.value).__name__ == "ValueError"  # the loader's one type


def test_model_from_json_config_errors_name_the_key():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dropout(0.5)])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"]["rate"] = "x"
    with pytest.raises(ValueError, match=r"layer 'dropout\w*' \(Dropout\), config key 'rate'"):
        keras.models.model_from_json(json.dumps(config))


def test_model_from_json_deep_nesting_is_a_value_error():
    config = {"class_name": "Dense", "config": {"units": 2, "name": "d"}}
    for i in range(300):  # found by the fuzzer: a RecursionError escaped
        config = {"class_name": "Sequential", "config": {"name": f"s{i}", "layers": [config]}}
    with pytest.raises(ValueError, match="nested too deeply"):
        keras.models.model_from_json(json.dumps(config))
