"""`train_on_batch` / `test_on_batch` take one batch of arrays, and say so otherwise."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("method", ["train_on_batch", "test_on_batch"])
def test_a_generator_is_refused_with_the_fix(method):
    model = _model()
    batches = ((np.ones((2, 3), "float32"), np.ones((2, 1), "float32")) for _ in range(2))
    with pytest.raises(ValueError, match=f"`{method}` takes one batch of arrays"):
        getattr(model, method)(batches)


def test_arrays_still_train_and_evaluate_one_batch():
    model = _model()
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    before = model.test_on_batch(x, y)
    model.train_on_batch(x, y)
    assert model.test_on_batch(x, y) < before
