"""Training parity: Embedding(mask_zero) -> recurrent -> Dense models against Keras 3.

Same weights, same batches, 3 SGD steps: the weights must agree afterwards
(the gradients go through torch's fused kernel and the weight conversion),
and the masked loss and metrics agree (the mask rides into both).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

VOCAB, T = 20, 7


def _tokens():
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, size=(8, T))
    for i, n in enumerate([7, 5, 3, 6, 1, 7, 2, 4]):
        x[i, n:] = 0  # right padding, as pad_sequences(padding="post") makes
    y = rng.integers(0, 2, size=(8, 1)).astype("float32")
    return x, y


def _build(lib, recurrent):
    layers = lib.layers
    return lib.Sequential([
        lib.Input((T,), dtype="int32"),
        layers.Embedding(VOCAB, 6, mask_zero=True),
        recurrent(layers),
        layers.Dense(1, activation="sigmoid"),
    ])


RECURRENT = {
    "lstm": lambda L: L.LSTM(5),
    "gru": lambda L: L.GRU(5),
    "gru_reset_before": lambda L: L.GRU(5, reset_after=False),
    "simple_rnn": lambda L: L.SimpleRNN(5),
    "bidirectional_lstm": lambda L: L.Bidirectional(L.LSTM(4)),
    "stacked_sequences": lambda L: L.Bidirectional(L.GRU(3, return_sequences=True),
                                                   merge_mode="sum"),
}


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_three_sgd_steps_match_keras(keras, name):
    x, y = _tokens()
    k_model = _build(keras, RECURRENT[name])
    l_model = _build(layerwise, RECURRENT[name])
    if name == "stacked_sequences":
        for lib, model in ((keras, k_model), (layerwise, l_model)):
            model.pop()
            model.add(lib.layers.GlobalAveragePooling1D())
            model.add(lib.layers.Dense(1, activation="sigmoid"))
    l_model.set_weights(k_model.get_weights())
    for lib, model in ((keras, k_model), (layerwise, l_model)):
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="binary_crossentropy",
                      metrics=["accuracy"])
    k_hist = k_model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    l_hist = l_model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    k_more = k_model.fit(x[:4], y[:4], batch_size=4, epochs=1, shuffle=False, verbose=0)
    l_more = l_model.fit(x[:4], y[:4], batch_size=4, epochs=1, shuffle=False, verbose=0)
    for want, got in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(l_hist["loss"], k_hist["loss"], rtol=1e-5)
    np.testing.assert_allclose(l_more.history["accuracy"], k_more.history["accuracy"])


def test_sequence_mask_reaches_loss_and_metrics(keras):
    """return_sequences outputs keep the Embedding mask: padded steps do not count."""
    x, _ = _tokens()
    y = (np.random.default_rng(1).random((8, T, 1)) > 0.5).astype("float32")

    def build(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((T,), dtype="int32"), L.Embedding(VOCAB, 4, mask_zero=True),
                               L.LSTM(3, return_sequences=True),
                               L.TimeDistributed(L.Dense(1, activation="sigmoid"))])

    k_model, l_model = build(keras), build(layerwise)
    l_model.set_weights(k_model.get_weights())
    for model in (k_model, l_model):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    want = k_model.evaluate(x, y, verbose=0)
    got = l_model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    out = l_model(torch.from_numpy(x))
    assert out._keras_mask.tolist() == (x != 0).tolist()


def test_custom_embedding_mask_is_not_dropped():
    class MyEmbedding(layerwise.layers.Layer):
        def build(self, input_shape):
            self.table = self.add_weight(shape=(VOCAB, 3), name="table")

        def call(self, inputs):
            return self.table[inputs.long()]

        def compute_mask(self, inputs, mask=None):
            return inputs != 0

    seen = []

    class Probe(layerwise.layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(mask)
            return inputs

    x, _ = _tokens()
    inputs = layerwise.Input((T,), dtype="int32")
    model = layerwise.Model(inputs, Probe()(layerwise.layers.Dense(2)(MyEmbedding()(inputs))))
    model.predict(x, verbose=0)
    assert seen[-1] is not None and seen[-1].tolist() == (x != 0).tolist()
