"""Winograd F(2x2, 3x3) inference convolutions (`layers/convolutional/_winograd.py`):
equal to the direct convolution within float32 rounding, taken exactly where documented."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import layerwise as keras
from layerwise.layers.convolutional import _fused, _winograd

CL = torch.channels_last


def _relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    return float((got - expected).abs().max() / expected.abs().max())


@pytest.mark.parametrize("shape, padding", [
    ((2, 128, 256, 9, 9), 1),  # odd output: cropped tiles
    ((3, 128, 256, 10, 7), 0),
    ((1, 256, 128, 6, 12), 1),
    ((4, 130, 260, 5, 6), (1, 0)),
    ((2, 128, 256, 8, 8), 2),
])
@pytest.mark.parametrize("use_bias", [True, False])
# The whole batch at once; chunks of 1-3 images or bands of 1-4 rows of tiles of one
# image (as a large image takes), depending on the shape; bands of one row.
@pytest.mark.parametrize("chunk_bytes", [12 * 2**20, 170_000, 80_000, 1])
def test_equals_the_direct_convolution(shape, padding, use_bias, chunk_bytes, monkeypatch):
    monkeypatch.setattr(_winograd, "_CHUNK_BYTES", chunk_bytes)
    torch.manual_seed(0)
    batch, channels_in, channels_out, height, width = shape
    x = torch.randn(batch, channels_in, height, width).contiguous(memory_format=CL)
    weight = torch.randn(channels_out, channels_in, 3, 3) * 0.05
    bias = torch.randn(channels_out) if use_bias else None
    expected = F.conv2d(x, weight, bias, padding=padding)
    for relu in (False, True):
        got = _winograd.conv2d_3x3(x, weight, bias, padding, relu=relu)
        assert got.shape == expected.shape
        assert got.is_contiguous(memory_format=CL)
        target = expected.relu() if relu else expected
        assert _relative_error(got, target) < 1e-5
        if relu:
            assert bool((got >= 0).all())


def test_float64_default_dtype_does_not_leak_into_the_buffers():
    x = torch.randn(2, 128, 6, 6).contiguous(memory_format=CL)
    weight = torch.randn(256, 128, 3, 3) * 0.05
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        got = _winograd.conv2d_3x3(x, weight, None, 1)
    finally:
        torch.set_default_dtype(previous)
    assert got.dtype == torch.float32
    assert _relative_error(got, F.conv2d(x, weight, None, padding=1)) < 1e-5


def test_a_permuted_keras_layout_weight_is_read_correctly():
    torch.manual_seed(1)
    kernel = torch.randn(3, 3, 128, 256) * 0.05  # Keras' (kh, kw, in, out)
    x = torch.randn(2, 128, 7, 7).contiguous(memory_format=CL)
    weight = kernel.permute(3, 2, 0, 1)  # the view the layer passes
    expected = F.conv2d(x, weight.contiguous(), None, padding=1)
    assert _relative_error(_winograd.conv2d_3x3(x, weight, None, 1), expected) < 1e-5


def _count_calls(monkeypatch) -> list:
    calls = []
    real = _winograd.conv2d_3x3
    monkeypatch.setattr(_winograd, "conv2d_3x3", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def _direct(layer, x):
    keras.config.set_winograd_convolutions(False)
    try:
        with torch.no_grad():
            return layer(x)
    finally:
        keras.config.set_winograd_convolutions(None)


@pytest.mark.parametrize("kwargs", [
    dict(padding="same", activation="relu"),
    dict(padding="valid", activation=None),
    dict(padding="same", activation="tanh", use_bias=False),
])
def test_conv2d_inference_takes_it_and_matches_the_direct_path(kwargs, monkeypatch):
    torch.manual_seed(0)
    layer = keras.layers.Conv2D(256, 3, **kwargs)
    x = torch.randn(9, 13, 13, 128)  # odd outputs; >= MIN_POSITIONS even when valid
    expected = _direct(layer, x)
    calls = _count_calls(monkeypatch)
    with torch.no_grad():
        got = layer(x)
    assert calls == [1]
    assert got.shape == expected.shape == layer.compute_output_shape(x.shape)
    assert got.is_contiguous()
    assert _relative_error(got, expected) < 1e-5


def test_predict_of_a_frozen_base_and_fit_above_it(monkeypatch):
    # predict, evaluate and the frozen base of fine-tuning take it; the trainable
    # convolution above the base never does (it needs gradients).
    keras.utils.set_random_seed(0)
    base = keras.Sequential([keras.Input((8, 8, 128)),
                             keras.layers.Conv2D(256, 3, padding="same", activation="relu")])
    base.trainable = False
    model = keras.Sequential([keras.Input((8, 8, 128)), base,
                              keras.layers.Conv2D(128, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 8, 8, 128)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    calls = _count_calls(monkeypatch)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert len(calls) == 2  # the frozen base conv, 2 batches; not the trainable conv
    calls.clear()
    predicted = model.predict(x, batch_size=32, verbose=0)
    assert len(calls) == 2  # both convolutions, one batch
    keras.config.set_winograd_convolutions(False)
    try:
        direct = model.predict(x, batch_size=32, verbose=0)
    finally:
        keras.config.set_winograd_convolutions(None)
    np.testing.assert_allclose(predicted, direct, rtol=1e-4, atol=1e-5)


def test_gradients_and_tangents_never_take_it(monkeypatch):
    layer = keras.layers.Conv2D(256, 3, padding="same", activation="relu")
    x = torch.randn(8, 12, 12, 128)
    layer(x)
    calls = _count_calls(monkeypatch)
    layer(x).sum().backward()  # trainable: autograd records it
    x_leaf = x.clone().requires_grad_(True)
    layer.trainable = False
    layer(x_leaf).sum().backward()  # frozen, but the input needs a gradient
    assert x_leaf.grad is not None and x_leaf.grad.abs().sum() > 0
    with torch.no_grad():
        torch.func.jvp(layer, (x,), (torch.randn_like(x),))  # forward mode
    assert calls == []


@pytest.mark.parametrize("kwargs, channels_in, size", [
    (dict(filters=128, kernel_size=3), 128, 26),  # 128 x 128: below MIN_CHANNEL_PRODUCT
    (dict(filters=512, kernel_size=3), 64, 26),  # 64 input channels: below MIN_CHANNELS
    (dict(filters=256, kernel_size=3, strides=2), 128, 26),
    (dict(filters=256, kernel_size=3, dilation_rate=2), 128, 26),
    (dict(filters=256, kernel_size=3, groups=2), 256, 26),
    (dict(filters=256, kernel_size=(3, 1)), 128, 26),
    (dict(filters=256, kernel_size=3), 128, 12),  # 8 x 10 x 10 outputs: below MIN_POSITIONS
    (dict(filters=256, kernel_size=3, data_format="channels_first"), 128, 26),
])
def test_other_convolutions_take_the_direct_path(kwargs, channels_in, size, monkeypatch):
    calls = _count_calls(monkeypatch)
    layer = keras.layers.Conv2D(**kwargs)
    shape = (8, channels_in, size, size) if kwargs.get("data_format") else \
        (8, size, size, channels_in)
    with torch.no_grad():
        layer(torch.randn(*shape))
    assert calls == []


def test_the_shape_the_cases_above_vary_takes_it(monkeypatch):
    calls = _count_calls(monkeypatch)
    with torch.no_grad():
        keras.layers.Conv2D(256, 3)(torch.randn(8, 26, 26, 128))
    assert calls == [1]


def test_float64_and_the_switches(monkeypatch):
    calls = _count_calls(monkeypatch)
    layer = keras.layers.Conv2D(256, 3, dtype="float64")
    with torch.no_grad():
        layer(torch.randn(11, 12, 12, 128, dtype=torch.float64))
    assert calls == []
    layer = keras.layers.Conv2D(256, 3)
    x = torch.randn(11, 12, 12, 128)  # 1,100 outputs
    keras.config.set_winograd_convolutions(False)
    try:
        assert not keras.config.is_winograd_convolutions_enabled()
        with torch.no_grad():
            layer(x)
        assert calls == []
    finally:
        keras.config.set_winograd_convolutions(None)
    monkeypatch.setenv("LAYERWISE_WINOGRAD", "0")
    assert not keras.config.is_winograd_convolutions_enabled()
    monkeypatch.setenv("LAYERWISE_WINOGRAD", "1")
    with torch.no_grad():
        layer(x)
    assert calls == [1]


def test_tracing_and_compiling_keep_the_plain_convolution(monkeypatch):
    # An exported graph must contain the convolution itself, not its Winograd pieces
    # or the oneDNN fused kernel.
    layer = keras.layers.Conv2D(256, 3, activation="relu")
    layer.trainable = False
    x = torch.randn(8, 14, 14, 128)
    layer(x)
    calls = _count_calls(monkeypatch)
    with torch.no_grad():
        traced = torch.jit.trace(layer, (x,), check_trace=False)
    nodes = {node.kind() for node in traced.inlined_graph.nodes()}
    assert "aten::_convolution" in nodes or "aten::conv2d" in nodes
    assert not any("mkldnn" in kind or kind == "aten::bmm" for kind in nodes)
    assert calls == []
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: True)
    assert not _fused.plain_eager()


@pytest.mark.keras
def test_predict_matches_keras(request, monkeypatch):
    oracle_api = request.getfixturevalue("keras")  # real Keras 3 (torch backend)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 14, 14, 128)).astype("float32")

    def build(api):
        return api.Sequential([api.Input((14, 14, 128)),
                               api.layers.Conv2D(256, 3, padding="same", activation="relu"),
                               api.layers.Conv2D(256, 3, activation="relu")])

    oracle, model = build(oracle_api), build(keras)
    model.set_weights(oracle.get_weights())
    calls = _count_calls(monkeypatch)
    got = model.predict(x, verbose=0)
    assert len(calls) == 2
    np.testing.assert_allclose(got, np.asarray(oracle.predict(x, verbose=0)), rtol=1e-4, atol=1e-5)
