"""Keras 2 HDF5 files, built by hand with h5py: configs, attributes and weights as Keras 2 wrote them."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import layerwise as keras

RNG = np.random.default_rng(0)


def _dense_config(name, units, activation="linear", **extra):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None, **extra}}


def _bn_config(name):
    init = {"class_name": "Zeros", "config": {}}
    ones = {"class_name": "Ones", "config": {}}
    return {"class_name": "BatchNormalization", "config": {
        "name": name, "trainable": True, "dtype": "float32", "axis": [1], "momentum": 0.99,
        "epsilon": 0.001, "center": True, "scale": True, "beta_initializer": init,
        "gamma_initializer": ones, "moving_mean_initializer": init,
        "moving_variance_initializer": ones, "beta_regularizer": None,
        "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}}


def _write_layer(group, layer_name, weights, chunk_names=False):
    """A Keras 2 layer group: `weight_names` (bytes, `:0` suffixes) and nested datasets."""
    g = group.create_group(layer_name)
    names = [f"{layer_name}/{w}:0".encode() for w in weights]
    if chunk_names and len(names) > 1:
        g.attrs["weight_names0"] = np.asarray(names[:1])
        g.attrs["weight_names1"] = np.asarray(names[1:])
    else:
        g.attrs["weight_names"] = np.asarray(names) if names else np.asarray([])
    for name, value in zip(names, weights.values()):
        g.create_dataset(name.decode(), data=value)


def _weights():
    return {
        "dense": {"kernel": RNG.standard_normal((4, 3)).astype("float32"),
                  "bias": RNG.standard_normal(3).astype("float32")},
        "batch_normalization": {"gamma": RNG.random(3).astype("float32") + 0.5,
                                "beta": RNG.standard_normal(3).astype("float32"),
                                "moving_mean": RNG.standard_normal(3).astype("float32"),
                                "moving_variance": RNG.random(3).astype("float32") + 0.5},
        "dense_1": {"kernel": RNG.standard_normal((3, 2)).astype("float32"),
                    "bias": RNG.standard_normal(2).astype("float32")},
    }


def _forward(w, x):
    h = np.maximum(x @ w["dense"]["kernel"] + w["dense"]["bias"], 0)
    bn = w["batch_normalization"]
    h = (h - bn["moving_mean"]) / np.sqrt(bn["moving_variance"] + 1e-3) * bn["gamma"] + bn["beta"]
    return h @ w["dense_1"]["kernel"] + w["dense_1"]["bias"]


def _keras2_sequential_file(path, with_input_layer=True, chunked=False, training=True):
    w = _weights()
    layers = [_dense_config("dense", 3, "relu"), _bn_config("batch_normalization"),
              _dense_config("dense_1", 2)]
    if with_input_layer:  # tf.keras 2.x
        layers.insert(0, {"class_name": "InputLayer", "config": {
            "batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
            "ragged": False, "name": "dense_input"}})
    else:  # Keras 2.2: the first layer carries `batch_input_shape`
        layers[0]["config"]["batch_input_shape"] = [None, 4]
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.4.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        if training:
            f.attrs["training_config"] = json.dumps({
                "loss": "mse", "metrics": ["mae"], "weighted_metrics": None,
                "loss_weights": None, "sample_weight_mode": None,
                "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9,
                    "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}).encode("utf8")
        group = f.create_group("model_weights")
        names = [b"dense", b"batch_normalization", b"dense_1"]
        if with_input_layer:
            names.insert(0, b"dense_input")
            _write_layer(group, "dense_input", {})
        if chunked:
            group.attrs["layer_names0"] = np.asarray(names[:2])
            group.attrs["layer_names1"] = np.asarray(names[2:])
        else:
            group.attrs["layer_names"] = np.asarray(names)
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = b"2.4.0"
        for i, (layer_name, weights) in enumerate(w.items()):
            _write_layer(group, layer_name, weights, chunk_names=chunked and i == 1)
        if training:  # Keras 2's optimizer state order: [iterations, m..., v...]
            opt = f.create_group("optimizer_weights")
            values = [np.asarray(7, "int64")] + [np.zeros_like(v) for layer in w.values()
                                                 for v in layer.values()][:6] * 2
            names = [f"training/Adam/{i}:0".encode() for i in range(len(values))]
            opt.attrs["weight_names"] = np.asarray(names)
            for name, value in zip(names, values):
                opt.create_dataset(name.decode(), data=value)
    return w


@pytest.mark.parametrize("with_input_layer", [True, False])
@pytest.mark.parametrize("chunked", [False, True])
def test_keras2_sequential_full_model(tmp_path, with_input_layer, chunked):
    path = tmp_path / "k2.h5"
    w = _keras2_sequential_file(path, with_input_layer, chunked)
    with pytest.warns(UserWarning, match="freshly initialized optimizer"):
        model = keras.models.load_model(path)
    x = RNG.standard_normal((5, 4)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), _forward(w, x), rtol=1e-5,
                               atol=1e-5)
    assert model.compiled and isinstance(model.optimizer, keras.optimizers.Adam)
    model.fit(x, np.zeros((5, 2), "float32"), verbose=0)  # trains after loading


def test_keras2_without_training_config_loads_uncompiled(tmp_path):
    path = tmp_path / "k2.h5"
    _keras2_sequential_file(path, training=False)
    with pytest.warns(UserWarning, match="not\\* compiled"):
        model = keras.models.load_model(path)
    assert not model.compiled
    model = keras.models.load_model(path, compile=False)
    assert not model.compiled


def test_keras2_functional_with_old_node_lists(tmp_path):
    w = {"dense": {"kernel": RNG.standard_normal((4, 3)).astype("float32"),
                   "bias": RNG.standard_normal(3).astype("float32")},
         "out": {"kernel": RNG.standard_normal((5, 1)).astype("float32"),
                 "bias": RNG.standard_normal(1).astype("float32")}}

    def input_layer(name, n):
        return {"name": name, "class_name": "InputLayer", "inbound_nodes": [], "config": {
            "batch_input_shape": [None, n], "dtype": "float32", "sparse": False, "name": name}}

    config = {"class_name": "Model", "config": {
        "name": "model",
        "layers": [
            input_layer("a", 4), input_layer("b", 2),
            {**_dense_config("dense", 3, "tanh"), "name": "dense",
             "inbound_nodes": [[["a", 0, 0, {}]]]},
            {"name": "concatenate", "class_name": "Concatenate",
             "config": {"name": "concatenate", "trainable": True, "dtype": "float32",
                        "axis": -1},
             "inbound_nodes": [[["dense", 0, 0, {}], ["b", 0, 0, {}]]]},
            {**_dense_config("out", 1), "name": "out",
             "inbound_nodes": [[["concatenate", 0, 0, {}]]]}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": [["out", 0, 0]]}}
    path = tmp_path / "func.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["keras_version"] = b"2.2.4"
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.asarray([b"a", b"b", b"dense", b"concatenate", b"out"])
        for name in ("a", "b", "concatenate"):
            _write_layer(group, name, {})
        for name, weights in w.items():
            _write_layer(group, name, weights)
    model = keras.models.load_model(path, compile=False)
    xa = RNG.standard_normal((3, 4)).astype("float32")
    xb = RNG.standard_normal((3, 2)).astype("float32")
    h = np.concatenate([np.tanh(xa @ w["dense"]["kernel"] + w["dense"]["bias"]), xb], axis=1)
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0),
                               h @ w["out"]["kernel"] + w["out"]["bias"], rtol=1e-5, atol=1e-5)


def test_keras2_weights_only_file_by_order_and_by_name(tmp_path):
    path = tmp_path / "weights.h5"
    w = _weights()
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.asarray([b"dense", b"batch_normalization", b"dense_1"])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.3.1"
        for layer_name, weights in w.items():
            _write_layer(f, layer_name, weights)
    x = RNG.standard_normal((5, 4)).astype("float32")

    def build(names):
        return keras.Sequential([keras.Input((4,)),
                                 keras.layers.Dense(3, activation="relu", name=names[0]),
                                 keras.layers.BatchNormalization(name=names[1]),
                                 keras.layers.Dense(2, name=names[2])])

    by_order = build(["x", "y", "z"])  # names differ: order decides
    by_order.load_weights(path)
    np.testing.assert_allclose(by_order.predict(x, verbose=0), _forward(w, x), rtol=1e-5,
                               atol=1e-5)
    by_name = build(["dense", "batch_normalization", "dense_1"])
    by_name.load_weights(path, by_name=True)
    np.testing.assert_allclose(by_name.predict(x, verbose=0), _forward(w, x), rtol=1e-5,
                               atol=1e-5)
    # skip_mismatch in both modes: a layer with another shape keeps its weights.
    other = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, activation="relu", name="dense"),
                              keras.layers.BatchNormalization(name="batch_normalization"),
                              keras.layers.Dense(5, name="dense_1")])
    kept = other.get_layer("dense_1").get_weights()[0].copy()
    for by_name_flag in (False, True):
        with pytest.raises(ValueError, match="skip_mismatch"):
            other.load_weights(path, by_name=by_name_flag)
        with pytest.warns(UserWarning):
            other.load_weights(path, by_name=by_name_flag, skip_mismatch=True)
        np.testing.assert_array_equal(other.get_layer("dense").get_weights()[0],
                                      w["dense"]["kernel"])
        np.testing.assert_array_equal(other.get_layer("dense_1").get_weights()[0], kept)


def test_layerwise_h5_round_trip_keeps_keras2_layout(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d")])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert {"model_config", "training_config", "keras_version", "backend"} <= set(f.attrs)
        training = json.loads(f.attrs["training_config"])
        assert training["optimizer_config"]["class_name"] == "SGD"
        group = f["model_weights"]
        assert list(group.attrs["layer_names"]) in (["d"], [b"d"])
        names = [n.decode() if isinstance(n, bytes) else n for n in group["d"].attrs["weight_names"]]
        assert names == ["d/kernel", "d/bias"]
        assert "optimizer_weights" in f


def test_many_layers_write_chunked_attributes(tmp_path):
    layers = [keras.layers.Dense(1, name=f"dense_with_a_rather_long_name_to_fill_headers_{i:05d}")
              for i in range(1400)]
    model = keras.Sequential([keras.Input((1,)), *layers])
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as f:  # 1400 * 51 bytes > HDF5's 64 KB limit
        assert "layer_names" not in f.attrs and "layer_names1" in f.attrs
    copy = keras.models.model_from_json(model.to_json())
    copy.load_weights(tmp_path / "w.h5")
    for a, b in zip(copy.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
