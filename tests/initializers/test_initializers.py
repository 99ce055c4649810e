"""Initializers: Keras' values bit for bit (seeded), statistics by fan, seeds, configs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import layerwise as lw

RANDOM_CASES = [
    ("RandomNormal", {"mean": 0.5, "stddev": 2.0}),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0}),
    ("TruncatedNormal", {"mean": 1.0, "stddev": 0.5}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "uniform"}),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_avg", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {"scale": 1.5, "mode": "fan_in", "distribution": "normal"}),
    ("GlorotUniform", {}), ("GlorotNormal", {}), ("HeUniform", {}), ("HeNormal", {}),
    ("LecunUniform", {}), ("LecunNormal", {}),
    ("Orthogonal", {}), ("Orthogonal", {"gain": 2.0}),
]
SHAPES = [(7, 5), (3, 3, 4, 6), (5, 9), (12,), (2, 3, 4)]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", RANDOM_CASES, ids=[f"{n}{k or ''}" for n, k in RANDOM_CASES])
def test_seeded_values_equal_keras_bit_for_bit(keras, name, kwargs):
    for shape in SHAPES:
        if name == "Orthogonal" and len(shape) < 2:
            continue
        for dtype in ("float32", "float64"):
            ours = getattr(lw.initializers, name)(seed=1337, **kwargs)(shape, dtype=dtype)
            theirs = getattr(keras.initializers, name)(seed=1337, **kwargs)(shape, dtype=dtype)
            assert str(ours.dtype) == f"torch.{dtype}"
            np.testing.assert_array_equal(_np(ours), _np(theirs), err_msg=f"{name} {shape}")


@pytest.mark.keras
@pytest.mark.parametrize("name", ["GlorotUniform", "HeNormal", "RandomNormal", "Orthogonal"])
def test_unseeded_values_follow_set_random_seed_like_keras(keras, name):
    """Without a seed, Keras draws one from Python's `random` when the initializer is
    created; after the same `set_random_seed`, both libraries give the same weights."""
    keras.utils.set_random_seed(42)
    theirs = getattr(keras.initializers, name)()((6, 4))
    lw.utils.set_random_seed(42)
    init = getattr(lw.initializers, name)()
    ours = init((6, 4))
    np.testing.assert_array_equal(_np(ours), _np(theirs))
    # Like Keras, the same unseeded object repeats its values; a new object does not.
    assert torch.equal(init((6, 4)), ours)
    assert not torch.equal(getattr(lw.initializers, name)()((6, 4)), ours)
    assert init.get_config().get("seed", None) is None


def test_seed_reproducibility():
    a = lw.initializers.HeNormal(seed=3)
    assert torch.equal(a((50, 20)), a((50, 20)))
    assert torch.equal(a((50, 20)), lw.initializers.HeNormal(seed=3)((50, 20)))
    assert not torch.equal(a((50, 20)), lw.initializers.HeNormal(seed=4)((50, 20)))
    with pytest.raises(ValueError, match="seed"):
        lw.initializers.RandomNormal(seed="3")


@pytest.mark.keras
@pytest.mark.parametrize("shape", [(), (5,), (4, 7), (3, 4, 7), (3, 3, 16, 32),
                                   (2, 3, 3, 8, 4)])
def test_fans_match_keras(keras, shape):
    from keras.src.initializers.random_initializers import compute_fans

    assert lw.initializers.compute_fans(shape) == compute_fans(shape)
    assert (lw.initializers.compute_fans(shape + (1,), input_axes=[0], output_axes=[-1])
            == compute_fans(shape + (1,), input_axes=[0], output_axes=[-1])) if shape else True


def test_conv_kernel_fans():
    assert lw.initializers.compute_fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)
    assert lw.initializers.compute_fans((5, 8, 4)) == (40, 20)


# name, fan used, scale, distribution
VARIANCE_PRESETS = [
    ("GlorotUniform", "avg", 1.0, "uniform"), ("GlorotNormal", "avg", 1.0, "truncated"),
    ("HeUniform", "in", 2.0, "uniform"), ("HeNormal", "in", 2.0, "truncated"),
    ("LecunUniform", "in", 1.0, "uniform"), ("LecunNormal", "in", 1.0, "truncated"),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,fan,scale,distribution", VARIANCE_PRESETS,
                         ids=[p[0] for p in VARIANCE_PRESETS])
@pytest.mark.parametrize("shape", [(400, 300), (3, 3, 64, 48)])
def test_statistics_by_fan(keras, name, fan, scale, distribution, shape):
    fan_in, fan_out = lw.initializers.compute_fans(shape)
    n = {"in": fan_in, "avg": (fan_in + fan_out) / 2}[fan]
    target_std = math.sqrt(scale / n)
    ours = _np(getattr(lw.initializers, name)(seed=11)(shape)).astype(np.float64)
    keras_sample = _np(getattr(keras.initializers, name)(seed=12)(shape)).astype(np.float64)
    for values in (ours, keras_sample):
        assert abs(values.mean()) < 4 * target_std / math.sqrt(values.size)
        assert abs(values.std() / target_std - 1) < 0.02
        if distribution == "uniform":
            limit = math.sqrt(3 * scale / n)
            assert values.max() <= limit and values.min() >= -limit
            assert values.max() > 0.99 * limit and values.min() < -0.99 * limit
        else:  # Truncated at two (untruncated) standard deviations: Keras keeps the first
            # of 4 draws inside the bounds, so about 4e-6 of the values (all 4 outside) escape.
            bound = 2 * target_std / 0.87962566103423978
            assert np.mean(np.abs(values) > bound * (1 + 1e-6)) < 5e-5
    # Our sample and Keras' own sample have the same spread.
    assert abs(ours.std() / keras_sample.std() - 1) < 0.03


@pytest.mark.parametrize("name,kwargs,mean,std", [
    ("RandomNormal", {"mean": 1.0, "stddev": 0.5}, 1.0, 0.5),
    ("RandomUniform", {"minval": -2.0, "maxval": 4.0}, 1.0, 6 / math.sqrt(12)),
    ("TruncatedNormal", {"mean": -1.0, "stddev": 2.0}, -1.0, 2.0 * 0.87962566103423978),
    ("VarianceScaling", {"scale": 3.0, "distribution": "untruncated_normal"}, 0.0,
     math.sqrt(3.0 / 500)),
])
def test_distribution_statistics(name, kwargs, mean, std):
    values = _np(getattr(lw.initializers, name)(seed=5, **kwargs)((500, 400))).astype(np.float64)
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(values.size)
    assert abs(values.std() / std - 1) < 0.01


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 4, 8)])
def test_orthogonal_gives_orthogonal_matrices(shape):
    w = lw.initializers.Orthogonal(gain=1.5, seed=2)(shape).double()
    flat = w.reshape(-1, shape[-1])
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    torch.testing.assert_close(gram, 2.25 * torch.eye(min(rows, cols), dtype=torch.float64),
                               atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="two-dimensional"):
        lw.initializers.Orthogonal()((5,))


@pytest.mark.keras
def test_deterministic_initializers_match_keras(keras):
    cases = [("Zeros", {}, (3, 4)), ("Ones", {}, (2, 5)), ("Constant", {"value": 0.3}, (4,)),
             ("Constant", {"value": [1.0, 2.0, 3.0]}, (2, 3)), ("Identity", {}, (3, 3)),
             ("Identity", {"gain": 2.5}, (3, 5)), ("Identity", {}, (4, 2))]
    for name, kwargs, shape in cases:
        for dtype in ("float32", "float64", None):
            ours = getattr(lw.initializers, name)(**kwargs)(shape, dtype=dtype)
            theirs = getattr(keras.initializers, name)(**kwargs)(shape, dtype=dtype)
            np.testing.assert_array_equal(_np(ours), _np(theirs), err_msg=name)
            assert _np(ours).dtype == _np(theirs).dtype
    with pytest.raises(ValueError, match="2D"):
        lw.initializers.Identity()((2, 2, 2))


def test_initializer_from_values():
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    init = lw.initializers.get(values)
    np.testing.assert_array_equal(_np(init((2, 3))), values)
    with pytest.raises(ValueError, match="shape"):
        init((3, 2))


CONFIG_CASES = [
    ("Zeros", {}), ("Ones", {}), ("Constant", {"value": 2.0}), ("Identity", {"gain": 3.0}),
    ("RandomNormal", {"mean": 1.0, "stddev": 2.0, "seed": 4}),
    ("RandomUniform", {"minval": 0.0, "maxval": 2.0}),
    ("TruncatedNormal", {"stddev": 0.1, "seed": 1}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform",
                         "seed": 9}),
    ("GlorotUniform", {"seed": 1}), ("GlorotNormal", {}), ("HeUniform", {}),
    ("HeNormal", {"seed": 2}), ("LecunUniform", {}), ("LecunNormal", {}),
    ("Orthogonal", {"gain": 0.5, "seed": 3}),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_round_trip_and_keras_interop(keras, name, kwargs):
    ours = getattr(lw.initializers, name)(**kwargs)
    theirs = getattr(keras.initializers, name)(**kwargs)
    config = ours.get_config()
    for key, value in theirs.get_config().items():
        assert config[key] == value, key
    serialized = lw.initializers.serialize(ours)
    assert serialized == {"module": "keras.initializers", "class_name": name, "config": config,
                          "registered_name": None}
    again = lw.initializers.deserialize(serialized)
    assert type(again) is type(ours) and again.get_config() == config
    from_keras = lw.initializers.deserialize(keras.initializers.serialize(theirs))
    assert type(from_keras) is type(ours)
    assert type(keras.initializers.deserialize(serialized)).__name__ == name
    if "seed" in kwargs:  # Same seed, same values, whichever library built it.
        np.testing.assert_array_equal(_np(from_keras((4, 3))), _np(theirs((4, 3))))


@pytest.mark.keras
def test_every_keras_name_resolves(keras):
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ in ("STFT", "Initializer"):
            continue
        assert type(lw.initializers.get(name)).__name__ == cls.__name__, name
    assert lw.initializers.get("glorot_uniform").__class__ is lw.initializers.GlorotUniform
    assert lw.initializers.glorot_uniform is lw.initializers.GlorotUniform
    with pytest.raises(ValueError, match="Did you mean"):
        lw.initializers.get("glorot_unifrom")


def test_dense_uses_the_initializer_and_conv_fans():
    layer = lw.layers.Dense(5, kernel_initializer=lw.initializers.Constant(0.5),
                            bias_initializer="ones")
    layer(torch.zeros(1, 3))
    assert torch.equal(layer.kernel.detach(), torch.full((3, 5), 0.5))
    assert torch.equal(layer.bias.detach(), torch.ones(5))
    limit = math.sqrt(6 / (3 * 3 * 8 + 3 * 3 * 16))
    w = lw.initializers.GlorotUniform(seed=0)((3, 3, 8, 16))
    assert float(w.abs().max()) <= limit


@pytest.mark.keras
def test_input_output_axes_round_trip(keras):
    ours = lw.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=3, input_axes=[0, 1],
                                           output_axes=[2])
    theirs = keras.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=3,
                                                input_axes=[0, 1], output_axes=[2])
    np.testing.assert_array_equal(_np(ours((4, 5, 6))), _np(theirs((4, 5, 6))))
    again = lw.initializers.get(lw.initializers.serialize(ours))
    assert again.get_config() == ours.get_config()
    from_keras = lw.initializers.deserialize(keras.initializers.serialize(theirs))
    np.testing.assert_array_equal(_np(from_keras((4, 5, 6))), _np(theirs((4, 5, 6))))
