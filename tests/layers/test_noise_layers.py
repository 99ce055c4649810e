"""Noise layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout.

Random draws cannot match Keras bit for bit, so these tests check the
structure of the noise (whole feature maps dropped, inverted-dropout scaling),
its statistics, inference mode, seeding and the Keras configs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import layerwise

L = layerwise.layers


@pytest.mark.parametrize("layer,shape,channel_axis", [
    (lambda: L.SpatialDropout1D(0.5), (64, 7, 8), -1),
    (lambda: L.SpatialDropout2D(0.5), (64, 5, 6, 8), -1),
    (lambda: L.SpatialDropout2D(0.5, data_format="channels_first"), (64, 8, 5, 6), 1),
    (lambda: L.SpatialDropout3D(0.5), (32, 3, 4, 5, 8), -1),
    (lambda: L.SpatialDropout3D(0.5, data_format="channels_first"), (32, 8, 3, 4, 5), 1),
])
def test_spatial_dropout_drops_whole_feature_maps(layer, shape, channel_axis):
    layer = layer()
    x = torch.ones(shape)
    y = layer(x, training=True)
    spatial = [d for d in range(1, len(shape)) if d != channel_axis % len(shape)]
    per_map_min = y.amin(dim=spatial)
    per_map_max = y.amax(dim=spatial)
    assert torch.equal(per_map_min, per_map_max)  # constant over each feature map
    assert set(torch.unique(y).tolist()) <= {0.0, 2.0}  # inverted dropout scaling 1 / (1 - rate)
    kept = (per_map_max > 0).float().mean().item()
    assert 0.35 < kept < 0.65
    assert torch.equal(layer(x, training=False), x)
    assert torch.equal(layer(x), x)


def test_spatial_dropout_rate_edge_cases():
    x = torch.randn(4, 3, 5)
    assert torch.equal(L.SpatialDropout1D(0.0)(x, training=True), x)
    assert torch.equal(L.SpatialDropout1D(1.0)(x, training=True), torch.zeros_like(x))
    with pytest.raises(ValueError, match="rate"):
        L.SpatialDropout2D(1.5)


def test_spatial_dropout_is_a_dropout():
    assert isinstance(L.SpatialDropout2D(0.2), L.Dropout)


def test_gaussian_noise_statistics():
    x = torch.full((200, 500), 3.0)
    y = L.GaussianNoise(0.2)(x, training=True)
    noise = (y - x).numpy()
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.2) < 0.01
    assert torch.equal(L.GaussianNoise(0.2)(x), x)


def test_gaussian_dropout_statistics():
    rate = 0.3
    x = torch.full((200, 500), 2.0)
    y = L.GaussianDropout(rate)(x, training=True) / 2.0
    assert abs(y.mean().item() - 1.0) < 0.01
    assert abs(y.std().item() - math.sqrt(rate / (1 - rate))) < 0.01
    assert torch.equal(L.GaussianDropout(rate)(x, training=False), x)


def test_alpha_dropout_keeps_mean_and_variance_of_selu_activations():
    rate = 0.2
    x = torch.randn(400, 500)  # the fixed point of SELU networks: mean 0, variance 1
    y = L.AlphaDropout(rate)(x, training=True)
    assert abs(y.mean().item()) < 0.02
    assert abs(y.var().item() - 1.0) < 0.03
    # Keras' affine formula: kept -> a*x + b, dropped -> a*alpha' + b
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = torch.isclose(y, torch.tensor(a * alpha_p + b))
    np.testing.assert_allclose(y[~dropped].numpy(), (a * x + b)[~dropped].numpy(), rtol=1e-5,
                               atol=1e-6)
    assert abs(dropped.float().mean().item() - rate) < 0.01
    assert torch.equal(L.AlphaDropout(rate)(x), x)


def test_alpha_dropout_noise_shape():
    y = L.AlphaDropout(0.5, noise_shape=(None, 1, 4))(torch.ones(8, 6, 4), training=True)
    assert torch.equal(y.amin(dim=1), y.amax(dim=1))


@pytest.mark.parametrize("make", [
    lambda: L.SpatialDropout2D(0.5, seed=7),
    lambda: L.GaussianNoise(0.5, seed=7),
    lambda: L.GaussianDropout(0.5, seed=7),
    lambda: L.AlphaDropout(0.5, seed=7),
])
def test_seed_makes_noise_reproducible(make):
    x = torch.ones(4, 3, 3, 5)
    first = make()(x, training=True)
    torch.manual_seed(999)  # the global generator does not matter with a seed
    second = make()(x, training=True)
    assert torch.equal(first, second)
    layer = make()
    assert not torch.equal(layer(x, training=True), layer(x, training=True))


def test_noise_layers_in_fit_and_predict():
    model = layerwise.Sequential([
        layerwise.Input((6, 6, 2)),
        L.GaussianNoise(0.1),
        L.Conv2D(4, 3),
        L.SpatialDropout2D(0.25),
        L.Flatten(),
        L.AlphaDropout(0.1),
        L.GaussianDropout(0.1),
        L.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(32, 6, 6, 2)).astype("float32")
    y = np.random.default_rng(1).integers(0, 2, 32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", [
    ("SpatialDropout1D", dict(rate=0.3, seed=1)),
    ("SpatialDropout2D", dict(rate=0.3, data_format="channels_first")),
    ("SpatialDropout3D", dict(rate=0.3)),
    ("GaussianNoise", dict(stddev=0.2, seed=3)),
    ("GaussianDropout", dict(rate=0.2)),
    ("AlphaDropout", dict(rate=0.2, noise_shape=(None, 1, 4))),
])
def test_configs_match_keras(keras, name, kwargs):
    layer = getattr(L, name)(**kwargs)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    k_config = getattr(keras.layers, name)(**kwargs).get_config()
    assert not set(k_config) - set(config) - {"dtype"}
    for key, value in k_config.items():
        if key in ("rate", "stddev", "seed", "data_format"):
            assert config[key] == value, key
    rank = {"SpatialDropout1D": 3, "SpatialDropout2D": 4}.get(name, 5)
    x = np.ones((2, 3, 4, 5, 4)[:rank], dtype="float32")
    # inference mode: the identity in both
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(getattr(keras.layers, name)(**kwargs)(x)), layer(x).numpy())


def test_dropout_seed_gives_reproducible_masks():
    import torch

    x = torch.ones(4, 32)
    first = layerwise.layers.Dropout(0.5, seed=7)(x, training=True)
    second = layerwise.layers.Dropout(0.5, seed=7)(x, training=True)
    other = layerwise.layers.Dropout(0.5, seed=8)(x, training=True)
    assert torch.equal(first, second) and not torch.equal(first, other)
    assert set(first.unique().tolist()) <= {0.0, 2.0}
