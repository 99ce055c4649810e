"""Embedding / Masking against Keras, and recurrent API details: dropout, unroll, config,
weight-conversion cache, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.layers.rnn import fused

TOKENS = np.array([[3, 1, 0, 0], [2, 2, 5, 0]])


@pytest.mark.keras
def test_embedding_and_masking_match_keras(keras):
    k_emb = keras.layers.Embedding(6, 3, mask_zero=True)
    want = k_emb(TOKENS)
    emb = layerwise.layers.Embedding(6, 3, mask_zero=True)
    emb.build()
    emb.set_weights(k_emb.get_weights())
    got = emb(torch.from_numpy(TOKENS))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    assert got._keras_mask.tolist() == want._keras_mask.tolist()
    assert emb.get_config()["mask_zero"] and emb.get_config()["embeddings_initializer"][
        "class_name"] == k_emb.get_config()["embeddings_initializer"]["class_name"]
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    k_out = keras.layers.Masking()(torch.from_numpy(x))
    l_out = layerwise.layers.Masking()(torch.from_numpy(x))
    np.testing.assert_allclose(l_out.numpy(), k_out.detach().numpy())
    assert l_out._keras_mask.tolist() == k_out._keras_mask.tolist()


def test_embedding_regularizer_constraint_and_errors():
    emb = layerwise.layers.Embedding(5, 2, embeddings_regularizer="l2",
                                     embeddings_constraint="non_neg",
                                     weights=np.ones((5, 2), "float32"))
    assert emb.built and len(emb.losses) == 1
    with pytest.raises(ValueError, match="input_dim"):
        layerwise.layers.Embedding(0, 2)
    with pytest.raises(ValueError, match="units"):
        layerwise.layers.LSTM(-1)
    with pytest.raises(ValueError, match="merge_mode"):
        layerwise.layers.Bidirectional(layerwise.layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="state_size"):
        layerwise.layers.RNN(layerwise.layers.Dense(2))


def test_dropout_is_seeded_and_only_in_training():
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(4, 5, 3)).astype("float32"))
    outs = []
    for _ in range(2):
        layerwise.utils.set_random_seed(3)
        layer = layerwise.layers.LSTM(4, dropout=0.5, recurrent_dropout=0.3, seed=7)
        outs.append((layer(x, training=True), layer(x, training=False)))
    (a_train, a_test), (b_train, b_test) = outs
    torch.testing.assert_close(a_train, b_train)
    plain = layerwise.layers.LSTM(4)
    plain(x)
    plain.set_weights(layer.get_weights())
    torch.testing.assert_close(plain(x), b_test)
    assert not torch.allclose(a_train, a_test)
    assert layer._fused_plan(None, True) is None and layer._fused_plan(None, False)
    gru = layerwise.layers.GRU(4, dropout=0.5)
    assert gru._fused_plan(None, True)  # input dropout only: still the fused kernel
    assert gru(x, training=True).shape == (4, 4)


@pytest.mark.keras
def test_unroll_matches_keras(keras):
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32"))
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]], dtype=torch.bool)
    k_layer = keras.layers.GRU(3, unroll=True, return_sequences=True)
    want = k_layer(x, mask=mask)
    layer = layerwise.layers.GRU(3, unroll=True, return_sequences=True)
    layer(x)
    layer.set_weights(k_layer.get_weights())
    np.testing.assert_allclose(layer(x, mask=mask).detach().numpy(), want.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert layer.get_config()["unroll"] is True


@pytest.mark.parametrize("cls,kind", [("LSTM", "lstm"), ("GRU", "gru"),
                                      ("SimpleRNN", "rnn_tanh")])
def test_weight_conversion_follows_every_update(cls, kind):
    layer = getattr(layerwise.layers, cls)(3)
    x = torch.ones(1, 2, 4)
    with torch.no_grad():
        before = layer(x).clone()
        # Optimizers may write through `.data` (no version bump): nothing may be stale.
        layer.cell.kernel.data.add_(0.5)
        assert not torch.allclose(layer(x), before)
    params = fused.torch_weights(layer.cell, kind)
    assert params[0].grad_fn is not None  # part of the graph: gradients reach Keras' kernel
    if kind != "gru":  # transposed views, no copy
        assert params[0].data_ptr() == layer.cell.kernel.data_ptr()
    layer(x).sum().backward()
    assert layer.cell.kernel.grad.shape == layer.cell.kernel.shape


def test_config_round_trip_and_symbolic_shapes():
    inputs = layerwise.Input((6, 3))
    out, h, c = layerwise.layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert out.shape == (None, 6, 4) and h.shape == (None, 4) and c.shape == (None, 4)
    layer = layerwise.layers.Bidirectional(layerwise.layers.GRU(2, reset_after=False),
                                           merge_mode=None)
    outs = layer(inputs)
    assert [o.shape for o in outs] == [(None, 2), (None, 2)]
    clone = layerwise.layers.Bidirectional.from_config(layer.get_config())
    assert clone.backward_layer.go_backwards and not clone.forward_layer.cell.reset_after
    td = layerwise.layers.TimeDistributed(layerwise.layers.Dense(5))
    assert td(inputs).shape == (None, 6, 5)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layerwise.layers.TimeDistributed(layerwise.layers.Dense(5)).build((None, 3))
