"""`AdamFamily` (optimizers/adam_family.py): the state, config and bias corrections that
Adam, AdamW, Adamax and Nadam share, checked against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw
from layerwise.optimizers.adam_family import AdamFamily

FAMILY = ["Adam", "AdamW", "Adamax", "Nadam"]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name", FAMILY)
def test_config_matches_keras_and_round_trips(keras, name):
    kwargs = {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}
    ours = getattr(lw.optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    assert isinstance(ours, AdamFamily)
    config, expected = ours.get_config(), theirs.get_config()
    expected["name"] = config["name"]
    assert list(config) == list(expected)
    assert config == pytest.approx(expected)
    assert type(ours).from_config(config).get_config() == config


@pytest.mark.parametrize("name", FAMILY)
def test_slots_are_interleaved_per_variable_as_keras(keras, name):
    shapes = [(3, 2), (2,)]
    ours = getattr(lw.optimizers, name)()
    ours.build([torch.nn.Parameter(torch.zeros(s)) for s in shapes])
    theirs = getattr(keras.optimizers, name)()
    theirs.build([keras.Variable(np.zeros(s, "float32")) for s in shapes])
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    assert ours._slot_variables()[:4] == [ours.momentums[0], ours.velocities[0],
                                          ours.momentums[1], ours.velocities[1]]


def test_adamax_names_its_slots_as_before():
    opt = lw.optimizers.Adamax()
    opt.build([torch.nn.Parameter(torch.zeros(2))])
    assert opt.m is opt.momentums and opt.u is opt.velocities


@pytest.mark.parametrize("beta", [0.9, 0.999, 0.95])
def test_bias_correction_is_keras_float32_scalar(beta):
    opt = lw.optimizers.Adam()
    for iterations in (0, 1, 9, 999, 12345):
        opt._iterations = iterations
        t = torch.tensor(float(iterations + 1), dtype=torch.float32)
        expected = 1 - torch.pow(torch.tensor(beta, dtype=torch.float32), t)
        got = opt._bias_correction(beta)
        assert got.dtype == np.float32
        assert float(got) == float(expected)
