"""The fused path's weight conversion: one cached helper that cannot go stale, checked
against the timestep loop (which reads Keras' variables directly) on the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.layers.rnn import fused

KINDS = [("LSTM", "lstm"), ("GRU", "gru"), ("SimpleRNN", "rnn_tanh")]
X = np.random.default_rng(0).normal(size=(3, 6, 4)).astype("float32")


def _loop(layer, x, **kwargs):
    """The layer's result through the timestep loop (Keras' variables read directly)."""
    layer._fused_plan = lambda *a, **k: None
    try:
        with torch.no_grad():
            return layer(x, **kwargs)
    finally:
        del layer._fused_plan


def _model(cls):
    model = layerwise.Sequential([layerwise.Input((6, 4)), getattr(layerwise.layers, cls)(5)])
    model.compile(optimizer=layerwise.optimizers.SGD(0.5), loss="mse")
    return model


def _assert_fresh(model, before):
    """predict (cached conversion) equals the loop on the current weights, and moved."""
    rnn = model.layers[0]
    got = model.predict(X, verbose=0)
    np.testing.assert_allclose(got, _loop(rnn, torch.from_numpy(X)).numpy(), rtol=1e-5,
                               atol=1e-6)
    assert not np.allclose(got, before)


def test_conversion_is_cached_without_gradients_and_aliases_the_variables():
    layer = layerwise.layers.LSTM(3)
    layer(torch.zeros(1, 2, 4))
    cell = layer.cell
    with torch.no_grad():
        first = fused.torch_weights(cell, "lstm")
        assert fused.torch_weights(cell, "lstm") is first  # cached
    assert first[0].data_ptr() == cell.kernel.data_ptr()  # a view: no copy to go stale
    assert first[1].data_ptr() == cell.recurrent_kernel.data_ptr()
    trained = fused.torch_weights(cell, "lstm")  # recorded: rebuilt, inside the graph
    assert trained is not first and trained[0].grad_fn is not None


@pytest.mark.parametrize("cls,kind", KINDS)
def test_cached_conversion_after_an_optimizer_step(cls, kind):
    model = _model(cls)
    before = model.predict(X, verbose=0)  # fills the cache (predict records no gradients)
    if kind != "gru":
        assert "_torch_weights" in model.layers[0].cell.__dict__
    model.fit(X, np.ones((3, 5), "float32"), epochs=1, batch_size=3, verbose=0)
    _assert_fresh(model, before)


@pytest.mark.parametrize("cls,kind", KINDS)
def test_cached_conversion_after_set_weights_and_load_weights(cls, kind, tmp_path):
    model = _model(cls)
    before = model.predict(X, verbose=0)
    other = _model(cls)
    model.set_weights(other.get_weights())
    _assert_fresh(model, before)
    third = _model(cls)
    third.save_weights(tmp_path / "third.weights.h5")
    before = model.predict(X, verbose=0)
    model.load_weights(tmp_path / "third.weights.h5")
    _assert_fresh(model, before)
    np.testing.assert_allclose(model.predict(X, verbose=0), third.predict(X, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("cls,kind", KINDS)
def test_cached_conversion_sees_writes_that_bump_no_version(cls, kind):
    model = _model(cls)
    kernel = model.layers[0].cell.kernel
    before = model.predict(X, verbose=0)
    kernel.data.add_(0.25)  # in place through `.data`: no version counter moves
    _assert_fresh(model, before)
    before = model.predict(X, verbose=0)
    kernel.data = kernel.data.clone() - 0.5  # new storage behind the same variable
    _assert_fresh(model, before)

