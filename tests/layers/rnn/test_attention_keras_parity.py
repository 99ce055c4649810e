"""Differential tests: Attention, AdditiveAttention, MultiHeadAttention against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

RTOL, ATOL = 1e-5, 1e-6


def _x(shape, seed):
    return torch.from_numpy(np.random.default_rng(seed).normal(size=shape).astype("float32"))


Q, V = _x((2, 4, 6), 0), _x((2, 5, 6), 1)
Q_MASK = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
V_MASK = torch.tensor([[1, 1, 1, 1, 0], [1, 0, 1, 0, 1]], dtype=torch.bool)


def _close(got, want):
    got = got if isinstance(got, (list, tuple)) else [got]
    want = want if isinstance(want, (list, tuple)) else [want]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls,kwargs", [
    ("Attention", {}), ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat", "use_scale": True}),
    ("AdditiveAttention", {}), ("AdditiveAttention", {"use_scale": False}),
])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_keras(keras, cls, kwargs, masked, causal):
    k_layer = getattr(keras.layers, cls)(**kwargs)
    l_layer = getattr(layerwise.layers, cls)(**kwargs)
    key = _x((2, 5, 6), 2)
    call = dict(return_attention_scores=True, use_causal_mask=causal)
    if masked:
        call["mask"] = [Q_MASK, V_MASK]
    want = k_layer([Q, V, key], **call)
    l_layer([Q, V, key])
    l_layer.set_weights(k_layer.get_weights())
    _close(l_layer([Q, V, key], **call), want)


@pytest.mark.parametrize("kwargs", [
    dict(num_heads=2, key_dim=3), dict(num_heads=3, key_dim=2, value_dim=4, output_shape=5),
    dict(num_heads=2, key_dim=3, use_bias=False),
])
@pytest.mark.parametrize("masks", ["none", "keras_masks", "attention_mask", "causal"])
def test_multi_head_attention_matches_keras(keras, kwargs, masks):
    k_layer = keras.layers.MultiHeadAttention(**kwargs)
    l_layer = layerwise.layers.MultiHeadAttention(**kwargs)
    query, value = Q.clone(), V.clone()
    call = {"return_attention_scores": True}
    if masks == "attention_mask":
        call["attention_mask"] = torch.from_numpy(
            np.random.default_rng(3).random((2, 4, 5)) > 0.3)
    if masks == "causal":
        call["use_causal_mask"] = True
        value = _x((2, 4, 6), 1)
    want = k_layer(query, value, **call)
    l_layer(query, value)
    l_layer.set_weights(k_layer.get_weights())
    if masks == "keras_masks":
        query._keras_mask, value._keras_mask = Q_MASK, V_MASK
        k_q, k_v = Q.clone(), V.clone()
        k_q._keras_mask, k_v._keras_mask = Q_MASK, V_MASK
        want = k_layer(k_q, k_v, **call)
    got = l_layer(query, value, **call)
    _close(got, want)
    if masks == "keras_masks":
        assert got[0]._keras_mask is Q_MASK


def test_mha_weights_layout_and_symbolic_call(keras):
    k_layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    k_layer(Q, V)
    inputs = layerwise.Input((4, 6))
    context = layerwise.Input((5, 6))
    layer = layerwise.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = layer(inputs, context, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, 5)
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in k_layer.weights]
    model = layerwise.Model([inputs, context], out)
    layer.set_weights(k_layer.get_weights())
    _close(model([Q, V]), k_layer(Q, V))
