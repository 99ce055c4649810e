"""Learning-rate schedules: values at steps 0..N against Keras 3, configs, serialization."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.optimizers import schedules

STEPS = range(0, 41)

CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.9)),
    ("ExponentialDecay", dict(initial_learning_rate=0.3, decay_steps=4, decay_rate=0.5,
                              staircase=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.7)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5,
                              staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[3, 10, 20], values=[1.0, 0.5, 0.1, 0.01])),
    ("PiecewiseConstantDecay", dict(boundaries=[2.5, 9.9], values=[0.3, 0.2, 0.1])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=25)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, end_learning_rate=0.01,
                             power=0.5, cycle=True)),
    ("PolynomialDecay", dict(initial_learning_rate=1.0, decay_steps=13,
                             end_learning_rate=0.001, power=3.0)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=30)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=17, alpha=0.2)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=20, warmup_target=0.5,
                         warmup_steps=8)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=9, alpha=0.1,
                         warmup_target=0.1, warmup_steps=5)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.2, first_decay_steps=3, t_mul=1.0,
                                 m_mul=0.5, alpha=0.05)),
    ("CosineDecayRestarts", dict(initial_learning_rate=1.0, first_decay_steps=2, t_mul=1.5,
                                 m_mul=0.8)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_values_match_keras_bit_for_bit(keras, name, kwargs):
    k_schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    l_schedule = getattr(layerwise.optimizers.schedules, name)(**kwargs)
    expected = np.array([float(keras.ops.convert_to_numpy(k_schedule(s))) for s in STEPS],
                        dtype="float32")
    got = np.array([l_schedule(s) for s in STEPS], dtype="float32")
    np.testing.assert_array_equal(got, expected)
    assert all(isinstance(l_schedule(s), float) for s in (0, 5))


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_matches_keras_and_round_trips(keras, name, kwargs):
    k_schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    l_schedule = getattr(layerwise.optimizers.schedules, name)(**kwargs)
    assert l_schedule.get_config() == k_schedule.get_config()
    config = schedules.serialize(l_schedule)
    assert config == keras.optimizers.schedules.serialize(k_schedule)
    again = schedules.deserialize(config)
    assert type(again) is type(l_schedule)
    assert again.get_config() == l_schedule.get_config()
    assert [again(s) for s in STEPS] == [l_schedule(s) for s in STEPS]
    # A Keras-serialized schedule loads in layerwise.
    from_keras = schedules.deserialize(keras.optimizers.schedules.serialize(k_schedule))
    assert from_keras.get_config() == l_schedule.get_config()


@pytest.mark.parametrize("step", [7, np.int64(7), np.float32(7.0), torch.tensor(7)],
                         ids=["int", "np_int", "np_float", "torch"])
def test_step_types(step):
    schedule = schedules.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.5)
    assert schedule(step) == pytest.approx(0.05)


@pytest.mark.parametrize("cls,kwargs", [
    (schedules.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.9)),
    (schedules.InverseTimeDecay, dict(initial_learning_rate=0.1, decay_steps=-1, decay_rate=1)),
    (schedules.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=0)),
    (schedules.CosineDecay, dict(initial_learning_rate=0.1, decay_steps=0)),
    (schedules.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=0)),
])
def test_nonpositive_decay_steps_rejected(cls, kwargs):
    with pytest.raises(ValueError, match="must be > 0"):
        cls(**kwargs)


def test_piecewise_lengths_checked():
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


def test_custom_schedule_drives_optimizer_and_round_trips():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate / (2 ** (step // 2))

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate}

    opt = layerwise.optimizers.SGD(learning_rate=Halving(0.4))
    w = torch.nn.Parameter(torch.ones(3))
    seen = []
    for _ in range(5):
        seen.append(opt.learning_rate)
        opt.apply([torch.ones(3)], [w])
    assert seen == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1])
    np.testing.assert_allclose(w.detach().numpy(), 1 - sum(seen), rtol=1e-6)
    config = layerwise.optimizers.serialize(opt)
    again = layerwise.optimizers.deserialize(config, custom_objects={"Halving": Halving})
    assert isinstance(again._learning_rate, Halving)
    assert again._learning_rate.initial_learning_rate == 0.4


def test_base_class_requires_overrides():
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule().get_config()
