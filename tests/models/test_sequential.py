"""`Sequential`: building, editing and inspecting a stack of layers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise import layers

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")


def mnist_mlp():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def cifar_mlp():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Flatten(),
        layers.Dense(1000, activation="relu"),
        layers.Dense(500, activation="relu"),
        layers.Dense(100, activation="softmax"),
    ])


def test_count_params_of_the_classic_models():
    assert mnist_mlp().count_params() == 101770
    assert cifar_mlp().count_params() == 3623600


def test_keras2_style_input_shape_gives_the_same_model():
    model = keras.Sequential()
    model.add(layers.Dense(128, activation="relu", input_shape=(784,)))
    model.add(layers.Dense(10, activation="softmax"))
    assert model.count_params() == 101770
    assert model.input_shape == (None, 784)
    assert model.output_shape == (None, 10)


def test_layers_add_and_pop():
    model = mnist_mlp()
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert all(isinstance(layer, layers.Layer) for layer in model.layers)
    assert not any(isinstance(layer, keras.InputLayer) for layer in model.layers)
    last = model.pop()
    assert last.name == "dense_1"
    assert [layer.name for layer in model.layers] == ["dense"]
    assert model.output_shape == (None, 128)
    assert model.count_params() == 784 * 128 + 128
    model.add(layers.Dense(5, activation="softmax", name="new_head"))
    assert model.output_shape == (None, 5)
    assert model.count_params() == 784 * 128 + 128 + 128 * 5 + 5
    assert model.predict(np.zeros((2, 784)), verbose=0).shape == (2, 5)
    model.pop()
    model.pop()
    with pytest.raises(IndexError):
        model.pop()


def test_add_rejects_non_layers_and_duplicates():
    model = mnist_mlp()
    with pytest.raises(ValueError, match="Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="already"):
        model.add(model.layers[0])
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(3, name="dense"))
    with pytest.raises(ValueError, match="Input"):
        model.add(keras.Input((3,)))


def test_get_layer_by_name_and_index():
    model = mnist_mlp()
    assert model.get_layer("dense_1") is model.layers[1]
    assert model.get_layer(name="dense") is model.layers[0]
    assert model.get_layer(index=0) is model.layers[0]
    assert model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(ValueError) as info:
        model.get_layer("dense_7")
    assert "dense_7" in str(info.value) and "dense_1" in str(info.value)
    with pytest.raises(ValueError, match="index 5"):
        model.get_layer(index=5)
    with pytest.raises(ValueError):
        model.get_layer()
    with pytest.raises(ValueError):
        model.get_layer(name="dense", index=0)


def test_inputs_outputs_and_shapes():
    model = cifar_mlp()
    assert model.built
    assert len(model.inputs) == 1 and model.inputs[0].shape == (None, 32, 32, 3)
    assert len(model.outputs) == 1 and model.outputs[0].shape == (None, 100)
    assert model.input.shape == (None, 32, 32, 3)
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 100)
    assert model.layers[0].output_shape == (None, 3072)
    assert model.compute_output_shape((7, 32, 32, 3)) == (7, 100)


def test_deferred_build_with_build_call():
    model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2)])
    assert not model.built
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    with pytest.raises(AttributeError):
        _ = model.inputs
    with pytest.raises(ValueError, match="input_shape"):
        model.build()
    model.build((None, 16))
    assert model.built
    assert model.count_params() == 16 * 8 + 8 + 8 * 2 + 2
    assert model.output_shape == (None, 2)
    assert model.inputs[0].shape == (None, 16)


def test_deferred_build_on_first_call_and_fit():
    model = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    out = model(torch.ones(3, 6))
    assert tuple(out.shape) == (3, 1)
    assert model.count_params() == 6 * 4 + 4 + 4 + 1

    model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((10, 3)), np.ones((10, 1)), verbose=0)
    assert model.count_params() == 3 * 4 + 4 + 4 + 1


def test_empty_sequential_and_a_single_layer():
    model = keras.Sequential()
    assert model.layers == []
    model.add(keras.Input((3,)))
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)


def test_forward_is_the_composition_of_layers():
    model = mnist_mlp()
    x = torch.rand(5, 784)
    h = model.layers[0](x)
    expected = model.layers[1](h)
    np.testing.assert_allclose(model(x).detach().numpy(), expected.detach().numpy(), rtol=1e-6)


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(4, activation="tanh"),
                              layers.Dropout(0.2), layers.Dense(2, activation="softmax")],
                             name="clf")
    config = json.loads(json.dumps(model.get_config()))
    assert config["name"] == "clf"
    assert [c["class_name"] for c in config["layers"]] == ["InputLayer", "Dense", "Dropout",
                                                            "Dense"]
    keras.backend.clear_session(free_memory=False)
    clone = keras.Sequential.from_config(config)
    assert clone.name == "clf"
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 6)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_nested_sequential():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3)], name="inner")
    outer = keras.Sequential([keras.Input((4,)), inner, layers.Dense(2)])
    assert outer.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    assert [w.path for w in outer.weights][:2] == ["dense/kernel", "dense/bias"]
    outer.compile(optimizer="sgd", loss="mse")
    history = outer.fit(np.ones((8, 4)), np.zeros((8, 2)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.keras
def test_shapes_and_counts_match_keras(request):
    real = request.getfixturevalue("keras")
    for build in ("mnist", "cifar"):
        real.backend.clear_session(free_memory=False)
        if build == "mnist":
            k_model = real.Sequential([real.Input((784,)), real.layers.Dense(128, "relu"),
                                       real.layers.Dense(10, "softmax")])
            model = mnist_mlp()
        else:
            k_model = real.Sequential([real.Input((32, 32, 3)), real.layers.Flatten(),
                                       real.layers.Dense(1000), real.layers.Dense(500),
                                       real.layers.Dense(100)])
            model = cifar_mlp()
        assert model.count_params() == k_model.count_params()
        assert tuple(model.output_shape) == tuple(k_model.output_shape)
        assert tuple(model.input_shape) == tuple(k_model.input_shape)
        assert [layer.name for layer in model.layers] == [layer.name for layer in k_model.layers]
        assert [w.shape for w in model.get_weights()] == [
            w.shape for w in k_model.get_weights()]
        keras.backend.clear_session(free_memory=False)
