"""Ops on symbolic tensors: functional models built with `ops`, a custom layer and a custom
loss written with `ops` train, save to `.keras` and load in layerwise and in Keras 3 with
equal predictions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise import ops

keras = pytest.importorskip("keras")


def _antirectifier(framework, package):
    """The keras.io "antirectifier" layer, written against `framework.ops`."""
    fops = framework.ops

    @framework.saving.register_keras_serializable(package=package)
    class Antirectifier(framework.layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = framework.initializers.get(initializer)

        def build(self, input_shape):
            dim = input_shape[-1]
            self.kernel = self.add_weight(shape=(dim * 2, dim), initializer=self.initializer,
                                          name="kernel", trainable=True)

        def call(self, inputs):
            inputs = inputs - fops.mean(inputs, axis=-1, keepdims=True)
            pos = fops.relu(inputs)
            neg = fops.relu(-inputs)
            return fops.matmul(fops.concatenate([pos, neg], axis=-1), self.kernel)

        def get_config(self):
            config = super().get_config()
            config["initializer"] = framework.initializers.serialize(self.initializer)
            return config

    return Antirectifier


def _custom_loss(framework, package):
    fops = framework.ops

    @framework.saving.register_keras_serializable(package=package)
    def smooth_mse(y_true, y_pred):
        return fops.mean(fops.square(y_pred - y_true) + 0.1 * fops.abs(y_pred - y_true),
                         axis=-1)

    return smooth_mse


LW_ANTI = _antirectifier(layerwise, "opsdemo")
LW_LOSS = _custom_loss(layerwise, "opsdemo")
K_ANTI = _antirectifier(keras, "opsdemo")
K_LOSS = _custom_loss(keras, "opsdemo")


def _ops_model(framework, anti):
    fops = framework.ops
    inputs = framework.Input((6,), name="features")
    x = framework.layers.Dense(8, name="dense_in")(inputs)
    x = fops.relu(x)
    x = x * 2 + fops.mean(x)
    x = anti(name="anti")(x)
    first = x[:, 0:1]
    x = fops.concatenate([x, fops.tanh(first)], axis=-1)
    x = x / (1.0 + fops.abs(x))
    outputs = framework.layers.Dense(3, name="dense_out")(x)
    return framework.Model(inputs, outputs)


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 3)).astype("float32")


def test_ops_on_symbolic_tensors_build_op_layers_like_keras():
    ours, theirs = _ops_model(layerwise, LW_ANTI), _ops_model(keras, K_ANTI)
    ours_types = [type(n.layer).__name__ for layer in ours.layers for n in layer._inbound_nodes]
    assert {"Relu", "Multiply", "Mean", "Add", "GetItem", "Concatenate", "Tanh",
            "TrueDivide", "Absolute"} <= set(ours_types)
    assert ours.output_shape == theirs.output_shape
    assert ours.count_params() == theirs.count_params()
    printed = []
    ours.summary(print_fn=printed.append)
    assert "get_item (GetItem)" in "\n".join(printed)


def test_slicing_a_model_output():
    base = _ops_model(layerwise, LW_ANTI)
    model = layerwise.Model(base.input, base.output[:, 1])
    x, _ = _data()
    np.testing.assert_allclose(model.predict(x, verbose=0), base.predict(x, verbose=0)[:, 1],
                               rtol=1e-6)


def test_train_save_and_load_in_layerwise_and_keras(tmp_path):
    x, y = _data()
    layerwise.utils.set_random_seed(1)
    model = _ops_model(layerwise, LW_ANTI)
    model.compile(optimizer="adam", loss=LW_LOSS)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    expected = model.predict(x, verbose=0)
    path = tmp_path / "ops_model.keras"
    model.save(path)

    reloaded = layerwise.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    reloaded.fit(x, y, epochs=1, verbose=0)  # the loaded model (and its loss) trains

    # Keras looks registered functions up by their module, which differs here.
    in_keras = keras.saving.load_model(path, custom_objects={"smooth_mse": K_LOSS})
    np.testing.assert_allclose(np.asarray(in_keras.predict(x, verbose=0)), expected,
                               rtol=1e-5, atol=1e-5)


def test_keras_file_with_ops_loads_in_layerwise(tmp_path):
    x, y = _data()
    model = _ops_model(keras, K_ANTI)
    model.compile(optimizer="adam", loss=K_LOSS)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "keras_ops_model.keras"
    model.save(path)
    ours = layerwise.models.load_model(path)
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               np.asarray(model.predict(x, verbose=0)), rtol=1e-5, atol=1e-5)


def test_preprocess_input_on_a_model_input_round_trips(tmp_path):
    from layerwise.applications.imagenet_utils import preprocess_input

    inputs = layerwise.Input((4, 4, 3))
    x = preprocess_input(inputs)
    model = layerwise.Model(inputs, layerwise.layers.Conv2D(2, 3)(x))
    images = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = model.layers[-1](torch.as_tensor(preprocess_input(images))).detach().numpy()
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, rtol=1e-5, atol=1e-4)
    model.save(tmp_path / "pre.keras")
    theirs = keras.saving.load_model(tmp_path / "pre.keras")
    np.testing.assert_allclose(np.asarray(theirs.predict(images, verbose=0)), expected,
                               rtol=1e-5, atol=1e-3)


def test_unsupported_symbolic_use_says_why():
    x = layerwise.Input((3,))
    with pytest.raises(ValueError, match="Reshape"):
        ops.reshape(x, (7, 7))
