"""`keras.backend`: configuration, sessions, seeds, values."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise import backend

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture
def restore_config():
    saved = (backend.floatx(), backend.epsilon(), backend.image_data_format())
    yield
    backend.set_floatx(saved[0])
    backend.set_epsilon(saved[1])
    backend.set_image_data_format(saved[2])


def test_defaults_are_keras_defaults():
    assert backend.backend() == "torch"
    assert backend.floatx() == "float32"
    assert backend.epsilon() == 1e-7
    assert backend.image_data_format() == "channels_last"


@pytest.mark.keras
def test_defaults_match_keras(request):
    real = request.getfixturevalue("keras")
    assert backend.floatx() == real.backend.floatx()
    assert backend.epsilon() == real.backend.epsilon()
    assert backend.image_data_format() == real.backend.image_data_format()
    assert backend.backend() == real.backend.backend()


def test_set_floatx_changes_new_weights_and_training(restore_config):
    backend.set_floatx("float64")
    assert backend.floatx() == "float64"
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert all(w.dtype == np.float64 for w in model.get_weights())
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((4, 3)), np.zeros((4, 2)), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(np.ones((1, 3)), verbose=0).dtype == np.float64
    with pytest.raises(ValueError, match="floatx"):
        backend.set_floatx("float8")


def test_set_epsilon_and_image_data_format(restore_config):
    backend.set_epsilon(1e-3)
    assert backend.epsilon() == 1e-3
    backend.set_image_data_format("channels_first")
    assert backend.image_data_format() == "channels_first"
    # Flatten follows the global default.
    x = np.arange(24, dtype="float32").reshape(1, 2, 3, 4)
    out = keras.layers.Flatten()(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(1, -1))
    with pytest.raises(ValueError, match="channels_first"):
        backend.set_image_data_format("channels_middle")


def test_set_learning_phase_warns_and_does_nothing():
    with pytest.warns(DeprecationWarning, match="set_learning_phase"):
        backend.set_learning_phase(1)
    assert backend.learning_phase() == 0
    layer = keras.layers.Dropout(0.5)
    x = torch.ones(4, 4)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())  # still inference


def test_clear_session_resets_names():
    assert keras.layers.Dense(1).name == "dense"
    assert keras.layers.Dense(1).name == "dense_1"
    backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    backend.clear_session(free_memory=False)
    assert keras.layers.Dense(1).name == "dense"


def test_set_random_seed_seeds_python_numpy_and_torch():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item(), \
            keras.layers.Dense(3)(torch.ones(1, 2)).detach().numpy().tolist()

    keras.utils.set_random_seed(7)
    first = draw()
    backend.set_random_seed(7)  # the same function, also under backend
    second = draw()
    assert first == second
    keras.utils.set_random_seed(8)
    assert draw() != first
    with pytest.raises(ValueError, match="seed"):
        keras.utils.set_random_seed("7")
    with pytest.raises(ValueError, match="seed"):
        keras.utils.set_random_seed(1.5)


def test_get_value_and_set_value():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    value = backend.get_value(layer.kernel)
    assert isinstance(value, np.ndarray) and value.shape == (3, 2)
    backend.set_value(layer.kernel, np.ones((3, 2)))
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((3, 2)))
    t = torch.zeros(2)
    backend.set_value(t, [1.0, 2.0])
    assert t.tolist() == [1.0, 2.0]
    assert backend.get_value(3.5) == 3.5
    with pytest.raises(TypeError, match="learning rate"):
        backend.set_value(0.1, 0.2)


def test_to_torch_dtype():
    from layerwise.backend.config import to_torch_dtype

    assert to_torch_dtype("float32") is torch.float32
    assert to_torch_dtype(np.dtype("int64")) is torch.int64
    assert to_torch_dtype(torch.float16) is torch.float16
    assert to_torch_dtype(None) is torch.float32
    with pytest.raises(ValueError, match="dtype"):
        to_torch_dtype("float33")


def test_default_device_honours_the_environment(monkeypatch):
    from layerwise.backend.device import default_device

    monkeypatch.setenv("LAYERWISE_DEVICE", "cpu")
    assert default_device() == torch.device("cpu")
    monkeypatch.delenv("LAYERWISE_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert default_device().type == expected


def test_models_train_on_the_default_device(monkeypatch):
    monkeypatch.setenv("LAYERWISE_DEVICE", "cpu")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), verbose=0)
    assert all(p.device.type == "cpu" for p in model.parameters())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_models_move_to_cuda_at_compile(monkeypatch):
    monkeypatch.delenv("LAYERWISE_DEVICE", raising=False)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    assert all(p.device.type == "cuda" for p in model.parameters())
    history = model.fit(np.ones((4, 3)), np.zeros((4, 2)), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert isinstance(model.predict(np.ones((2, 3)), verbose=0), np.ndarray)
