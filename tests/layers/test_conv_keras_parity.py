"""Differential tests: convolution layers against real Keras 3 (torch backend).

Each case builds the same layer in Keras and in layerwise, copies Keras'
weights with `get_weights` / `set_weights` (same layout), and compares the
output, the output shape, and the gradients of a random projection of the
output with respect to the input and every weight.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

RTOL, ATOL = 1e-5, 2e-5

CL, CF = "channels_last", "channels_first"

# (layer name, constructor kwargs, input shape) -- covering padding modes, odd and
# even kernels, strides (with uneven "same" padding), dilation, groups and both
# data formats.
CASES = [
    # Conv1D
    ("Conv1D", dict(filters=4, kernel_size=3), (2, 9, 3)),
    ("Conv1D", dict(filters=4, kernel_size=4, strides=2, padding="same"), (2, 9, 3)),
    ("Conv1D", dict(filters=4, kernel_size=5, strides=3, padding="same"), (2, 10, 3)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), (2, 9, 3)),
    ("Conv1D", dict(filters=4, kernel_size=2, padding="same", data_format=CF), (2, 3, 9)),
    ("Conv1D", dict(filters=6, kernel_size=3, groups=2, activation="relu"), (2, 9, 4)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", data_format=CF), (2, 3, 8)),
    # Conv2D
    ("Conv2D", dict(filters=5, kernel_size=3, activation="relu"), (2, 9, 10, 3)),
    ("Conv2D", dict(filters=5, kernel_size=(2, 4), strides=(2, 3), padding="same"),
     (2, 9, 10, 3)),
    ("Conv2D", dict(filters=5, kernel_size=5, strides=2, padding="same"), (2, 9, 8, 3)),
    ("Conv2D", dict(filters=5, kernel_size=2, padding="same"), (2, 7, 6, 3)),
    ("Conv2D", dict(filters=5, kernel_size=3, padding="same", dilation_rate=2), (2, 9, 10, 3)),
    ("Conv2D", dict(filters=5, kernel_size=(3, 2), dilation_rate=(1, 2)), (2, 9, 10, 3)),
    ("Conv2D", dict(filters=5, kernel_size=4, strides=2, padding="same", data_format=CF),
     (2, 3, 9, 10)),
    ("Conv2D", dict(filters=5, kernel_size=3, data_format=CF, activation="tanh"), (2, 3, 8, 7)),
    ("Conv2D", dict(filters=6, kernel_size=3, groups=3, padding="same"), (2, 8, 8, 6)),
    ("Conv2D", dict(filters=4, kernel_size=1, strides=2, use_bias=False), (2, 9, 9, 3)),
    # Conv3D
    ("Conv3D", dict(filters=3, kernel_size=3, padding="same"), (2, 5, 6, 7, 2)),
    ("Conv3D", dict(filters=3, kernel_size=2, strides=2, padding="same", data_format=CF),
     (2, 2, 5, 6, 7)),
    ("Conv3D", dict(filters=3, kernel_size=(2, 3, 2), dilation_rate=2), (1, 6, 7, 6, 2)),
    # SeparableConv
    ("SeparableConv1D", dict(filters=4, kernel_size=3), (2, 9, 3)),
    ("SeparableConv1D", dict(filters=4, kernel_size=4, strides=2, padding="same",
                             depth_multiplier=2, data_format=CF), (2, 3, 9)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, padding="same", depth_multiplier=2),
     (2, 8, 9, 3)),
    ("SeparableConv2D", dict(filters=4, kernel_size=2, strides=2, padding="same",
                             data_format=CF, activation="relu"), (2, 3, 7, 9)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, dilation_rate=2, use_bias=False),
     (2, 9, 9, 3)),
    # DepthwiseConv
    ("DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2), (2, 9, 3)),
    ("DepthwiseConv1D", dict(kernel_size=4, strides=2, padding="same", data_format=CF),
     (2, 3, 9)),
    ("DepthwiseConv2D", dict(kernel_size=3, padding="same"), (2, 8, 9, 4)),
    ("DepthwiseConv2D", dict(kernel_size=2, strides=2, padding="same", depth_multiplier=3),
     (2, 7, 9, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, dilation_rate=2, data_format=CF), (2, 2, 9, 9)),
    # Transposed convolutions
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=2), (2, 5, 3)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"), (2, 5, 3)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=4, strides=2, padding="same",
                             data_format=CF), (2, 3, 5)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=3, output_padding=2),
     (2, 5, 3)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, dilation_rate=2, padding="same"),
     (2, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"),
     (2, 5, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=(2, 4), strides=(2, 3)), (2, 5, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same",
                             output_padding=1, data_format=CF), (2, 3, 5, 6)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=5, strides=2, padding="same",
                             output_padding=0), (2, 4, 4, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=2, strides=3, padding="valid",
                             activation="relu"), (2, 4, 4, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, dilation_rate=2), (2, 5, 5, 3)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"),
     (1, 3, 4, 3, 2)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2, data_format=CF),
     (1, 2, 3, 4, 3)),
]


def _ids():
    return [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _pair(keras, name, kwargs, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype("float32")
    k_layer = getattr(keras.layers, name)(**kwargs)
    k_layer.build(shape)
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    l_layer.build(shape)
    l_layer.built = True
    l_layer.set_weights(k_layer.get_weights())
    return x, k_layer, l_layer


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=_ids())
def test_forward_and_gradients_match_keras(keras, name, kwargs, shape):
    x, k_layer, l_layer = _pair(keras, name, kwargs, shape)

    xk = torch.tensor(x, requires_grad=True)
    k_out = k_layer(xk)
    xl = torch.tensor(x, requires_grad=True)
    l_out = l_layer(xl)

    assert tuple(l_out.shape) == tuple(k_out.shape)
    assert tuple(l_layer.compute_output_shape(shape)) == tuple(k_layer.compute_output_shape(shape))
    np.testing.assert_allclose(l_out.detach().numpy(), k_out.detach().cpu().numpy(),
                               rtol=RTOL, atol=ATOL)

    proj = torch.tensor(np.random.default_rng(1).normal(size=tuple(k_out.shape)),
                        dtype=torch.float32)
    (k_out * proj).sum().backward()
    (l_out * proj).sum().backward()
    np.testing.assert_allclose(xl.grad.numpy(), xk.grad.cpu().numpy(), rtol=1e-4, atol=1e-4)
    for kw, lw in zip(k_layer.weights, l_layer.weights, strict=True):
        assert tuple(lw.shape) == tuple(kw.shape)
        np.testing.assert_allclose(lw.grad.numpy(), kw.value.grad.cpu().numpy(),
                                   rtol=1e-4, atol=1e-4, err_msg=lw.name)


@pytest.mark.parametrize("name,kwargs,shape", [
    ("Conv2D", dict(filters=8, kernel_size=(3, 2)), (1, 6, 6, 4)),
    ("Conv2D", dict(filters=8, kernel_size=3, groups=2), (1, 6, 6, 4)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (1, 6, 6, 4)),
    ("SeparableConv2D", dict(filters=5, kernel_size=3, depth_multiplier=2), (1, 6, 6, 4)),
    ("Conv2DTranspose", dict(filters=5, kernel_size=3), (1, 6, 6, 4)),
    ("Conv3D", dict(filters=2, kernel_size=2), (1, 3, 3, 3, 4)),
    ("Conv1D", dict(filters=2, kernel_size=2, data_format=CF), (1, 4, 6)),
])
def test_weight_names_and_keras_layout(keras, name, kwargs, shape):
    k_layer = getattr(keras.layers, name)(**kwargs)
    k_layer.build(shape)
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    l_layer.build(shape)
    assert [w.shape for w in l_layer.get_weights()] == [w.shape for w in k_layer.get_weights()]
    assert [w.name for w in l_layer.weights] == [w.name for w in k_layer.weights]


def test_config_round_trip_and_keras_config_keys(keras):
    for name, kwargs, _ in CASES[::4]:
        l_layer = getattr(layerwise.layers, name)(**kwargs)
        config = l_layer.get_config()
        clone = type(l_layer).from_config(config)
        assert clone.get_config() == config
        k_config = getattr(keras.layers, name)(**kwargs).get_config()
        missing = set(k_config) - set(config) - {"dtype"}
        assert not missing, (name, missing)
        for key in ("kernel_size", "strides", "padding", "data_format", "dilation_rate"):
            if key in k_config:
                assert tuple(np.atleast_1d(config[key])) == tuple(np.atleast_1d(k_config[key]))


def test_default_data_format_follows_backend_setting():
    try:
        layerwise.backend.set_image_data_format("channels_first")
        layer = layerwise.layers.Conv2D(4, 3, padding="same")
        assert layer.data_format == "channels_first"
        assert layer(torch.ones(2, 3, 8, 8)).shape == (2, 4, 8, 8)
        assert layerwise.layers.MaxPooling2D().data_format == "channels_first"
    finally:
        layerwise.backend.set_image_data_format("channels_last")
    assert layerwise.layers.Conv2D(4, 3).data_format == "channels_last"


def test_channels_last_activations_are_not_copied():
    """The NHWC <-> NCHW permutes are views: conv outputs come back NHWC-contiguous."""
    layer = layerwise.layers.Conv2D(8, 3, padding="same", activation="relu")
    y = layer(torch.randn(4, 10, 10, 3))
    assert y.is_contiguous()
    pool = layerwise.layers.MaxPooling2D()(y)
    assert pool.is_contiguous() and pool.shape == (4, 5, 5, 8)


def test_invalid_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="filters"):
        layerwise.layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        layerwise.layers.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate"):
        layerwise.layers.Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="groups"):
        layerwise.layers.Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match="ndim=4"):
        layerwise.layers.Conv2D(4, 3)(torch.ones(2, 8, 3))
    with pytest.raises(ValueError, match="output_padding"):
        layerwise.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
    model = layerwise.Sequential([layerwise.Input((8, 8, 3)), layerwise.layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match="channels"):
        model(torch.ones(1, 8, 8, 5))


# ---------------------------------------------------------------- the W5 CNN model
def _w5(mod):
    return [
        mod.Input((28, 28, 1)),
        mod.layers.Conv2D(32, 3, activation="relu"),
        mod.layers.MaxPooling2D(2),
        mod.layers.Conv2D(64, 3, activation="relu"),
        mod.layers.MaxPooling2D(2),
        mod.layers.Flatten(),
        mod.layers.Dense(10, activation="softmax"),
    ]


def test_w5_cnn_trains_like_keras(keras):
    """Same weights, same batches (no shuffle): Adam steps give the same weights and loss."""
    keras.utils.set_random_seed(0)
    k_model = keras.Sequential(_w5(keras))
    l_model = layerwise.Sequential(_w5(layerwise))
    l_model.set_weights(k_model.get_weights())
    assert [w.shape for w in l_model.get_weights()] == [w.shape for w in k_model.get_weights()]
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 64)
    for model, mod in ((k_model, keras), (l_model, layerwise)):
        model.compile(optimizer=mod.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    k_hist = k_model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    l_hist = l_model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(l_hist["loss"], k_hist["loss"], rtol=1e-4)
    for a, b in zip(k_model.get_weights(), l_model.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=2e-5)
    np.testing.assert_allclose(l_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)
