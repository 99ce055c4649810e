"""Differential tests: normalization layers against real Keras 3 (torch backend).

BatchNormalization is checked in training mode (batch statistics, and the
moving statistics after several steps), in inference mode, and frozen
(`trainable=False` runs in inference mode even with `training=True`, and
inside `fit`), with Keras' weights copied over.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

pytestmark = pytest.mark.keras

RTOL, ATOL = 1e-5, 1e-5


def _x(shape, seed=0, loc=1.5, scale=3.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + loc).astype("float32")


def _pair(keras, name, kwargs, shape, randomize=True):
    k_layer = getattr(keras.layers, name)(**kwargs)
    k_layer.build(shape)
    if randomize:  # non-trivial gamma / beta / moving statistics
        rng = np.random.default_rng(5)
        k_layer.set_weights([
            (rng.random(w.shape) + 0.5).astype("float32") for w in k_layer.get_weights()])
    l_layer = getattr(layerwise.layers, name)(**kwargs)
    l_layer.build(shape)
    l_layer.set_weights(k_layer.get_weights())
    return k_layer, l_layer


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


BN_CASES = [
    (dict(), (16, 5)),
    (dict(), (8, 5, 6, 3)),
    (dict(axis=1), (8, 3, 5, 6)),
    (dict(axis=1), (8, 4, 7)),
    (dict(axis=2, momentum=0.9, epsilon=1e-5), (6, 4, 3, 5)),
    (dict(center=False), (8, 4, 4, 3)),
    (dict(scale=False, momentum=0.5), (8, 6, 3)),
    (dict(axis=-1), (4, 3, 3, 3, 2)),
]


@pytest.mark.parametrize("kwargs,shape", BN_CASES, ids=[str(i) for i in range(len(BN_CASES))])
def test_batch_normalization_training_inference_and_moving_stats(keras, kwargs, shape):
    k_layer, l_layer = _pair(keras, "BatchNormalization", kwargs, shape)
    for step in range(3):
        x = _x(shape, seed=step)
        xk = torch.tensor(x, requires_grad=True)
        xl = torch.tensor(x, requires_grad=True)
        k_out = k_layer(xk, training=True)
        l_out = l_layer(xl, training=True)
        np.testing.assert_allclose(_np(l_out), _np(k_out), rtol=1e-4, atol=1e-4)
        proj = torch.tensor(_x(shape, seed=10 + step, loc=0, scale=1))
        (k_out * proj).sum().backward()
        (l_out * proj).sum().backward()
        np.testing.assert_allclose(xl.grad.numpy(), _np(xk.grad), rtol=1e-3, atol=1e-4)
        for kw, lw in zip(k_layer.trainable_weights, l_layer.trainable_weights, strict=True):
            np.testing.assert_allclose(lw.grad.numpy(), _np(kw.value.grad), rtol=1e-3, atol=1e-3)
            kw.value.grad = None
            lw.grad = None
    # moving_mean / moving_variance after three training steps
    for k_w, l_w in zip(k_layer.get_weights(), l_layer.get_weights(), strict=True):
        np.testing.assert_allclose(l_w, k_w, rtol=1e-5, atol=1e-5)
    assert [w.name for w in l_layer.weights] == [w.name for w in k_layer.weights]
    # inference mode uses (and does not change) the moving statistics
    x = _x(shape, seed=7)
    before = l_layer.get_weights()
    np.testing.assert_allclose(_np(l_layer(x, training=False)), _np(k_layer(x, training=False)),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(l_layer(x)), _np(k_layer(x)), rtol=RTOL, atol=ATOL)
    for a, b in zip(before, l_layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_weight_order_and_trainability(keras):
    k_layer, l_layer = _pair(keras, "BatchNormalization", {}, (4, 3))
    assert [w.name for w in l_layer.weights] == ["gamma", "beta", "moving_mean",
                                                 "moving_variance"]
    assert [w.name for w in l_layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in l_layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert [w.name for w in k_layer.weights] == [w.name for w in l_layer.weights]


def test_frozen_batch_normalization_runs_in_inference_mode(keras):
    shape = (8, 4, 4, 3)
    k_layer, l_layer = _pair(keras, "BatchNormalization", {}, shape)
    k_layer.trainable = False
    l_layer.trainable = False
    before = l_layer.get_weights()
    x = _x(shape)
    k_out = k_layer(x, training=True)
    l_out = l_layer(x, training=True)
    np.testing.assert_allclose(_np(l_out), _np(k_out), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(l_out), _np(l_layer(x, training=False)), rtol=0, atol=0)
    for a, b in zip(before, l_layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert l_layer.trainable_weights == []


def _bn_model(mod, frozen=False):
    bn = mod.layers.BatchNormalization(momentum=0.8)
    layers = [mod.Input((6, 6, 2)), mod.layers.Conv2D(4, 3, padding="same"), bn,
              mod.layers.Activation("relu"), mod.layers.Flatten(),
              mod.layers.Dense(3, activation="softmax")]
    model = mod.Sequential(layers)
    if frozen:
        bn.trainable = False
    return model


@pytest.mark.parametrize("frozen", [False, True], ids=["trainable", "frozen"])
def test_batch_normalization_in_fit_matches_keras(keras, frozen):
    keras.utils.set_random_seed(0)
    k_model = _bn_model(keras, frozen)
    l_model = _bn_model(layerwise, frozen)
    rng = np.random.default_rng(3)
    weights = k_model.get_weights()
    weights[2:6] = [(rng.random(w.shape) + 0.5).astype("float32") for w in weights[2:6]]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    x = _x((48, 6, 6, 2))
    y = rng.integers(0, 3, 48)
    for model, mod in ((k_model, keras), (l_model, layerwise)):
        model.compile(optimizer=mod.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    k_model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    l_model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for i, (a, b) in enumerate(zip(k_model.get_weights(), l_model.get_weights(), strict=True)):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=f"weight {i}")
    if frozen:  # moving statistics untouched by fit
        for a, b in zip(weights[2:6], l_model.get_weights()[2:6], strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(l_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


LN_CASES = [
    ("LayerNormalization", dict(), (4, 7)),
    ("LayerNormalization", dict(axis=[1, 2]), (4, 3, 5)),
    ("LayerNormalization", dict(axis=[1, 3], epsilon=1e-6), (2, 3, 4, 5)),
    ("LayerNormalization", dict(center=False), (4, 3, 6)),
    ("LayerNormalization", dict(axis=[-2, -1]), (4, 3, 6)),
    ("GroupNormalization", dict(groups=2), (4, 5, 6)),
    ("GroupNormalization", dict(groups=3, axis=1), (4, 6, 5, 5)),
    ("GroupNormalization", dict(groups=-1), (4, 3, 3, 4)),
    ("GroupNormalization", dict(groups=1, center=False, epsilon=1e-5), (4, 5, 4)),
    ("GroupNormalization", dict(groups=2, axis=2), (3, 5, 4, 2)),
    ("UnitNormalization", dict(), (4, 7)),
    ("UnitNormalization", dict(axis=[1, 2]), (4, 3, 5)),
    ("UnitNormalization", dict(axis=1), (4, 3, 5)),
]


@pytest.mark.parametrize("name,kwargs,shape", LN_CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LN_CASES)])
def test_layer_group_unit_normalization_match_keras(keras, name, kwargs, shape):
    k_layer, l_layer = _pair(keras, name, kwargs, shape)
    x = _x(shape)
    xk = torch.tensor(x, requires_grad=True)
    xl = torch.tensor(x, requires_grad=True)
    k_out, l_out = k_layer(xk), l_layer(xl)
    np.testing.assert_allclose(_np(l_out), _np(k_out), rtol=1e-4, atol=1e-5)
    assert tuple(l_layer.compute_output_shape(shape)) == tuple(k_layer.compute_output_shape(shape))
    proj = torch.tensor(_x(shape, seed=1, loc=0, scale=1))
    (k_out * proj).sum().backward()
    (l_out * proj).sum().backward()
    np.testing.assert_allclose(xl.grad.numpy(), _np(xk.grad), rtol=1e-3, atol=1e-4)
    for kw, lw in zip(k_layer.trainable_weights, l_layer.trainable_weights, strict=True):
        np.testing.assert_allclose(lw.grad.numpy(), _np(kw.value.grad), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(axis=1), (4, 3, 5)),
    (dict(axis=-2, center=False), (4, 3, 6)),
    (dict(axis=1, scale=False), (2, 4, 3, 3)),
])
def test_layer_normalization_single_inner_axis(kwargs, shape):
    """Keras' torch backend crashes here (it hands a non-trailing axis to
    `F.layer_norm`); the reference is Keras' formula in NumPy."""
    layer = layerwise.layers.LayerNormalization(**kwargs)
    layer.build(shape)
    rng = np.random.default_rng(4)
    layer.set_weights([(rng.random(w.shape) + 0.5).astype("float32")
                       for w in layer.get_weights()])
    x = _x(shape).astype("float64")
    axis = kwargs["axis"] % len(shape)
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3)
    bshape = [1] * len(shape)
    bshape[axis] = shape[axis]
    weights = {w.name: w.numpy().reshape(bshape) for w in layer.weights}
    if "gamma" in weights:
        expected = expected * weights["gamma"]
    if "beta" in weights:
        expected = expected + weights["beta"]
    np.testing.assert_allclose(_np(layer(x.astype("float32"))), expected,
                               rtol=1e-4, atol=1e-5)


def test_unit_normalization_of_zeros_is_zero():
    out = layerwise.layers.UnitNormalization()(torch.zeros(2, 3))
    assert torch.equal(out, torch.zeros(2, 3))


@pytest.mark.parametrize("name,kwargs", [
    ("BatchNormalization", dict(axis=1, momentum=0.9)),
    ("LayerNormalization", dict(axis=[1, 2], epsilon=1e-4)),
    ("GroupNormalization", dict(groups=4)),
    ("UnitNormalization", dict(axis=[1, 2])),
])
def test_normalization_configs(keras, name, kwargs):
    layer = getattr(layerwise.layers, name)(**kwargs)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    k_config = getattr(keras.layers, name)(**kwargs).get_config()
    assert not set(k_config) - set(config) - {"dtype"}


def test_group_normalization_rejects_bad_groups():
    with pytest.raises(ValueError, match="multiple"):
        layerwise.layers.GroupNormalization(groups=4)(torch.ones(2, 6))
    with pytest.raises(ValueError, match="groups"):
        layerwise.layers.GroupNormalization(groups=0)
