"""Dtype policies: names, the global policy, per-layer policies, configs (Keras is the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise import layers
from layerwise.backend import dtype_policy as dtype_policy_module
from layerwise.mixed_precision import (
    DTypePolicy,
    Policy,
    dtype_policy,
    global_policy,
    set_dtype_policy,
    set_global_policy,
)


@pytest.fixture(autouse=True)
def _reset_policy():
    yield
    set_global_policy("float32")


@pytest.mark.parametrize("name,compute,variable", [
    ("mixed_float16", "float16", "float32"),
    ("mixed_bfloat16", "bfloat16", "float32"),
    ("float32", "float32", "float32"),
    ("bfloat16", "bfloat16", "bfloat16"),
])
def test_policy_dtypes_match_keras(keras, name, compute, variable):
    policy = DTypePolicy(name)
    oracle = keras.DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert (oracle.compute_dtype, oracle.variable_dtype) == (compute, variable)
    assert Policy is DTypePolicy and repr(policy) == repr(oracle)


def test_bad_policy_name_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="mixed_bfloat16"):
        DTypePolicy("mixed_float64")
    with pytest.raises(ValueError, match="policy=3"):
        set_global_policy(3)


def test_global_policy_applies_to_layers_created_afterwards():
    before = layers.Dense(2)
    set_global_policy("mixed_bfloat16")
    assert global_policy().name == "mixed_bfloat16" and dtype_policy() == global_policy()
    after = layers.Dense(2)
    assert before.compute_dtype == "float32"
    assert (after.compute_dtype, after.dtype) == ("bfloat16", "float32")
    assert after.dtype_policy == DTypePolicy("mixed_bfloat16")
    set_dtype_policy(DTypePolicy("float32"))
    assert layers.Dense(2).compute_dtype == "float32"


def test_clear_session_resets_the_global_policy_as_keras():
    set_global_policy("mixed_float16")
    layerwise.backend.clear_session(free_memory=False)
    assert global_policy().name == "float32"


@pytest.mark.parametrize("policy,torch_dtype", [("mixed_bfloat16", torch.bfloat16),
                                                ("mixed_float16", torch.float16)])
def test_mixed_layer_keeps_float32_weights_and_computes_low_precision(keras, policy, torch_dtype):
    layer = layers.Dense(3, dtype=policy)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    out = layer(torch.from_numpy(x))
    assert layer.kernel.dtype == torch.float32 and out.dtype == torch_dtype
    oracle = keras.layers.Dense(3, dtype=policy)
    oracle.build((None, 5))
    oracle.set_weights(layer.get_weights())
    expected = oracle(x)
    assert str(expected.dtype).endswith(str(torch_dtype).replace("torch.", ""))
    np.testing.assert_allclose(out.float().detach().numpy(),
                               expected.float().detach().cpu().numpy(), rtol=2e-2, atol=2e-2)


def test_float32_head_inside_a_mixed_model_outputs_float32():
    set_global_policy("mixed_bfloat16")
    inputs = layerwise.Input((6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    logits = layers.Dense(4)(hidden)
    outputs = layers.Activation("softmax", dtype="float32")(logits)
    functional = layerwise.Model(inputs, outputs)
    sequential = layerwise.Sequential([layerwise.Input((6,)), layers.Dense(8),
                                       layers.Dense(4, dtype="float32")])
    x = torch.randn(3, 6)
    assert functional(x).dtype == torch.float32
    assert functional.layers[2](functional.layers[1](x)).dtype == torch.bfloat16
    assert sequential(x).dtype == torch.float32
    assert sequential.layers[0](x).dtype == torch.bfloat16
    # After the mixed region closes, float32 layers take the single-precision fast path again.
    assert dtype_policy_module.AUTOCAST_STATE.depth == 0


def test_float32_layer_disables_an_open_autocast_region():
    layer = layers.Dense(2, dtype="float32")
    with dtype_policy_module.layer_autocast(DTypePolicy("mixed_bfloat16"), "cpu"):
        assert dtype_policy_module.AUTOCAST_STATE.depth == 1
        out = layer(torch.randn(2, 3))
    assert out.dtype == torch.float32


def test_single_precision_layers_never_enter_the_autocast_scope(monkeypatch):
    model = layerwise.Sequential([layerwise.Input((3,)), layers.Dense(4), layers.Dense(2)])

    def fail(*args, **kwargs):
        raise AssertionError("a float32 model entered the mixed precision path")

    monkeypatch.setattr("layerwise.layers.layer.layer_autocast", fail)
    with torch.no_grad():
        assert model(torch.randn(2, 3)).dtype == torch.float32


def test_mixed_layer_config_round_trip_writes_keras_policy_dict(keras):
    layer = layers.Dense(3, dtype="mixed_bfloat16")
    config = layer.get_config()
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": "mixed_bfloat16"}, "registered_name": None}
    clone = layers.Dense.from_config(config)
    assert (clone.compute_dtype, clone.dtype) == ("bfloat16", "float32")
    oracle = keras.layers.Dense.from_config(config)
    assert oracle.dtype_policy.name == "mixed_bfloat16"
    assert layers.Dense(3).get_config()["dtype"] == "float32"


def test_keras_mixed_layer_config_loads(keras):
    config = keras.layers.Dense(5, dtype="mixed_bfloat16").get_config()
    layer = layers.Dense.from_config(config)
    assert (layer.compute_dtype, layer.dtype, layer.units) == ("bfloat16", "float32", 5)
    assert layer(torch.randn(2, 3)).dtype == torch.bfloat16
    assert layer.get_config()["dtype"] == config["dtype"]


def test_conv_net_with_batch_norm_trains_in_mixed_bfloat16():
    set_global_policy("mixed_bfloat16")
    model = layerwise.Sequential([
        layerwise.Input((6, 6, 2)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.1),
        layers.Dense(3, activation="softmax", dtype="float32"),
    ])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 6, 2)).astype("float32")
    y = rng.integers(0, 3, size=32)
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0).history
    assert np.isfinite(history["loss"]).all()
    assert all(w.dtype == torch.float32 for w in model.weights)
    assert model.layers[1](model.layers[0](torch.from_numpy(x))).dtype == torch.bfloat16
    assert model.predict(x, verbose=0).dtype == np.float32


def test_symbolic_outputs_carry_the_compute_dtype(keras):
    inputs = layerwise.Input((4,))
    hidden = layers.Dense(3, dtype="mixed_bfloat16")(inputs)
    head = layers.Dense(2, dtype="float32")(hidden)
    oracle_hidden = keras.layers.Dense(3, dtype="mixed_bfloat16")(keras.Input((4,)))
    assert oracle_hidden.dtype == "bfloat16"
    assert (hidden.dtype, head.dtype) == (torch.bfloat16, torch.float32)
