"""Differential tests: ZeroPadding, Cropping and UpSampling layers against Keras 3 (torch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

CL, CF = "channels_last", "channels_first"

CASES = [
    ("ZeroPadding1D", dict(), (2, 5, 3)),
    ("ZeroPadding1D", dict(padding=(1, 3)), (2, 5, 3)),
    ("ZeroPadding1D", dict(padding=2, data_format=CF), (2, 3, 5)),
    ("ZeroPadding2D", dict(), (2, 4, 5, 3)),
    ("ZeroPadding2D", dict(padding=(2, 1)), (2, 4, 5, 3)),
    ("ZeroPadding2D", dict(padding=((1, 0), (2, 3)), data_format=CF), (2, 3, 4, 5)),
    ("ZeroPadding3D", dict(), (1, 2, 3, 4, 2)),
    ("ZeroPadding3D", dict(padding=((0, 1), (2, 0), (1, 1)), data_format=CF), (1, 2, 2, 3, 4)),
    ("ZeroPadding3D", dict(padding=(1, 0, 2)), (1, 2, 3, 4, 2)),
    ("Cropping1D", dict(), (2, 6, 3)),
    ("Cropping1D", dict(cropping=(0, 2)), (2, 6, 3)),
    ("Cropping1D", dict(cropping=3), (2, 8, 3)),
    ("Cropping2D", dict(cropping=((1, 2), (0, 3))), (2, 6, 7, 3)),
    ("Cropping2D", dict(cropping=1), (2, 6, 7, 3)),
    ("Cropping2D", dict(cropping=(2, 1), data_format=CF), (2, 3, 6, 7)),
    ("Cropping3D", dict(), (1, 4, 5, 6, 2)),
    ("Cropping3D", dict(cropping=((0, 1), (2, 0), (1, 2)), data_format=CF), (1, 2, 4, 5, 6)),
    ("UpSampling1D", dict(), (2, 4, 3)),
    ("UpSampling1D", dict(size=3), (2, 4, 3)),
    ("UpSampling2D", dict(), (2, 3, 4, 2)),
    ("UpSampling2D", dict(size=(2, 3), data_format=CF), (2, 2, 3, 4)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear"), (2, 3, 4, 2)),
    ("UpSampling2D", dict(size=(3, 2), interpolation="bilinear", data_format=CF),
     (2, 2, 3, 4)),
    ("UpSampling2D", dict(size=2, interpolation="bicubic"), (1, 4, 4, 2)),
    ("UpSampling3D", dict(), (1, 2, 3, 2, 2)),
    ("UpSampling3D", dict(size=(1, 2, 3), data_format=CF), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_matches_keras(keras, name, kwargs, shape):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    k_layer = getattr(keras.layers, name)(**kwargs)
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    xk = torch.tensor(x, requires_grad=True)
    xl = torch.tensor(x, requires_grad=True)
    k_out, l_out = k_layer(xk), l_layer(xl)
    assert tuple(l_out.shape) == tuple(k_out.shape)
    assert tuple(l_layer.compute_output_shape(shape)) == tuple(k_layer.compute_output_shape(shape))
    np.testing.assert_allclose(l_out.detach().numpy(), k_out.detach().cpu().numpy(),
                               rtol=1e-6, atol=1e-6)
    proj = torch.tensor(np.random.default_rng(1).normal(size=tuple(k_out.shape)),
                        dtype=torch.float32)
    (k_out * proj).sum().backward()
    (l_out * proj).sum().backward()
    np.testing.assert_allclose(xl.grad.numpy(), xk.grad.cpu().numpy(), rtol=1e-5, atol=1e-5)
    config = l_layer.get_config()
    assert type(l_layer).from_config(config).get_config() == config
    k_config = k_layer.get_config()
    assert not set(k_config) - set(config) - {"dtype"}
    for key in ("padding", "cropping", "size", "data_format", "interpolation"):
        if key in k_config:
            assert np.array_equal(np.asarray(config[key]), np.asarray(k_config[key])), key


def test_cropping_too_large_raises():
    with pytest.raises(ValueError, match="cropping"):
        layerwise.layers.Cropping2D(3)(torch.ones(1, 6, 8, 2))
    with pytest.raises(ValueError, match="cropping"):
        layerwise.Sequential([layerwise.Input((4, 3)), layerwise.layers.Cropping1D((2, 2))])


def test_upsampling_bad_interpolation():
    with pytest.raises(ValueError, match="interpolation"):
        layerwise.layers.UpSampling2D(interpolation="lanczos3")


def test_in_a_model_with_convolutions():
    model = layerwise.Sequential([
        layerwise.Input((9, 9, 2)),
        layerwise.layers.ZeroPadding2D(((0, 1), (0, 1))),
        layerwise.layers.Conv2D(4, 2, strides=2),
        layerwise.layers.UpSampling2D(2),
        layerwise.layers.Cropping2D(((1, 1), (0, 2))),
    ])
    assert model.output_shape == (None, 8, 8, 4)
    assert model(torch.ones(3, 9, 9, 2)).shape == (3, 8, 8, 4)
