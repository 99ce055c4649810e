"""`layerwise.random` against Keras 3's `keras.random` (torch backend): same values for int
seeds and `SeedGenerator`s; `SeedGenerator` state saved with its layer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise import random

keras = pytest.importorskip("keras")

CASES = {
    "normal": lambda r, s: r.normal((3, 4), mean=1.0, stddev=2.0, seed=s),
    "uniform": lambda r, s: r.uniform((5,), minval=-1, maxval=3, seed=s),
    "randint": lambda r, s: r.randint((4, 2), 0, 10, seed=s),
    "truncated_normal": lambda r, s: r.truncated_normal((6,), stddev=0.5, seed=s),
    "categorical": lambda r, s: r.categorical(np.log([[0.2, 0.3, 0.5]] * 2), 4, seed=s),
    "dropout": lambda r, s: r.dropout(torch.ones(3, 4), 0.5, seed=s),
    "shuffle": lambda r, s: r.shuffle(torch.arange(8).reshape(4, 2), seed=s),
    "gamma": lambda r, s: r.gamma((4,), alpha=2.0, seed=s),
    "beta": lambda r, s: r.beta((4,), alpha=2.0, beta=3.0, seed=s),
    "binomial": lambda r, s: r.binomial((4,), counts=10, probabilities=0.3, seed=s),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_int_seed_gives_keras_values(name):
    ours, theirs = CASES[name](random, 42), CASES[name](keras.random, 42)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert torch.equal(CASES[name](random, 42), ours)  # stateless: same seed, same values


@pytest.mark.parametrize("name", ["normal", "uniform", "dropout", "shuffle"])
def test_seed_generator_sequence_matches_keras(name):
    ours_gen, theirs_gen = random.SeedGenerator(7), keras.random.SeedGenerator(7)
    for _ in range(3):
        np.testing.assert_allclose(CASES[name](random, ours_gen).numpy(),
                                   CASES[name](keras.random, theirs_gen).numpy(), rtol=1e-6)
    assert ours_gen.state.tolist() == np.asarray(theirs_gen.state.value).tolist()


def test_no_seed_follows_set_random_seed():
    layerwise.utils.set_random_seed(3)
    a = random.normal((4,))
    layerwise.utils.set_random_seed(3)
    assert torch.equal(random.normal((4,)), a)


@layerwise.saving.register_keras_serializable(package="randtest")
class NoisyLayer(layerwise.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return inputs + random.normal(tuple(inputs.shape), seed=self.seed_generator)
        return inputs


def test_seed_generator_in_a_layer_state_dict_and_keras_files(tmp_path):
    layer = NoisyLayer()
    layer(torch.zeros(2, 3), training=True)
    layer(torch.zeros(2, 3), training=True)
    assert layer.weights == []  # as Keras: not a weight, not in .keras files
    state = layer.state_dict()
    assert state["seed_generator.state"].tolist() == [1337, 2]
    copy = NoisyLayer()
    copy.load_state_dict(state)  # torch checkpoints keep the position in the sequence
    assert torch.equal(copy(torch.zeros(1, 3), training=True),
                       layer(torch.zeros(1, 3), training=True))

    inputs = layerwise.Input((3,))
    model = layerwise.Model(inputs, NoisyLayer(name="noisy")(inputs))
    model.save(tmp_path / "noisy.keras")
    loaded = layerwise.models.load_model(tmp_path / "noisy.keras")
    assert loaded.get_layer("noisy").seed_generator.state.tolist() == [1337, 0]


def test_bad_seed_is_explained():
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed="abc")


@keras.saving.register_keras_serializable(package="randtest")
class KerasNoisyLayer(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        return inputs


def test_files_with_seed_generators_interchange_with_keras(tmp_path):
    layerwise.saving.register_keras_serializable(package="randtest",
                                                 name="KerasNoisyLayer")(NoisyLayer)
    inputs = keras.Input((3,))
    keras.Model(inputs, KerasNoisyLayer(name="noisy")(inputs)).save(tmp_path / "k.keras")
    assert layerwise.models.load_model(tmp_path / "k.keras").get_layer("noisy")
    ours_in = layerwise.Input((3,))
    layerwise.Model(ours_in, NoisyLayer(name="noisy")(ours_in)).save(tmp_path / "l.keras")
    assert keras.saving.load_model(tmp_path / "l.keras").get_layer("noisy")
