"""Course patterns: a seq2seq encoder-decoder with `initial_state=`, and a Transformer
encoder/decoder written as custom layers (PositionalEmbedding with `compute_mask`,
MultiHeadAttention with `use_causal_mask`), each against Keras 3 with copied weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

VOCAB, T = 15, 6


def _tokens(seed=0):
    x = np.random.default_rng(seed).integers(1, VOCAB, size=(4, T))
    x[1, 4:] = 0
    x[3, 2:] = 0
    return x


def _seq2seq(lib, cell):
    L = lib.layers
    enc_in = lib.Input((T,), dtype="int32", name="encoder_inputs")
    dec_in = lib.Input((T,), dtype="int32", name="decoder_inputs")
    enc = L.Embedding(VOCAB, 8, mask_zero=True)(enc_in)
    if cell == "lstm":
        _, h, c = L.LSTM(6, return_state=True)(enc)
        states = [h, c]
    else:
        _, h = L.GRU(6, return_state=True)(enc)
        states = [h]
    dec = L.Embedding(VOCAB, 8, mask_zero=True)(dec_in)
    layer = L.LSTM if cell == "lstm" else L.GRU
    dec = layer(6, return_sequences=True)(dec, initial_state=states)
    out = L.Dense(VOCAB, activation="softmax")(dec)
    return lib.Model([enc_in, dec_in], out)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_seq2seq_with_initial_state_matches_keras(keras, cell, tmp_path):
    k_model, l_model = _seq2seq(keras, cell), _seq2seq(layerwise, cell)
    assert [w.shape for w in l_model.get_weights()] == [w.shape for w in k_model.get_weights()]
    l_model.set_weights(k_model.get_weights())
    x_enc, x_dec = _tokens(0), _tokens(1)
    y = np.random.default_rng(2).integers(0, VOCAB, size=(4, T))
    want = k_model.predict([x_enc, x_dec], verbose=0)
    np.testing.assert_allclose(l_model.predict([x_enc, x_dec], verbose=0), want, rtol=1e-5,
                               atol=1e-6)
    for lib, model in ((keras, k_model), (layerwise, l_model)):
        model.compile(optimizer=lib.optimizers.SGD(0.3), loss="sparse_categorical_crossentropy")
        model.fit([x_enc, x_dec], y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(l_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)
    # The graph (with its tensor keyword argument) survives a config round trip.
    clone = layerwise.models.model_from_json(l_model.to_json())
    clone.set_weights(l_model.get_weights())
    np.testing.assert_allclose(clone.predict([x_enc, x_dec], verbose=0),
                               l_model.predict([x_enc, x_dec], verbose=0), rtol=1e-6)


def _transformer_classes(lib):
    L = lib.layers

    class PositionalEmbedding(L.Layer):
        def __init__(self, length, vocab, dim, **kwargs):
            super().__init__(**kwargs)
            self.tokens = L.Embedding(vocab, dim)
            self.positions = L.Embedding(length, dim)

        def call(self, inputs):
            steps = torch.arange(inputs.shape[-1])
            return self.tokens(inputs) + self.positions(steps)

        def compute_mask(self, inputs, mask=None):
            return inputs != 0

    class TransformerBlock(L.Layer):
        def __init__(self, dim, heads, causal, **kwargs):
            super().__init__(**kwargs)
            self.causal = causal
            self.attention = L.MultiHeadAttention(num_heads=heads, key_dim=dim)
            self.dense = L.Dense(dim, activation="relu")
            self.norm1 = L.LayerNormalization()
            self.norm2 = L.LayerNormalization()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            attention_mask = None
            if mask is not None:
                attention_mask = mask[:, None, :]
            attended = self.attention(inputs, inputs, attention_mask=attention_mask,
                                      use_causal_mask=self.causal)
            x = self.norm1(inputs + attended)
            return self.norm2(x + self.dense(x))

    return PositionalEmbedding, TransformerBlock


def _transformer(lib, causal):
    PositionalEmbedding, TransformerBlock = _transformer_classes(lib)
    L = lib.layers
    inputs = lib.Input((T,), dtype="int32")
    x = PositionalEmbedding(T, VOCAB, 8)(inputs)
    x = TransformerBlock(8, 2, causal)(x)
    x = L.GlobalAveragePooling1D()(x)
    return lib.Model(inputs, L.Dense(1, activation="sigmoid")(x))


@pytest.mark.parametrize("causal", [False, True])
def test_transformer_custom_layers_match_keras(keras, causal):
    k_model, l_model = _transformer(keras, causal), _transformer(layerwise, causal)
    l_model.set_weights(k_model.get_weights())
    x = _tokens()
    y = np.array([[0.0], [1.0], [1.0], [0.0]], "float32")
    np.testing.assert_allclose(l_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for lib, model in ((keras, k_model), (layerwise, l_model)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy")
        model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(l_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)
