"""Freeze -> fit -> unfreeze -> compile again -> fit: the unfrozen layer trains, with every
input kind (the transfer-learning tutorial's fine-tuning step), as in Keras 3."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import layerwise as lw

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 5)).astype("float32")
Y = RNG.normal(size=(32, 1)).astype("float32")


def _generator():
    while True:
        for i in range(0, 32, 8):
            yield X[i:i + 8], Y[i:i + 8]


class _TorchPairs(torch.utils.data.Dataset):
    def __len__(self):
        return len(X)

    def __getitem__(self, i):
        return torch.from_numpy(X[i]), torch.from_numpy(Y[i])


def _py_dataset_class(base):
    class Batches(base):
        def __init__(self):
            super().__init__()

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8]

    return Batches


def _fit_kwargs(kind, library):
    """`fit` arguments feeding (X, Y) as `kind`."""
    if kind == "arrays":
        return {"x": X, "y": Y, "batch_size": 8}
    if kind == "tensors":
        return {"x": torch.from_numpy(X), "y": torch.from_numpy(Y), "batch_size": 8}
    if kind == "generator":
        return {"x": _generator(), "steps_per_epoch": 4}
    if kind == "py_dataset":
        return {"x": _py_dataset_class(library.utils.PyDataset)()}
    if kind == "data_loader":
        return {"x": torch.utils.data.DataLoader(_TorchPairs(), batch_size=8)}
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return {"x": pd.DataFrame(X), "y": pd.DataFrame(Y), "batch_size": 8}
    if kind == "dataset":  # layerwise.data.Dataset, what the *_dataset_from_* utilities return
        return {"x": lw.data.Dataset.from_tensor_slices((X, Y)).batch(8)}
    raise AssertionError(kind)


def _fine_tune(library, kind):
    """The tutorial's steps; returns which weights changed in each phase."""
    base = library.layers.Dense(4, activation="relu", name="base")
    head = library.layers.Dense(1, name="head")
    model = library.Sequential([library.Input((5,)), base, head])

    def snapshot():
        return [w.copy() for w in base.get_weights() + head.get_weights()]

    def changed(before, after):
        return [not np.array_equal(a, b) for a, b in zip(before, after)]

    base.trainable = False
    model.compile(optimizer=library.optimizers.SGD(0.1), loss="mse")
    start = snapshot()
    model.fit(**_fit_kwargs(kind, library), epochs=1, verbose=0)
    frozen_phase = changed(start, snapshot())

    base.trainable = True
    model.compile(optimizer=library.optimizers.SGD(0.1), loss="mse")
    start = snapshot()
    model.fit(**_fit_kwargs(kind, library), epochs=1, verbose=0)
    return frozen_phase, changed(start, snapshot())


KINDS = ["arrays", "tensors", "generator", "py_dataset", "data_loader", "pandas", "dataset"]


@pytest.mark.parametrize("kind", KINDS)
def test_unfrozen_layer_trains_after_recompile(kind):
    frozen_phase, unfrozen_phase = _fine_tune(lw, kind)
    # [base kernel, base bias, head kernel, head bias]
    assert frozen_phase == [False, False, True, True]
    assert unfrozen_phase == [True, True, True, True]


@pytest.mark.keras
@pytest.mark.parametrize("kind", ["arrays", "generator", "py_dataset", "data_loader"])
def test_same_weights_change_as_in_keras(keras, kind):
    assert _fine_tune(lw, kind) == _fine_tune(keras, kind)


def test_unfreezing_without_recompile_warns_and_keeps_the_compiled_weights():
    base = lw.layers.Dense(4, name="base")
    model = lw.Sequential([lw.Input((5,)), base, lw.layers.Dense(1)])
    base.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    base.trainable = True
    kernel = base.kernel.numpy()
    with pytest.warns(UserWarning, match="has changed since the model was compiled"):
        model.fit(X, Y, epochs=1, verbose=0)
    np.testing.assert_array_equal(base.kernel.numpy(), kernel)
    assert base.kernel.requires_grad  # the layer's own flag is back after `fit`


def test_trainable_weights_captured_for_an_unbuilt_model_at_first_fit():
    model = lw.Sequential([lw.layers.Dense(4), lw.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(_generator(), steps_per_epoch=2, epochs=1, verbose=0)
    model.layers[0].trainable = False
    model.compile(optimizer="sgd", loss="mse")
    kernel = model.layers[0].kernel.numpy()
    head = model.layers[1].kernel.numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(_generator(), steps_per_epoch=2, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    assert not np.array_equal(model.layers[1].kernel.numpy(), head)


def test_fit_without_trainable_weights_warns_and_runs():
    model = lw.Sequential([lw.Input((5,)), lw.layers.Dense(1)])
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    kernel = model.layers[0].kernel.numpy()
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        history = model.fit(X, Y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
