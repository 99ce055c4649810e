"""The Keras 2 backend API (`import keras.backend as K`) on tensors and on symbolic tensors
(deferred evaluation): `K.function`, `K.gradients` and the math the classic notebooks use."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise import backend as K
from layerwise import layers


def _convnet():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16, 16, 3))
    h = layers.Conv2D(8, 3, activation="relu", name="block1_conv")(inputs)
    h = layers.MaxPooling2D()(h)
    h = layers.Conv2D(4, 3, activation="relu", name="block2_conv")(h)
    outputs = layers.Dense(2)(layers.Flatten()(h))
    return keras.Model(inputs, outputs)


def test_filter_visualization_matches_a_torch_autograd_loop():
    """Keras 2's "visualizing what convnets learn" loop, and the same loop in torch."""
    model = _convnet()
    layer_output = model.get_layer("block2_conv").output
    loss = K.mean(layer_output[:, :, :, 1])
    grads = K.gradients(loss, model.input)[0]
    grads /= K.sqrt(K.mean(K.square(grads))) + 1e-5
    iterate = K.function([model.input], [loss, grads])

    start = np.random.default_rng(0).random((1, 16, 16, 3)).astype("float32") * 20 + 128.0
    image = start.copy()
    for _ in range(5):
        loss_value, grads_value = iterate([image])
        image += grads_value * 1.0
    assert isinstance(loss_value, np.ndarray) and grads_value.shape == (1, 16, 16, 3)

    feature = keras.Model(model.input, model.get_layer("block2_conv").output)
    reference = torch.tensor(start)
    for _ in range(5):
        reference = reference.detach().requires_grad_(True)
        value = feature(reference)[..., 1].mean()
        (grad,) = torch.autograd.grad(value, reference)
        grad = grad / (grad.square().mean().sqrt() + 1e-5)
        reference = reference + grad
    np.testing.assert_allclose(image, reference.detach().numpy(), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(loss_value, value.item(), rtol=1e-5)


def test_gradients_with_respect_to_weights_and_intermediate_tensors():
    model = _convnet()
    loss = K.sum(K.square(model.output))
    kernel = model.get_layer("block1_conv").kernel
    hidden = model.get_layer("block2_conv").output
    g_kernel, g_hidden = K.gradients(loss, [kernel, hidden])
    f = K.function([model.input], [loss, g_kernel, g_hidden])
    x = np.random.default_rng(1).random((2, 16, 16, 3)).astype("float32")
    loss_value, kernel_grad, hidden_grad = f([x])

    out = model(torch.tensor(x), training=False)
    value = out.square().sum()
    expected_kernel = torch.autograd.grad(value, kernel)[0]
    np.testing.assert_allclose(loss_value, value.item(), rtol=1e-5)
    np.testing.assert_allclose(kernel_grad, expected_kernel.numpy(), rtol=1e-4, atol=1e-5)
    assert hidden_grad.shape == (2, 5, 5, 4)


def test_gram_matrix_style_loss_on_symbolic_tensors():
    model = _convnet()
    features = model.get_layer("block1_conv").output[0]

    def gram_matrix(x):
        flat = K.batch_flatten(K.permute_dimensions(x, (2, 0, 1)))
        return K.dot(flat, K.transpose(flat))

    gram = gram_matrix(features)
    f = K.function([model.input], gram)
    x = np.random.default_rng(2).random((1, 16, 16, 3)).astype("float32")
    acts = keras.Model(model.input, model.get_layer("block1_conv").output).predict(x, verbose=0)
    flat = acts[0].transpose(2, 0, 1).reshape(8, -1)
    np.testing.assert_allclose(f([x]), flat @ flat.T, rtol=1e-4, atol=1e-3)


def test_k_functions_on_tensors_match_numpy():
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(K.mean(x, axis=-1), x.mean(-1), rtol=1e-6)
    np.testing.assert_allclose(K.sum(K.abs(x), axis=(0, 2)), np.abs(x).sum((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(K.sqrt(K.square(x)), np.abs(x), rtol=1e-6)
    np.testing.assert_allclose(K.exp(x), np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(K.concatenate([x, x]), np.concatenate([x, x], -1))
    np.testing.assert_allclose(K.permute_dimensions(x, (2, 0, 1)), x.transpose(2, 0, 1))
    np.testing.assert_allclose(K.batch_flatten(x), x.reshape(2, -1))
    np.testing.assert_allclose(K.dot(x, np.ones((4, 5), "float32")), x @ np.ones((4, 5)),
                               rtol=1e-5)
    np.testing.assert_allclose(K.transpose(x[0]), x[0].T)
    images = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)
    np.testing.assert_allclose(K.resize_images(images, 2, 3, "channels_last"),
                               images.repeat(2, 1).repeat(3, 2))
    y = np.random.default_rng(4).normal(size=(2, 4, 5)).astype("float32")
    np.testing.assert_allclose(K.batch_dot(x, y), np.einsum("bij,bjk->bik", x, y), rtol=1e-5)
    np.testing.assert_allclose(K.batch_dot(x[:, 0], x[:, 1]),
                               (x[:, 0] * x[:, 1]).sum(-1, keepdims=True), rtol=1e-5)
    assert K.int_shape(x) == (2, 3, 4)
    assert K.int_shape(keras.Input((5, 6))) == (None, 5, 6)
    assert K.is_keras_tensor(keras.Input((2,))) and not K.is_keras_tensor(torch.ones(2))


def test_variables_and_random():
    v = K.variable(np.ones((2, 2)), name="w")
    assert K.get_value(v).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    K.set_value(v, np.zeros((2, 2)))
    assert K.eval(v).sum() == 0
    assert K.random_normal((3, 4)).shape == (3, 4)
    a, b = K.random_normal((3,), seed=5), K.random_normal((3,), seed=5)
    assert torch.equal(a, b)
    assert K.epsilon() == 1e-7 and K.floatx() == "float32" and K.backend() == "torch"
    assert K.image_data_format() == "channels_last"


def test_function_reports_a_missing_input():
    a, b = keras.Input((2,)), keras.Input((2,))
    f = K.function([a], [K.sum(a + b)])
    with pytest.raises(ValueError, match="No value was given"):
        f([np.ones((1, 2))])


def test_keras3_backend_names_exist():
    keras3 = pytest.importorskip("keras")
    names = [n for n in dir(keras3.backend) if not n.startswith("_")]
    assert [n for n in names if not hasattr(K, n)] == []
    assert K.result_type("int32", "float32") == keras3.backend.result_type("int32", "float32")
    assert K.standardize_dtype(torch.float16) == "float16"
