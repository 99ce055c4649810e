"""Differential tests: ConvLSTM1D / ConvLSTM2D against Keras 3 (outputs, states, config)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("cls,kwargs,shape", [
    ("ConvLSTM1D", dict(filters=3, kernel_size=3), (2, 4, 7, 2)),
    ("ConvLSTM1D", dict(filters=3, kernel_size=2, padding="same", return_sequences=True,
                        go_backwards=True), (2, 4, 7, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same", return_state=True),
     (2, 3, 5, 6, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=(2, 3), strides=2, return_sequences=True),
     (2, 3, 6, 7, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=3, dilation_rate=2, data_format="channels_first"),
     (2, 3, 2, 7, 7)),
])
def test_conv_lstm_matches_keras(keras, cls, kwargs, shape):
    x = torch.from_numpy(np.random.default_rng(0).normal(size=shape).astype("float32"))
    k_layer = getattr(keras.layers, cls)(**kwargs)
    want = k_layer(x)
    l_layer = getattr(layerwise.layers, cls)(**kwargs)
    l_layer(x)
    l_layer.set_weights(k_layer.get_weights())
    got = l_layer(x)
    got, want = (got, want) if isinstance(got, list) else ([got], [want])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert tuple(l_layer.compute_output_shape(shape)[0] if kwargs.get("return_state")
                 else l_layer.compute_output_shape(shape)) == tuple(got[0].shape)
    clone = getattr(layerwise.layers, cls).from_config(k_layer.get_config())
    assert clone.get_config()["kernel_size"] == l_layer.get_config()["kernel_size"]


def test_conv_lstm_masked_timesteps_match_keras(keras):
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(2, 4, 5, 5, 2)).astype("float32"))
    mask = torch.tensor([[1, 1, 0, 1], [1, 0, 0, 0]], dtype=torch.bool)
    k_layer = keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    want = k_layer(x, mask=mask)
    l_layer = layerwise.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    l_layer(x)
    l_layer.set_weights(k_layer.get_weights())
    np.testing.assert_allclose(l_layer(x, mask=mask).detach().numpy(), want.detach().numpy(),
                               rtol=1e-5, atol=1e-5)
