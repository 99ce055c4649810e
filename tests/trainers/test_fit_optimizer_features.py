"""Optimizer features that need the trainer's help: EMA finalization, loss scaling."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise

RNG = np.random.default_rng(3)


@pytest.mark.keras
@pytest.mark.parametrize("options", [{"use_ema": True}, {"loss_scale_factor": 64.0},
                                     {"use_ema": True, "ema_overwrite_frequency": 3}])
def test_fit_matches_keras(keras, options):
    x = RNG.random((48, 6)).astype("float32")
    y = RNG.random((48, 3)).astype("float32")
    models = {}
    for K in (keras, layerwise):
        K.backend.clear_session()
        model = K.Sequential([K.Input((6,)), K.layers.Dense(5, activation="relu"),
                              K.layers.Dense(3)])
        model.compile(K.optimizers.Adam(0.01, **options), "mse")
        models[K.__name__] = model
    models["layerwise"].set_weights(models["keras"].get_weights())
    histories = {name: m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
                 for name, m in models.items()}
    np.testing.assert_allclose(histories["layerwise"]["loss"], histories["keras"]["loss"],
                               rtol=1e-5)
    for mine, theirs in zip(models["layerwise"].get_weights(), models["keras"].get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
