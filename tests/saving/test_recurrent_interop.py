"""Files with recurrent and attention layers move between Keras 3 and layerwise both ways."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import layerwise

pytestmark = pytest.mark.keras
T, VOCAB = 7, 30


def _text_model(K):
    L = K.layers
    inputs = K.Input((T,), dtype="int32")
    x = L.Embedding(VOCAB, 8, mask_zero=True)(inputs)
    x = L.Bidirectional(L.LSTM(5, return_sequences=True))(x)
    x = L.GRU(4, return_sequences=True, reset_after=False)(x)
    x = L.SimpleRNN(3)(x)
    return K.Model(inputs, L.Dense(2, activation="softmax")(x))


def _stacked_model(K):
    L = K.layers
    return K.Sequential([
        K.Input((T, 3)), L.Masking(),
        L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True),
        L.TimeDistributed(L.Dense(2)), L.GlobalAveragePooling1D(),
    ])


def _attention_model(K):
    # (No mask-producing layer before the attention: Keras then records its mask
    # computation as `ops` nodes in the graph, which layerwise does not load.)
    L = K.layers
    inputs = K.Input((T, 3))
    x = L.MultiHeadAttention(num_heads=2, key_dim=3)(inputs, inputs, use_causal_mask=True)
    x = L.Attention(use_scale=True)([x, inputs])
    return K.Model(inputs, L.Dense(2)(L.AdditiveAttention()([x, x])))


def _masking_model(K):
    # Keras records Masking's mask as `NotEqual` -> `Any` operations in the graph.
    L = K.layers
    inputs = K.Input((T, 3))
    x = L.Masking()(inputs)
    return K.Model(inputs, L.Dense(2)(L.LSTM(4)(x)))


MODELS = {"text": _text_model, "stacked": _stacked_model, "attention": _attention_model,
          "masking": _masking_model}


def _inputs(name):
    rng = np.random.default_rng(0)
    if name in ("attention", "masking"):
        x = rng.normal(size=(4, T, 3)).astype("float32")
        x[0, 5:] = 0.0
        return x
    if name == "text":
        x = rng.integers(1, VOCAB, size=(4, T))
        x[1, 5:] = 0
        return x
    x = rng.normal(size=(4, T, 3)).astype("float32")
    x[2, 4:] = 0.0
    return x


def _fit(model, x):
    model.compile(optimizer="adam", loss="mse")
    y = np.zeros(np.shape(model.predict(x, verbose=0)), "float32")
    model.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_files_load_in_layerwise(keras, name, tmp_path):
    keras.backend.clear_session()
    model, x = MODELS[name](keras), _inputs(name)
    _fit(model, x)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    for path in ("m.keras", "m.h5"):
        loaded = layerwise.models.load_model(tmp_path / path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5,
                                   atol=1e-6)
    fresh = MODELS[name](layerwise)
    fresh.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_layerwise_files_load_in_keras(keras, name, tmp_path):
    model, x = MODELS[name](layerwise), _inputs(name)
    _fit(model, x)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    model.save_weights(tmp_path / "m.weights.h5")
    keras.backend.clear_session()
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    legacy = keras.models.load_model(tmp_path / "m.h5", compile=False)
    np.testing.assert_allclose(legacy.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()
    fresh = MODELS[name](keras)
    fresh.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
