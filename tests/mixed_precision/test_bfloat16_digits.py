"""bfloat16 on CPU trains the digits MLP to the float32 accuracy (within 0.5%)."""

from __future__ import annotations

import pytest
import torch

import layerwise
from layerwise import layers
from layerwise.mixed_precision import set_global_policy


def _train(policy: str, seed: int):
    (x, y), (x_test, y_test) = layerwise.datasets.digits.load_data()
    x = x.reshape(len(x), -1).astype("float32") / 16
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16
    set_global_policy(policy)
    try:
        layerwise.utils.set_random_seed(seed)
        model = layerwise.Sequential([
            layerwise.Input((64,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
            layers.Activation("softmax", dtype="float32"),
        ])
        model.compile(layerwise.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=64, epochs=10, verbose=0)
    finally:
        set_global_policy("float32")
    hidden = model.layers[0](torch.from_numpy(x_test))
    return model.evaluate(x_test, y_test, verbose=0)[1], hidden.dtype, model


@pytest.mark.slow
def test_bfloat16_matches_float32_test_accuracy_within_half_a_percent():
    accuracy_32, dtype_32, _ = _train("float32", seed=0)
    accuracy_16, dtype_16, model = _train("mixed_bfloat16", seed=0)
    assert dtype_32 == torch.float32 and dtype_16 == torch.bfloat16
    assert model.layers[0].kernel.dtype == torch.float32
    assert accuracy_32 > 0.95
    assert abs(accuracy_32 - accuracy_16) <= 0.005, (accuracy_32, accuracy_16)
