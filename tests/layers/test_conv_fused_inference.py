"""Inference-only fused conv + bias + ReLU (`layers/convolutional/_fused.py`) and
activations read at call time (Dense, Conv)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise.layers.convolutional import _fused

CASES = [
    dict(filters=8, kernel_size=3),
    dict(filters=8, kernel_size=3, padding="same"),
    dict(filters=6, kernel_size=(3, 2), strides=2, padding="same"),
    dict(filters=4, kernel_size=3, dilation_rate=2),
    dict(filters=8, kernel_size=3, groups=2),
    dict(filters=8, kernel_size=3, use_bias=False),
]


def _unfused(layer, x):
    with torch.enable_grad():
        return layer(x).detach()


@pytest.mark.parametrize("kwargs", CASES)
def test_conv2d_relu_inference_is_fused_and_equal_to_the_autograd_path(kwargs, monkeypatch):
    torch.manual_seed(0)
    layer = keras.layers.Conv2D(activation="relu", **kwargs)
    x = torch.randn(3, 9, 10, 4)
    expected = _unfused(layer, x)
    calls = []
    real = _fused.conv2d_pointwise
    monkeypatch.setattr(_fused, "conv2d_pointwise",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    with torch.no_grad():
        got = layer(x)
    assert calls == [1]
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-6, atol=1e-6)
    assert bool((got >= 0).all())


def test_conv1d_relu_and_predict_use_the_fused_kernel(monkeypatch):
    torch.manual_seed(0)
    model = keras.Sequential([keras.Input((12, 3)), keras.layers.Conv1D(5, 3, activation="relu"),
                              keras.layers.GlobalMaxPooling1D()])
    x = np.random.default_rng(0).normal(size=(7, 12, 3)).astype("float32")
    expected = _unfused(model, torch.from_numpy(x)).numpy()
    calls = []
    real = _fused.conv2d_pointwise
    monkeypatch.setattr(_fused, "conv2d_pointwise",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    assert calls  # predict took the fused kernel


def test_training_and_other_activations_take_the_unfused_path(monkeypatch):
    monkeypatch.setattr(_fused, "conv2d_pointwise", lambda *a, **k: pytest.fail("fused"))
    x = torch.randn(2, 6, 6, 3)
    relu = keras.layers.Conv2D(4, 3, activation="relu")
    relu(x).sum().backward()  # autograd on: unfused, gradients flow
    assert relu.kernel.grad is not None
    with torch.no_grad():
        keras.layers.Conv2D(4, 3, activation="tanh")(x)
        keras.layers.Conv2D(4, 3, activation="relu", data_format="channels_first")(
            torch.randn(2, 3, 6, 6))


@pytest.mark.parametrize("cls, args, x", [
    (keras.layers.Dense, (4,), torch.randn(5, 3)),
    (keras.layers.Conv2D, (4, 3), torch.randn(2, 6, 6, 3)),
])
def test_an_activation_changed_after_build_is_used(cls, args, x):
    # Grad-CAM / visualisation tutorials swap the activation of a built layer.
    layer = cls(*args, activation="relu")
    with torch.no_grad():
        assert bool((layer(x) >= 0).all())
        layer.activation = keras.activations.linear
        assert bool((layer(x) < 0).any())
        layer.activation = keras.activations.get("relu")
        assert bool((layer(x) >= 0).all())
    linear = cls(*args)
    linear(x)
    linear.activation = keras.activations.get("relu")
    assert bool((linear(x) >= 0).all())


def test_dense_relu_inference_equals_the_autograd_path():
    layer = keras.layers.Dense(6, activation="relu")
    x = torch.randn(4, 3)
    expected = _unfused(layer, x)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), expected, rtol=0, atol=0)


def _count_fused(monkeypatch) -> list:
    calls = []
    real = _fused.conv2d_pointwise
    monkeypatch.setattr(_fused, "conv2d_pointwise",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def _frozen_base_model(seed: int = 0):
    keras.utils.set_random_seed(seed)
    base = keras.Sequential([keras.Input((8, 8, 3)),
                             keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                             keras.layers.Conv2D(4, 3, activation="relu")], name="base")
    base.trainable = False
    model = keras.Sequential([keras.Input((8, 8, 3)), base,
                              keras.layers.Conv2D(2, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2), loss="binary_crossentropy")
    return model


def test_frozen_layers_below_the_trainable_ones_fuse_while_training(monkeypatch):
    # Fine-tuning: the frozen base runs with autograd on but nothing to record.
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(12, 8, 8, 3)).astype("float32")
    y = rng.integers(0, 2, (12, 1)).astype("float32")
    monkeypatch.setattr(_fused, "_AVAILABLE", False)
    plain = _frozen_base_model()
    plain_history = plain.fit(x, y, batch_size=4, epochs=2, verbose=0).history
    monkeypatch.undo()
    calls = _count_fused(monkeypatch)
    fused = _frozen_base_model()
    fused_history = fused.fit(x, y, batch_size=4, epochs=2, verbose=0).history
    assert len(calls) == 2 * 3 * 2  # the base's two convs, 3 batches, 2 epochs
    for a, b in zip(plain.get_weights(), fused.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fused_history["loss"], plain_history["loss"], rtol=1e-6)
    assert not np.allclose(plain.layers[1].get_weights()[0], _frozen_base_model().layers[1]
                           .get_weights()[0])  # the trainable conv did train


def test_a_frozen_conv_whose_input_needs_a_gradient_stays_unfused(monkeypatch):
    calls = _count_fused(monkeypatch)
    first = keras.layers.Conv2D(4, 3, activation="relu")
    frozen = keras.layers.Conv2D(4, 3, activation="relu")
    x = torch.randn(2, 8, 8, 3)
    frozen(first(x))
    frozen.trainable = False
    frozen(first(x)).sum().backward()  # the gradient reaches `first` through `frozen`
    assert calls == []
    assert first.kernel.grad is not None and frozen.kernel.grad is None
    frozen(torch.randn(2, 6, 6, 4)).sum()  # nothing needs a gradient: fused, autograd on
    assert calls == [1]


@pytest.mark.parametrize("grad_mode", [torch.enable_grad, torch.no_grad])
def test_forward_mode_autodiff_goes_through_relu_convolutions(grad_mode):
    # A dual tensor's tangent must not be dropped by the fused kernel (it has no tangent
    # rule), with or without reverse-mode autograd, frozen or not.
    layer = keras.layers.Conv2D(3, 3, activation="relu")
    x, t = torch.randn(2, 6, 6, 2), torch.randn(2, 6, 6, 2)
    layer(x)
    for trainable in (True, False):
        layer.trainable = trainable
        with grad_mode():
            out, tangent = torch.func.jvp(layer, (x,), (t,))
            with torch.autograd.forward_ad.dual_level():
                dual = torch.autograd.forward_ad.make_dual(x, t)
                unpacked = torch.autograd.forward_ad.unpack_dual(layer(dual))
        eps = 1e-3
        numeric = (layer(x + eps * t) - layer(x - eps * t)).detach() / (2 * eps)
        torch.testing.assert_close(tangent, numeric, rtol=1e-2, atol=1e-2)
        assert unpacked.tangent is not None
        torch.testing.assert_close(unpacked.tangent, tangent)
        torch.testing.assert_close(out, layer(x).detach())


def test_functorch_gradients_through_a_frozen_relu_convolution():
    layer = keras.layers.Conv2D(3, 3, activation="relu")
    x = torch.randn(2, 6, 6, 2)
    layer(x)
    layer.trainable = False
    grad = torch.func.grad(lambda v: layer(v).sum())(x)
    x_leaf = x.clone().requires_grad_(True)
    layer(x_leaf).sum().backward()
    torch.testing.assert_close(grad, x_leaf.grad)
