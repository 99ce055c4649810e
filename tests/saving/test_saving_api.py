"""save/load in every format, compile and optimizer state, custom objects, torch interop."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest
import torch

import layerwise as keras

RNG = np.random.default_rng(0)
X = RNG.random((16, 5)).astype("float32")
Y = RNG.random((16, 2)).astype("float32")


def _model():
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(2)])


def _trained(optimizer="adam"):
    model = _model()
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    return model


def _same(a, b):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_save_load_model_restores_everything(tmp_path, ext):
    model = _trained()
    path = tmp_path / f"m{ext}"
    model.save(path)
    loaded = keras.models.load_model(path)
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        _same(a, b)
    assert loaded.compiled and isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    for a, b in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        _same(a, b)
    # `.h5` files spell built-in loss aliases out, so that Keras 3 can load them compiled.
    assert loaded.get_compile_config()["loss"] == ("mse" if ext == ".keras"
                                                   else "mean_squared_error")
    uncompiled = keras.models.load_model(path, compile=False)
    assert not uncompiled.compiled
    _same(uncompiled.predict(X, verbose=0), model.predict(X, verbose=0))


@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_training_resumes_exactly_after_load(tmp_path, ext, optimizer):
    model = _trained(keras.optimizers.get(optimizer) if optimizer != "sgd"
                     else keras.optimizers.SGD(0.01, momentum=0.9))
    model.save(tmp_path / f"m{ext}")
    loaded = keras.models.load_model(tmp_path / f"m{ext}")
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    loaded.fit(X, Y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        _same(a, b)


def test_weights_files_both_layouts(tmp_path):
    model = _trained()
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "legacy.h5")
    for name in ("w.weights.h5", "legacy.h5"):
        fresh = _model()
        fresh.load_weights(tmp_path / name)
        _same(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    with h5py.File(tmp_path / "legacy.h5", "r") as f:
        assert "layer_names" in f.attrs
    # `.weights.h5` also carries the optimizer state, restored into a compiled model.
    fresh = _model()
    fresh.compile(optimizer="adam", loss="mse")
    fresh.load_weights(tmp_path / "w.weights.h5")
    assert int(fresh.optimizer.iterations) == int(model.optimizer.iterations)
    # A `.keras` file is also a weights source.
    model.save(tmp_path / "m.keras")
    fresh = _model()
    fresh.load_weights(tmp_path / "m.keras")
    _same(fresh.predict(X, verbose=0), model.predict(X, verbose=0))


def test_save_weights_checks_name_and_build(tmp_path):
    model = _model()
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.txt")
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="extension"):
        model.save(tmp_path / "model.txt")


def test_skip_mismatch_and_by_name(tmp_path):
    source = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, name="a"),
                               keras.layers.Dense(2, name="b")])
    source.save_weights(tmp_path / "w.weights.h5")
    source.save_weights(tmp_path / "w.h5")
    target = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, name="a"),
                               keras.layers.Dense(3, name="b")])
    for name in ("w.weights.h5", "w.h5"):
        before = [w.copy() for w in target.get_weights()]
        with pytest.raises(ValueError, match="skip_mismatch"):
            target.load_weights(tmp_path / name)
        for a, b in zip(target.get_weights(), before):  # a failed load changes nothing
            _same(a, b)
        with pytest.warns(UserWarning, match="skip"):
            target.load_weights(tmp_path / name, skip_mismatch=True)
        _same(target.get_layer("a").get_weights()[0], source.get_layer("a").get_weights()[0])
        _same(target.get_layer("b").get_weights()[0], before[2])
    # by_name: layers are matched by name, whatever their order and the other layers.
    renamed = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, name="a"),
                                keras.layers.Dense(4, name="extra"),
                                keras.layers.Dense(2, name="zz")])
    renamed.load_weights(tmp_path / "w.h5", by_name=True)
    _same(renamed.get_layer("a").get_weights()[0], source.get_layer("a").get_weights()[0])
    with pytest.raises(ValueError, match="by_name"):
        renamed.load_weights(tmp_path / "w.weights.h5", by_name=True)
    with pytest.raises(ValueError, match="count mismatch"):
        renamed.load_weights(tmp_path / "w.h5")


def test_nested_and_functional_models_round_trip(tmp_path):
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="inner")
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([inner(a), b])
    model = keras.Model([a, b], [keras.layers.Dense(1, name="o1")(h),
                                 keras.layers.Dense(2, name="o2")(h)])
    model.compile(optimizer="adam", loss={"o1": "mse", "o2": "mae"},
                  loss_weights={"o1": 1.0, "o2": 0.5}, metrics={"o1": ["mae"]})
    xs = [RNG.random((6, 4)).astype("float32"), RNG.random((6, 2)).astype("float32")]
    ys = [RNG.random((6, 1)).astype("float32"), RNG.random((6, 2)).astype("float32")]
    model.fit(xs, ys, verbose=0)
    for ext in (".keras", ".h5"):
        model.save(tmp_path / f"m{ext}")
        loaded = keras.models.load_model(tmp_path / f"m{ext}")
        for p, q in zip(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0)):
            _same(p, q)
        assert loaded.get_compile_config()["loss_weights"] == {"o1": 1.0, "o2": 0.5}
        loaded.fit(xs, ys, verbose=0)


def test_json_get_set_weights_and_state_dict():
    model = _trained()
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    _same(clone.predict(X, verbose=0), model.predict(X, verbose=0))
    keras.backend.clear_session()  # same layer names, hence the same state_dict keys
    other = _model()
    other.load_state_dict(model.state_dict())
    _same(other.predict(X, verbose=0), model.predict(X, verbose=0))
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    keras.backend.clear_session()
    third = _model()
    third.load_state_dict(torch.load(buffer, weights_only=True))
    _same(third.predict(X, verbose=0), model.predict(X, verbose=0))


def test_file_objects(tmp_path):
    model = _trained()
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    loaded = keras.models.load_model(buffer)
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_archive_contents_are_keras_format(tmp_path):
    model = _trained()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
        config = json.loads(zf.read("config.json"))
        metadata = json.loads(zf.read("metadata.json"))
    assert {"module", "class_name", "config", "registered_name", "build_config",
            "compile_config"} <= set(config)
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["module"] == "keras.optimizers"
    assert set(config["compile_config"]) == {
        "optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
        "steps_per_execution", "jit_compile"}
    assert dense_module(config) == "keras.layers"
    assert "keras_version" in metadata


def dense_module(config):
    return next(layer["module"] for layer in config["config"]["layers"]
                if layer["class_name"] == "Dense")


def test_overwrite_false_asks(tmp_path, monkeypatch):
    model = _model()
    path = tmp_path / "m.keras"
    model.save(path)
    mtime = os.path.getmtime(path)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    model.save(path, overwrite=False)
    assert os.path.getmtime(path) == mtime


def test_subclassed_registered_model_and_custom_objects(tmp_path):
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package="tests")
    class Net(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.scale = Scale(3.0)
            self.dense = keras.layers.Dense(units)

        def call(self, x):
            return self.dense(self.scale(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = Net()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, RNG.random((16, 3)).astype("float32"), verbose=0)
    model.save(tmp_path / "net.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "net.keras").read("config.json"))
    assert config["registered_name"] == "tests>Net"
    loaded = keras.models.load_model(tmp_path / "net.keras")
    assert isinstance(loaded, Net)
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))

    # An unregistered class needs custom_objects= (or a custom_object_scope).
    class Plain(keras.layers.Layer):
        def call(self, x):
            return x + 1

    seq = keras.Sequential([keras.Input((5,)), Plain(name="plain")])
    seq.save(tmp_path / "plain.keras")
    with pytest.raises(ValueError, match="register_keras_serializable"):
        keras.models.load_model(tmp_path / "plain.keras")
    loaded = keras.models.load_model(tmp_path / "plain.keras", custom_objects={"Plain": Plain})
    _same(loaded.predict(X, verbose=0), X + 1)
    with keras.saving.custom_object_scope({"Plain": Plain}):
        loaded = keras.models.load_model(tmp_path / "plain.keras")
    _same(loaded.predict(X, verbose=0), X + 1)


def test_custom_functions_in_scope(tmp_path):
    def halve(x):
        return x / 2

    def my_loss(y_true, y_pred):
        return torch.mean(torch.abs(y_true - y_pred))

    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, activation=halve)])
    model.compile(optimizer="sgd", loss=my_loss)
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError):
        keras.models.load_model(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras",
                                     custom_objects={"halve": halve, "my_loss": my_loss})
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.loss is my_loss


def test_lambda_layers_round_trip_outside_safe_mode(tmp_path):
    offset = 0.5
    model = keras.Sequential([keras.Input((5,)),
                              keras.layers.Lambda(lambda x: x * 2 + offset),
                              keras.layers.Dense(2)])
    model.save(tmp_path / "lambda.keras")
    loaded = keras.models.load_model(tmp_path / "lambda.keras", safe_mode=False)
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))

    @keras.saving.register_keras_serializable(package="tests")
    def double(x, factor=2.0):
        return x * factor

    named = keras.Sequential([keras.Input((5,)),
                              keras.layers.Lambda(double, arguments={"factor": 3.0})])
    named.save(tmp_path / "named.keras")
    loaded = keras.models.load_model(tmp_path / "named.keras")  # safe: a registered name
    _same(loaded.predict(X, verbose=0), X * 3.0)


def test_adapted_normalization_state_round_trips(tmp_path):
    norm = keras.layers.Normalization()
    norm.adapt(X)
    model = keras.Sequential([keras.Input((5,)), norm, keras.layers.Dense(2)])
    model.save(tmp_path / "n.keras")
    loaded = keras.models.load_model(tmp_path / "n.keras")
    _same(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_importing_layerwise_does_not_import_h5py():
    code = "import sys, layerwise; print('h5py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}, check=True)
    assert out.stdout.strip() == "False"
