"""Plain / momentum SGD in `fit` updates Dense kernels by one GEMM each
(`trainers/kernel_sgd.py`): the same training as the ordinary path (float32
rounding apart), for every input kind, and only where it is the same rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw
from layerwise.trainers import kernel_sgd

RNG = np.random.default_rng(0)
X = RNG.normal(size=(48, 6)).astype("float32")
Y = np.eye(3, dtype="float32")[RNG.integers(0, 3, 48)]


@pytest.fixture(autouse=True)
def _every_kernel_size(monkeypatch):
    """These tests' kernels are tiny: let them take the path regardless of size."""
    monkeypatch.setattr(kernel_sgd, "MIN_KERNEL_ELEMENTS", 0)


def _generator():
    while True:
        for i in range(0, 48, 16):
            yield X[i:i + 16], Y[i:i + 16]


class _Batches(lw.utils.PyDataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return X[i * 16:(i + 1) * 16], Y[i * 16:(i + 1) * 16]


def _inputs(kind):
    if kind == "arrays":
        return {"x": X, "y": Y, "batch_size": 16, "shuffle": False}
    if kind == "tensors":
        return {"x": torch.from_numpy(X), "y": torch.from_numpy(Y), "batch_size": 16,
                "shuffle": False}
    if kind == "generator":
        return {"x": _generator(), "steps_per_epoch": 3}
    if kind == "py_dataset":
        return {"x": _Batches()}
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return {"x": torch.utils.data.DataLoader(dataset, batch_size=16)}


def _model(optimizer=None, **dense_kwargs):
    lw.utils.set_random_seed(1)
    model = lw.Sequential([lw.Input((6,)), lw.layers.Dense(8, activation="relu", **dense_kwargs),
                           lw.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or lw.optimizers.SGD(0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit_both(make, monkeypatch, epochs=3, **fit_kwargs):
    """(ordinary path model, kernel-product path model, their histories)."""
    real_attach = kernel_sgd.attach
    attached = []
    monkeypatch.setattr(kernel_sgd, "attach", lambda m: None)
    plain = make()
    plain_history = plain.fit(epochs=epochs, verbose=0, **fit_kwargs).history
    monkeypatch.setattr(kernel_sgd, "attach", lambda m: attached.append(real_attach(m)) or
                        attached[-1])
    fused = make()
    fused_history = fused.fit(epochs=epochs, verbose=0, **fit_kwargs).history
    assert attached and attached[0] is not None, "the kernel-product path was not taken"
    return plain, fused, plain_history, fused_history


def _assert_same_training(plain, fused, plain_history, fused_history):
    for a, b in zip(plain.get_weights(), fused.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for key, values in plain_history.items():
        np.testing.assert_allclose(fused_history[key], values, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["arrays", "tensors", "generator", "py_dataset",
                                  "data_loader"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_same_training_as_the_ordinary_path_for_every_input_kind(kind, momentum, monkeypatch):
    make = lambda: _model(lw.optimizers.SGD(0.1, momentum=momentum))  # noqa: E731
    _assert_same_training(*_fit_both(make, monkeypatch, **_inputs(kind)))


@pytest.mark.parametrize("dense_kwargs", [
    {"kernel_regularizer": "l2"},
    {"kernel_constraint": lw.constraints.MaxNorm(0.5)},
    {"use_bias": False},
])
def test_regularizers_constraints_and_no_bias(dense_kwargs, monkeypatch):
    make = lambda: _model(**dense_kwargs)  # noqa: E731
    _assert_same_training(*_fit_both(make, monkeypatch, **_inputs("arrays")))


def test_a_dense_layer_called_twice_sums_both_products(monkeypatch):
    def make():
        lw.utils.set_random_seed(2)
        shared = lw.layers.Dense(6, activation="tanh")
        inputs = lw.Input((6,))
        outputs = lw.layers.Dense(3, activation="softmax")(shared(shared(inputs)))
        model = lw.Model(inputs, outputs)
        model.compile(optimizer=lw.optimizers.SGD(0.1, momentum=0.5),
                      loss="categorical_crossentropy")
        return model
    _assert_same_training(*_fit_both(make, monkeypatch, **_inputs("arrays")))


def test_frozen_layers_keep_their_kernel(monkeypatch):
    model = _model()
    model.layers[0].trainable = False
    model.compile(optimizer=lw.optimizers.SGD(0.1), loss="categorical_crossentropy")
    frozen = model.layers[0].get_weights()
    assert [layer.name for layer in kernel_sgd.eligible_layers(model)] == [model.layers[1].name]
    model.fit(X, Y, epochs=2, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_only_kernels_of_the_minimum_size_take_the_path(monkeypatch):
    lw.utils.set_random_seed(1)
    model = lw.Sequential([lw.Input((6,)), lw.layers.Dense(8), lw.layers.Dense(3)])
    model.compile(optimizer=lw.optimizers.SGD(0.1), loss="mse")
    model.fit(X, Y, epochs=1, verbose=0)
    monkeypatch.setattr(kernel_sgd, "MIN_KERNEL_ELEMENTS", 48)  # the 6x8 kernel, not the 8x3
    assert [layer.name for layer in kernel_sgd.eligible_layers(model)] == [model.layers[0].name]
    monkeypatch.undo()
    assert kernel_sgd.MIN_KERNEL_ELEMENTS == 262_144
    assert kernel_sgd.attach(model) is None  # neither is big enough by default


@pytest.mark.parametrize("optimizer", [
    lambda: lw.optimizers.Adam(),
    lambda: lw.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: lw.optimizers.SGD(0.1, clipnorm=1.0),
    lambda: lw.optimizers.SGD(0.1, weight_decay=0.01),
    lambda: lw.optimizers.SGD(0.1, gradient_accumulation_steps=2),
    lambda: lw.optimizers.SGD(0.1, use_ema=True),
    lambda: lw.mixed_precision.LossScaleOptimizer(lw.optimizers.SGD(0.1)),
])
def test_other_update_rules_take_the_ordinary_path(optimizer):
    model = _model(optimizer())
    model.fit(X, Y, epochs=1, verbose=0)  # builds and captures
    assert kernel_sgd.eligible_layers(model) == []


def test_a_custom_train_step_takes_the_ordinary_path():
    class Custom(lw.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    model = Custom([lw.Input((6,)), lw.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    assert kernel_sgd.eligible_layers(model) == []


def test_outside_fit_gradients_reach_the_kernels():
    model = _model()
    seen = []

    class ManualBackward(lw.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            kernel = self.model.layers[0].kernel
            kernel.grad = None
            self.model(torch.from_numpy(X[:4]), training=True).sum().backward()
            seen.append(kernel.grad is not None)
            kernel.grad = None

    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[ManualBackward()])
    assert seen == [True, True, True]
    assert all(layer._kernel_grad_sink is None for layer in model.layers)
    assert model._kernel_grad_sink is None
    loss = model(torch.from_numpy(X)).sum()
    loss.backward()
    assert model.layers[0].kernel.grad is not None


def test_keras_numbers_with_plain_sgd():
    keras = pytest.importorskip("keras")
    lw_model = _model(lw.optimizers.SGD(0.05, momentum=0.9))
    k_model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                                keras.layers.Dense(3, activation="softmax")])
    k_model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                    loss="categorical_crossentropy")
    k_model.set_weights(lw_model.get_weights())
    lw_history = lw_model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    k_history = k_model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(lw_history["loss"], k_history["loss"], rtol=1e-5)
    for a, b in zip(lw_model.get_weights(), k_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
