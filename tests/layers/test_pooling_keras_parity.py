"""Differential tests: pooling layers against real Keras 3 (torch backend).

One known deviation of Keras' *torch backend*: average pooling with "same"
padding that is uneven (more padding at the end than at the start) averages
edge-replicated values into the border windows, while Keras' own definition
(TensorFlow and JAX backends, and the Keras documentation) averages only the
valid cells. layerwise follows the definition; those cases are checked against
a NumPy reference of it (which matches Keras-JAX) instead of Keras-torch.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import layerwise
from layerwise.layers.convolutional._ops import same_padding

pytestmark = pytest.mark.keras

CL, CF = "channels_last", "channels_first"

CASES = [
    ("MaxPooling1D", dict(pool_size=2), (2, 9, 3)),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 10, 3)),
    ("MaxPooling1D", dict(pool_size=4, strides=1, padding="same", data_format=CF), (2, 3, 9)),
    ("MaxPooling2D", dict(pool_size=2), (2, 9, 10, 3)),
    ("MaxPooling2D", dict(pool_size=(2, 3), strides=(1, 2), padding="same"), (2, 9, 10, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=2, data_format=CF), (2, 3, 9, 10)),
    ("MaxPooling2D", dict(pool_size=2, padding="same", data_format=CF), (2, 3, 7, 9)),
    ("MaxPooling3D", dict(pool_size=2, padding="same"), (2, 5, 6, 7, 2)),
    ("MaxPooling3D", dict(pool_size=(1, 2, 3), strides=1, data_format=CF), (2, 2, 4, 5, 6)),
    ("AveragePooling1D", dict(pool_size=2), (2, 9, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=1, padding="same"), (2, 9, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=2, padding="same", data_format=CF),
     (2, 3, 9)),
    ("AveragePooling2D", dict(pool_size=2), (2, 9, 10, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=1, padding="same"), (2, 9, 10, 3)),
    ("AveragePooling2D", dict(pool_size=(3, 2), strides=(2, 1), data_format=CF), (2, 3, 9, 10)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 9, 11, 3)),
    ("AveragePooling3D", dict(pool_size=2), (2, 4, 6, 5, 2)),
    ("AveragePooling3D", dict(pool_size=3, strides=1, padding="same", data_format=CF),
     (2, 2, 4, 5, 6)),
]


def _ids(cases):
    return [f"{name}-{i}" for i, (name, _, _) in enumerate(cases)]


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=_ids(CASES))
def test_pooling_matches_keras(keras, name, kwargs, shape):
    x = _x(shape)
    k_layer = getattr(keras.layers, name)(**kwargs)
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    xk = torch.tensor(x, requires_grad=True)
    xl = torch.tensor(x, requires_grad=True)
    k_out, l_out = k_layer(xk), l_layer(xl)
    assert tuple(l_out.shape) == tuple(k_out.shape)
    assert tuple(l_layer.compute_output_shape(shape)) == tuple(k_layer.compute_output_shape(shape))
    np.testing.assert_allclose(l_out.detach().numpy(), k_out.detach().cpu().numpy(),
                               rtol=1e-6, atol=1e-6)
    proj = torch.tensor(_x(tuple(k_out.shape), 1))
    (k_out * proj).sum().backward()
    (l_out * proj).sum().backward()
    np.testing.assert_allclose(xl.grad.numpy(), xk.grad.cpu().numpy(), rtol=1e-5, atol=1e-6)


def _reference_pool(x, pool, strides, padding, mode, data_format):
    """NumPy pooling with Keras' definition: "same" windows use only valid cells."""
    if data_format == CF:
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    rank = len(spatial)
    if padding == "same":
        out_shape = [(n + s - 1) // s for n, s in zip(spatial, strides, strict=True)]
        starts = [same_padding(n, k, s)[0] for n, k, s in zip(spatial, pool, strides, strict=True)]
    else:
        out_shape = [(n - k) // s + 1 for n, k, s in zip(spatial, pool, strides, strict=True)]
        starts = [0] * rank
    out = np.zeros((x.shape[0], *out_shape, x.shape[-1]), dtype=np.float64)
    for idx in itertools.product(*(range(n) for n in out_shape)):
        window = tuple(
            slice(max(0, i * s - p), min(n, i * s - p + k))
            for i, s, p, k, n in zip(idx, strides, starts, pool, spatial, strict=True))
        cells = x[(slice(None), *window, slice(None))].reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None), *idx, slice(None))] = (
            cells.max(axis=1) if mode == "max" else cells.mean(axis=1))
    if data_format == CF:
        out = np.moveaxis(out, -1, 1)
    return out


UNEVEN = [
    ("AveragePooling1D", dict(pool_size=4, strides=1, padding="same"), (2, 5, 3)),
    ("AveragePooling1D", dict(pool_size=2, strides=1, padding="same", data_format=CF),
     (2, 3, 6)),
    ("AveragePooling2D", dict(pool_size=4, strides=1, padding="same"), (2, 5, 6, 2)),
    ("AveragePooling2D", dict(pool_size=(2, 4), strides=(3, 1), padding="same",
                              data_format=CF), (2, 2, 8, 7)),
    ("AveragePooling3D", dict(pool_size=2, strides=1, padding="same"), (1, 3, 4, 5, 2)),
    ("MaxPooling2D", dict(pool_size=4, strides=1, padding="same"), (2, 5, 6, 2)),
    ("MaxPooling1D", dict(pool_size=2, strides=1, padding="same"), (2, 7, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", UNEVEN, ids=_ids(UNEVEN))
def test_uneven_same_padding_uses_valid_cells_only(name, kwargs, shape):
    x = _x(shape)
    layer = getattr(layerwise.layers, name)(**kwargs)
    rank = len(shape) - 2
    pool = layer.pool_size
    strides = layer.strides
    spatial = shape[1:-1] if layer.data_format == CL else shape[2:]
    pads = [same_padding(n, k, s) for n, k, s in zip(spatial, pool, strides, strict=True)]
    assert any(left != right for left, right in pads), "not an uneven case"
    expected = _reference_pool(x, pool, strides, "same", "max" if "Max" in name else "avg",
                               layer.data_format)
    assert len(pool) == rank
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_average_pooling_same_known_values():
    x = torch.arange(1.0, 6.0).reshape(1, 5, 1)
    out = layerwise.layers.AveragePooling1D(4, strides=1, padding="same")(x).flatten()
    # windows [pad, 1, 2, 3], [1..4], [2..5], [3, 4, 5, pad], [4, 5, pad, pad]
    np.testing.assert_allclose(out.numpy(), [2.0, 2.5, 3.5, 4.0, 4.5])


GLOBAL = [
    (name, dict(data_format=fmt, keepdims=keep), shape)
    for name, shapes in [
        ("GlobalMaxPooling1D", {CL: (2, 7, 3), CF: (2, 3, 7)}),
        ("GlobalAveragePooling1D", {CL: (2, 7, 3), CF: (2, 3, 7)}),
        ("GlobalMaxPooling2D", {CL: (2, 5, 6, 3), CF: (2, 3, 5, 6)}),
        ("GlobalAveragePooling2D", {CL: (2, 5, 6, 3), CF: (2, 3, 5, 6)}),
        ("GlobalMaxPooling3D", {CL: (2, 3, 4, 5, 3), CF: (2, 3, 3, 4, 5)}),
        ("GlobalAveragePooling3D", {CL: (2, 3, 4, 5, 3), CF: (2, 3, 3, 4, 5)}),
    ]
    for fmt, shape in shapes.items()
    for keep in (False, True)
]


@pytest.mark.parametrize("name,kwargs,shape", GLOBAL, ids=_ids(GLOBAL))
def test_global_pooling_matches_keras(keras, name, kwargs, shape):
    x = _x(shape)
    k_layer = getattr(keras.layers, name)(**kwargs)
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    k_out = keras.ops.convert_to_numpy(k_layer(x))
    l_out = l_layer(x).numpy()
    assert l_out.shape == k_out.shape
    assert tuple(l_layer.compute_output_shape(shape)) == tuple(k_layer.compute_output_shape(shape))
    np.testing.assert_allclose(l_out, k_out, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data_format,shape,mask_shape", [
    (CL, (3, 6, 4), (3, 6)), (CF, (3, 4, 6), (3, 6))])
def test_global_average_pooling_1d_mask_matches_keras(keras, data_format, shape, mask_shape):
    x = _x(shape)
    mask = np.random.default_rng(2).random(mask_shape) > 0.4
    mask[:, 0] = True
    k_out = keras.ops.convert_to_numpy(
        keras.layers.GlobalAveragePooling1D(data_format=data_format)(x, mask=mask))
    l_out = layerwise.layers.GlobalAveragePooling1D(data_format=data_format)(
        x, mask=torch.tensor(mask)).numpy()
    np.testing.assert_allclose(l_out, k_out, rtol=1e-6, atol=1e-6)


def test_pooling_config_and_aliases(keras):
    assert layerwise.layers.MaxPool2D is layerwise.layers.MaxPooling2D
    assert layerwise.layers.GlobalAvgPool2D is layerwise.layers.GlobalAveragePooling2D
    for name, kwargs, _ in CASES[::3] + GLOBAL[::5]:
        layer = getattr(layerwise.layers, name)(**kwargs)
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
        k_config = getattr(keras.layers, name)(**kwargs).get_config()
        assert not set(k_config) - set(config) - {"dtype"}


def test_symbolic_model_shapes():
    model = layerwise.Sequential([
        layerwise.Input((28, 28, 1)),
        layerwise.layers.MaxPooling2D(3, strides=2, padding="same"),
        layerwise.layers.AveragePooling2D(2),
        layerwise.layers.GlobalMaxPooling2D(keepdims=True),
    ])
    assert model.output_shape == (None, 1, 1, 1)
    assert model(torch.ones(2, 28, 28, 1)).shape == (2, 1, 1, 1)
