"""`LossScaleOptimizer`: Keras 3's dynamic loss scaling, on both step paths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise import layers, optimizers
from layerwise.mixed_precision import LossScaleOptimizer, set_global_policy


@pytest.fixture(autouse=True)
def _reset_policy():
    yield
    set_global_policy("float32")


def _weights():
    return [torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.full((2,), 2.0))]


def test_overflow_skips_the_step_and_halves_the_scale_with_apply():
    weights = _weights()
    opt = LossScaleOptimizer(optimizers.Adam(0.1), initial_scale=1024.0)
    opt.apply([torch.ones(3), torch.ones(2)], weights)
    before = [w.detach().clone() for w in weights]
    slots = [s.detach().clone() for s in opt.inner_optimizer.variables]
    opt.apply([torch.tensor([1.0, float("inf"), 1.0]), torch.ones(2)], weights)
    for w, b in zip(weights, before, strict=True):
        torch.testing.assert_close(w.detach(), b, rtol=0, atol=0)
    for s, b in zip(opt.inner_optimizer.variables, slots, strict=True):
        torch.testing.assert_close(s, b, rtol=0, atol=0)
    assert float(opt.dynamic_scale) == 512.0 and int(opt.iterations) == 1
    opt.apply([torch.tensor([float("nan"), 0.0, 0.0]), torch.ones(2)], weights)
    assert float(opt.dynamic_scale) == 256.0


def test_gradients_are_unscaled_before_the_inner_step():
    weights = _weights()
    opt = LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=8.0)
    opt.apply([torch.full((3,), 8.0), torch.full((2,), 16.0)], weights)
    torch.testing.assert_close(weights[0].detach(), torch.full((3,), 0.5))
    torch.testing.assert_close(weights[1].detach(), torch.full((2,), 1.0))


def test_scale_doubles_after_dynamic_growth_steps_finite_steps():
    weights = _weights()
    opt = LossScaleOptimizer(optimizers.SGD(0.01), initial_scale=4.0, dynamic_growth_steps=3)
    scales = []
    for _ in range(7):
        opt.apply([torch.ones(3), torch.ones(2)], weights)
        scales.append(float(opt.dynamic_scale))
    assert scales == [4.0, 4.0, 8.0, 8.0, 8.0, 16.0, 16.0]
    assert int(opt.step_counter) == 1 and int(opt.iterations) == 7


def test_trainer_fast_path_scale_loss_backward_step_from_grads():
    weights = _weights()
    opt = LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=64.0, dynamic_growth_steps=2)
    loss = (weights[0].sum() + weights[1].sum())
    opt.scale_loss(loss).backward()
    opt.build(weights)
    opt.step_from_grads()  # gradient 1 per entry after unscaling
    torch.testing.assert_close(weights[0].detach(), torch.full((3,), 0.9))
    for w in weights:
        w.grad = None
    (opt.scale_loss(weights[0].sum()) * torch.tensor(float("inf"))).backward()
    weights[1].grad = torch.ones(2)
    before = [w.detach().clone() for w in weights]
    opt.step_from_grads()
    assert all(torch.equal(w.detach(), b) for w, b in zip(weights, before, strict=True))
    assert float(opt.dynamic_scale) == 32.0 and int(opt.iterations) == 1


def test_fit_in_mixed_float16_with_loss_scaling_trains():
    set_global_policy("mixed_float16")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = layerwise.Sequential([layerwise.Input((6,)), layers.Dense(16, activation="relu"),
                                  layers.Dense(1, activation="sigmoid", dtype="float32")])
    opt = LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=2.0**40)
    model.compile(opt, "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=6, verbose=0).history
    # 2**40 overflows float16 gradients: the first steps are skipped while the scale halves.
    assert float(opt.dynamic_scale) < 2.0**40
    assert int(opt.iterations) < 6 * 4
    assert history["loss"][-1] < history["loss"][0]
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert model.layers[0].kernel.dtype == torch.float32


def test_config_round_trip_and_keras_config(keras):
    opt = LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=256.0, dynamic_growth_steps=7)
    clone = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(clone, LossScaleOptimizer) and clone.dynamic_growth_steps == 7
    assert float(clone.dynamic_scale) == 256.0 and clone.learning_rate == pytest.approx(0.1)
    oracle = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.2), initial_scale=32.0)
    loaded = optimizers.deserialize(keras.optimizers.serialize(oracle))
    assert isinstance(loaded.inner_optimizer, optimizers.SGD)
    assert float(loaded.dynamic_scale) == 32.0 and loaded.learning_rate == pytest.approx(0.2)


def test_variables_follow_keras_order(keras):
    weights = _weights()
    opt = LossScaleOptimizer(optimizers.SGD(0.1))
    opt.build(weights)
    oracle = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    oracle.build([keras.Variable(w.detach().numpy()) for w in weights])
    ours = [np.asarray(v) for v in opt.get_weights()]
    theirs = [np.asarray(v.numpy()) for v in oracle.variables]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.astype("float64"), b.astype("float64"))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="clipnorm"):
        LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(TypeError, match="inner_optimizer"):
        LossScaleOptimizer("sgd")
    with pytest.raises(ValueError, match="dynamic_growth_steps"):
        LossScaleOptimizer(optimizers.SGD(), dynamic_growth_steps=0)
