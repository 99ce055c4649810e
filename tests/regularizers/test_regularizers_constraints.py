"""Regularizers and constraints against Keras 3 on the same tensors, and their configs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _weights(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(0, 1.5, size=shape).astype(dtype)


REGULARIZER_CASES = [
    ("L1", {}), ("L1", {"l1": 0.3}), ("L2", {}), ("L2", {"l2": 0.05}),
    ("L1L2", {}), ("L1L2", {"l1": 0.01, "l2": 0.02}), ("L1L2", {"l2": 0.5}),
    ("OrthogonalRegularizer", {}), ("OrthogonalRegularizer", {"factor": 0.2, "mode": "columns"}),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", REGULARIZER_CASES,
                         ids=[f"{n}{k or ''}" for n, k in REGULARIZER_CASES])
def test_regularizer_values_match_keras(keras, name, kwargs):
    shapes = [(6, 4), (4, 9)] if name == "OrthogonalRegularizer" else [(7,), (6, 4), (3, 3, 2, 5)]
    for shape in shapes:
        for dtype in (np.float32, np.float64):
            w = _weights(shape, dtype=dtype)
            ours = getattr(lw.regularizers, name)(**kwargs)(torch.from_numpy(w))
            theirs = getattr(keras.regularizers, name)(**kwargs)(keras.ops.convert_to_tensor(w))
            np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-6, atol=1e-7,
                                       err_msg=f"{name} {shape} {dtype}")


@pytest.mark.keras
def test_orthogonal_regularizer_is_zero_on_orthogonal_rows(keras):
    w = lw.initializers.Orthogonal(seed=1)((4, 8))
    assert float(lw.regularizers.OrthogonalRegularizer(1.0)(w)) < 1e-6
    with pytest.raises(ValueError, match="rank 2"):
        lw.regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2))


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", REGULARIZER_CASES,
                         ids=[f"{n}{k or ''}" for n, k in REGULARIZER_CASES])
def test_regularizer_configs_match_keras(keras, name, kwargs):
    ours = getattr(lw.regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    serialized = lw.regularizers.serialize(ours)
    assert serialized == keras.regularizers.serialize(theirs)
    assert lw.regularizers.deserialize(serialized).get_config() == ours.get_config()
    assert keras.regularizers.deserialize(serialized).get_config() == theirs.get_config()
    assert type(lw.regularizers.get(keras.regularizers.serialize(theirs))) is type(ours)


@pytest.mark.keras
def test_regularizer_names_and_aliases(keras):
    from keras.src.regularizers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ == "Regularizer":
            continue
        assert type(lw.regularizers.get(name)).__name__ == cls.__name__, name
        assert lw.regularizers.get(name).get_config() == keras.regularizers.get(name).get_config()
    # Keras 3 exports the lowercase names as the classes.
    assert lw.regularizers.l1 is lw.regularizers.L1
    assert lw.regularizers.l2 is lw.regularizers.L2
    assert lw.regularizers.l1_l2 is lw.regularizers.L1L2
    assert lw.regularizers.l1_l2(l1=0.1, l2=0.2).get_config() == \
        keras.regularizers.l1_l2(l1=0.1, l2=0.2).get_config()
    # Keras 2's string name for L1L2 (Keras 3 only accepts "l1l2").
    assert isinstance(lw.regularizers.get("l1_l2"), lw.regularizers.L1L2)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1"])
def test_regularizer_factors_are_validated(bad):
    with pytest.raises(ValueError, match="non-negative"):
        lw.regularizers.L2(bad)
    with pytest.raises(ValueError, match="non-negative"):
        lw.regularizers.L1L2(l1=bad)


def test_regularizer_penalty_joins_the_layer_losses():
    layer = lw.layers.Dense(3, kernel_regularizer=lw.regularizers.L2(0.1),
                            bias_regularizer="l1", kernel_initializer="ones",
                            bias_initializer="ones")
    layer(torch.zeros(1, 2))
    losses = [float(v.detach()) for v in layer.losses]
    assert sorted(losses) == pytest.approx(sorted([0.1 * 6, 0.01 * 3]))


CONSTRAINT_CASES = [
    ("MaxNorm", {}), ("MaxNorm", {"max_value": 1.0, "axis": 1}),
    ("MaxNorm", {"max_value": 0.5, "axis": [0, 1, 2]}),
    ("NonNeg", {}), ("UnitNorm", {}), ("UnitNorm", {"axis": -1}),
    ("MinMaxNorm", {}), ("MinMaxNorm", {"min_value": 0.5, "max_value": 2.0, "rate": 0.5}),
    ("MinMaxNorm", {"min_value": 1.0, "max_value": 1.5, "axis": [0, 1, 2]}),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", CONSTRAINT_CASES,
                         ids=[f"{n}{k or ''}" for n, k in CONSTRAINT_CASES])
def test_constraint_values_and_configs_match_keras(keras, name, kwargs):
    shapes = [(3, 3, 4, 5)] if isinstance(kwargs.get("axis"), list) else [(6, 4), (3, 3, 4, 5)]
    for shape in shapes:
        for dtype in (np.float32, np.float64):
            w = _weights(shape, seed=2, dtype=dtype)
            ours = getattr(lw.constraints, name)(**kwargs)(torch.from_numpy(w))
            theirs = getattr(keras.constraints, name)(**kwargs)(keras.ops.convert_to_tensor(w))
            np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-6, atol=1e-7,
                                       err_msg=f"{name} {shape}")
    ours, theirs = getattr(lw.constraints, name)(**kwargs), getattr(keras.constraints, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    serialized = lw.constraints.serialize(ours)
    assert serialized == keras.constraints.serialize(theirs)
    assert lw.constraints.deserialize(serialized).get_config() == ours.get_config()
    assert keras.constraints.deserialize(serialized).get_config() == theirs.get_config()


@pytest.mark.keras
def test_constraint_names(keras):
    from keras.src.constraints import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        assert type(lw.constraints.get(name)).__name__ == cls.__name__, name
    assert isinstance(lw.constraints.get("nonneg"), lw.constraints.NonNeg)
    assert lw.constraints.max_norm is lw.constraints.MaxNorm


@pytest.mark.keras
def test_constraints_apply_after_each_optimizer_step_like_keras(keras):
    """Same weights, same gradient, same SGD step: the constrained weights agree."""
    w0 = _weights((4, 3), seed=7)
    grad = _weights((4, 3), seed=8)
    for name, kwargs in [("MaxNorm", {"max_value": 1.0}), ("NonNeg", {}),
                         ("UnitNorm", {}), ("MinMaxNorm", {"min_value": 0.5, "rate": 0.7})]:
        ours = lw.layers.Dense(3, kernel_constraint=getattr(lw.constraints, name)(**kwargs))
        ours.build((None, 4))
        ours.kernel.assign(w0)
        lw.optimizers.SGD(learning_rate=0.5).apply([torch.from_numpy(grad)], [ours.kernel])
        theirs = keras.layers.Dense(
            3, kernel_constraint=getattr(keras.constraints, name)(**kwargs))
        theirs.build((None, 4))
        theirs.kernel.assign(w0)
        keras.optimizers.SGD(learning_rate=0.5).apply([keras.ops.convert_to_tensor(grad)],
                                                      [theirs.kernel])
        np.testing.assert_allclose(_np(ours.kernel), _np(theirs.kernel.value), rtol=1e-6,
                                   atol=1e-7, err_msg=name)
        assert not np.allclose(_np(ours.kernel), w0 - 0.5 * grad)  # The constraint acted.


def test_dense_kernel_constraint_holds_during_fit():
    model = lw.Sequential([lw.Input((3,)),
                           lw.layers.Dense(4, kernel_constraint="non_neg",
                                           bias_constraint=lw.constraints.MaxNorm(0.1))])
    model.compile(optimizer=lw.optimizers.SGD(0.5), loss="mse")
    x = torch.randn(16, 3)
    y = -torch.ones(16, 4) * 5
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    dense = model.layers[-1]
    assert torch.all(dense.kernel >= 0)
    assert float(dense.bias.detach().norm()) <= 0.1 + 1e-6
