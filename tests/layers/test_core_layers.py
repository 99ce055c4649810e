"""The layers of the core issue: computation, shapes and configs (checked against Keras)."""

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


def t(array):
    return torch.as_tensor(np.asarray(array, dtype="float32"))


# Each case: a factory taking the layers module (layerwise or Keras), and an input shape.
LAYER_CASES = {
    "dense": (lambda L: L.Dense(4, activation="relu", use_bias=False,
                                kernel_initializer="he_normal"), (None, 3)),
    "dense_3d": (lambda L: L.Dense(2, kernel_regularizer="l2", bias_initializer="ones"),
                 (None, 5, 3)),
    "activation": (lambda L: L.Activation("tanh"), (None, 3, 2)),
    "identity": (lambda L: L.Identity(), (None, 7)),
    "flatten": (lambda L: L.Flatten(), (None, 4, 5, 3)),
    "flatten_cf": (lambda L: L.Flatten(data_format="channels_first"), (None, 3, 4, 5)),
    "reshape": (lambda L: L.Reshape((3, 4)), (None, 12)),
    "reshape_minus_one": (lambda L: L.Reshape((-1, 2)), (None, 3, 4)),
    "permute": (lambda L: L.Permute((2, 1)), (None, 3, 5)),
    "permute_3d": (lambda L: L.Permute((3, 1, 2)), (None, 2, 3, 4)),
    "repeat_vector": (lambda L: L.RepeatVector(3), (None, 4)),
    "dropout": (lambda L: L.Dropout(0.25, noise_shape=(None, 1), seed=1), (None, 6)),
    "activity_regularization": (lambda L: L.ActivityRegularization(l1=0.1, l2=0.2), (None, 4)),
}


def _plain(value):
    """Configs compared as JSON: tuples and lists alike."""
    return json.loads(json.dumps(value))


# ----------------------------------------------------------------- configs
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_get_config_from_config_round_trip(case):
    factory, shape = LAYER_CASES[case]
    layer = factory(layers)
    config = layer.get_config()
    json.dumps(config)  # JSON-friendly
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer)
    assert _plain(clone.get_config()) == _plain(config)
    # Same weights, same output.
    x = t(np.random.default_rng(0).normal(size=(2, *shape[1:])))
    out = layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).detach().numpy(), out.detach().numpy())


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_serialize_deserialize(case):
    factory, _ = LAYER_CASES[case]
    layer = factory(layers)
    config = layers.serialize(layer)
    assert config["class_name"] == type(layer).__name__
    restored = layers.deserialize(json.loads(json.dumps(config)))
    assert type(restored) is type(layer)
    assert _plain(restored.get_config()) == _plain(layer.get_config())
    assert layers.get(config).get_config() == restored.get_config()


def test_config_keeps_trainable_dtype_and_shape_kwargs():
    layer = layers.Dense(3, trainable=False, dtype="float64", input_shape=(5,), name="d")
    config = layer.get_config()
    assert config["trainable"] is False and config["dtype"] == "float64"
    assert config["batch_input_shape"] == [None, 5] and config["name"] == "d"
    clone = layers.Dense.from_config(config)
    assert not clone.trainable and clone.dtype == "float64"
    model = keras.Sequential([clone])
    assert model.input_shape == (None, 5)
    assert model.layers[0].kernel.dtype == torch.float64


@pytest.mark.keras
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_config_values_match_keras(keras_module, case):
    factory, _ = LAYER_CASES[case]
    keras_module.backend.clear_session(free_memory=False)
    ours = factory(layers).get_config()
    theirs = factory(keras_module.layers).get_config()
    for key in ours:
        if key == "dtype":
            continue
        assert key in theirs, key
        assert _plain(ours[key]) == _plain(theirs[key]), key


@pytest.fixture
def keras_module(request):
    return request.getfixturevalue("keras")


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_compute_output_shape_matches_the_output(case):
    factory, shape = LAYER_CASES[case]
    layer = factory(layers)
    out = layer(t(np.ones((2, *shape[1:]))))
    assert layer.compute_output_shape((2, *shape[1:])) == tuple(out.shape)
    symbolic = factory(layers)(keras.Input(shape[1:]))
    assert symbolic.shape == layer.compute_output_shape(shape)


@pytest.mark.keras
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_compute_output_shape_matches_keras(keras_module, case):
    factory, shape = LAYER_CASES[case]
    ours = factory(layers).compute_output_shape(shape)
    theirs = factory(keras_module.layers).compute_output_shape(shape)
    assert tuple(ours) == tuple(theirs)


@pytest.mark.keras
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_outputs_match_keras(keras_module, case):
    factory, shape = LAYER_CASES[case]
    x = np.random.default_rng(1).normal(size=(3, *shape[1:])).astype("float32")
    theirs_layer = factory(keras_module.layers)
    theirs = keras_module.ops.convert_to_numpy(theirs_layer(x))
    ours_layer = factory(layers)
    ours_layer(t(x))
    ours_layer.set_weights(theirs_layer.get_weights())
    np.testing.assert_allclose(ours_layer(t(x)).detach().numpy(), theirs, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------- Dense
def test_dense_computes_activation_of_affine_map():
    layer = layers.Dense(2, activation="relu")
    layer.build((None, 3))
    kernel = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]], dtype="float32")
    layer.set_weights([kernel, np.array([0.5, -10.0], dtype="float32")])
    x = np.array([[1.0, 1.0, 1.0], [0.0, -1.0, 4.0]], dtype="float32")
    expected = np.maximum(x @ kernel + [0.5, -10.0], 0)
    np.testing.assert_allclose(layer(t(x)).detach().numpy(), expected)
    assert layer.kernel.shape == (3, 2) and layer.bias.shape == (2,)
    # Rank 3 input: applied on the last axis.
    x3 = np.stack([x, x])
    np.testing.assert_allclose(layer(t(x3)).detach().numpy(), np.stack([expected, expected]))


def test_dense_without_bias_and_initializers():
    layer = layers.Dense(3, use_bias=False, kernel_initializer="ones")
    out = layer(t(np.ones((2, 4))))
    assert layer.bias is None and len(layer.weights) == 1
    np.testing.assert_array_equal(out.detach().numpy(), np.full((2, 3), 4.0))
    layer = layers.Dense(3, bias_initializer="ones", kernel_initializer="zeros")
    np.testing.assert_array_equal(layer(t(np.ones((1, 2)))).detach().numpy(), np.ones((1, 3)))


def test_dense_accepts_a_callable_activation():
    layer = layers.Dense(2, activation=torch.sigmoid, kernel_initializer="zeros")
    np.testing.assert_allclose(layer(t(np.ones((1, 3)))).detach().numpy(), 0.5)


def test_dense_glorot_uniform_bounds():
    layer = layers.Dense(200)
    layer.build((None, 300))
    limit = np.sqrt(6 / 500)
    kernel = layer.get_weights()[0]
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit
    np.testing.assert_array_equal(layer.get_weights()[1], np.zeros(200))


def test_dense_unknown_last_dimension():
    with pytest.raises(ValueError, match="last dimension"):
        keras.Sequential([keras.Input((None,)), layers.Dense(2)])


# --------------------------------------------------------- simple layers
def test_activation_and_identity():
    x = t([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layers.Activation("relu")(x).numpy(), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(layers.Activation("softmax")(x).numpy().sum(), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(layers.Activation(None)(x).numpy(), x.numpy())
    assert layers.Identity()(x) is x


def test_flatten_keeps_channels_last_order():
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(layers.Flatten()(t(x)).numpy(), x.reshape(2, -1))
    channels_first = layers.Flatten(data_format="channels_first")(t(x)).numpy()
    np.testing.assert_array_equal(channels_first, x.transpose(0, 2, 3, 1).reshape(2, -1))
    # A rank-1 batch becomes (batch, 1), as in Keras.
    assert tuple(layers.Flatten()(t(np.ones(4))).shape) == (4, 1)


def test_reshape_and_permute_values():
    x = np.arange(24, dtype="float32").reshape(2, 12)
    np.testing.assert_array_equal(layers.Reshape((3, 4))(t(x)).numpy(), x.reshape(2, 3, 4))
    np.testing.assert_array_equal(layers.Reshape((-1, 3))(t(x)).numpy(), x.reshape(2, 4, 3))
    y = x.reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(t(y)).numpy(), y.transpose(0, 2, 1))
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((5, 5))(t(x))


def test_repeat_vector_values_and_rank_check():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    out = layers.RepeatVector(3)(t(x)).numpy()
    assert out.shape == (2, 3, 2)
    np.testing.assert_array_equal(out[:, 1], x)
    with pytest.raises(ValueError, match="rank 2"):
        layers.RepeatVector(2)(keras.Input((2, 3)))
    with pytest.raises(ValueError, match="n"):
        layers.RepeatVector(0)


def test_dropout_scales_kept_values_and_respects_noise_shape():
    x = torch.ones(64, 8)
    out = layers.Dropout(0.25)(x, training=True).numpy()
    assert set(np.unique(out).tolist()) <= {0.0, float(np.float32(1.0) / np.float32(0.75))}
    shared = layers.Dropout(0.5, noise_shape=(None, 1))(x, training=True).numpy()
    assert all(len(set(row)) == 1 for row in shared)  # whole rows kept or dropped
    assert 0 < (shared[:, 0] == 0).sum() < 64
    assert layers.Dropout(0.0)(x, training=True) is x
    np.testing.assert_array_equal(layers.Dropout(0.9)(x).numpy(), x.numpy())


def test_activity_regularization_is_identity_with_a_penalty():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = t([[1.0, -2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    expected = (0.1 * 6 + 0.01 * 14) / 2  # divided by the batch size
    assert float(layer.losses[0]) == pytest.approx(expected)


# ------------------------------------------------------------------- Input
def test_input_and_input_layer():
    tensor = keras.Input(shape=(28, 28), name="pixels")
    assert tensor.shape == (None, 28, 28)
    assert keras.Input(shape=784).shape == (None, 784)
    assert keras.Input(batch_shape=(8, 3)).shape == (8, 3)
    assert keras.Input((3,), batch_size=4).shape == (4, 3)
    layer = keras.InputLayer(shape=(5,))
    assert layer.batch_shape == (None, 5)
    assert layer.get_config() == {"batch_shape": [None, 5], "dtype": "float32",
                                  "sparse": False, "name": "input_layer_3"}
    clone = keras.InputLayer.from_config(layer.get_config())
    assert clone.batch_shape == (None, 5) and clone.name == "input_layer_3"
    with pytest.raises(ValueError, match="either"):
        keras.Input(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(ValueError, match="integers"):
        keras.Input(shape=("a",))
