"""`saving.serialize_keras_object` / `deserialize_keras_object` for every family, and
nested objects in `get_config`, against Keras 3."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import layerwise

FAMILIES = {
    "layer": lambda K: K.layers.Dense(3, activation="relu", name="d"),
    "sequential": lambda K: K.Sequential([K.Input((2,), name="x"), K.layers.Dense(1, name="d1")], name="s"),
    "loss": lambda K: K.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    "metric": lambda K: K.metrics.AUC(num_thresholds=50),
    "optimizer": lambda K: K.optimizers.Adam(learning_rate=0.01),
    "schedule": lambda K: K.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
    "initializer": lambda K: K.initializers.RandomNormal(stddev=0.2, seed=3),
    "regularizer": lambda K: K.regularizers.L1L2(l1=0.01, l2=0.02),
    "constraint": lambda K: K.constraints.MaxNorm(2.0),
}
FUNCTIONS = {
    "activation": lambda K: K.activations.relu,
    "loss_function": lambda K: K.losses.mean_squared_error,
}


def _config_of(obj):
    return obj.get_config() if hasattr(obj, "get_config") else obj.__name__


def _name_stem(name):
    return re.sub(r"_\d+$", "", name)


def _comparable(config):
    """Config values both libraries share (Keras adds `dtype` policies and extra keys)."""
    if isinstance(config, dict):
        return {k: _comparable(v) for k, v in config.items() if k not in ("dtype", "name")}
    if isinstance(config, (list, tuple)):
        return [_comparable(v) for v in config]
    return config


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_round_trip_in_layerwise(family):
    obj = FAMILIES[family](layerwise)
    config = layerwise.saving.serialize_keras_object(obj)
    json.dumps(config)  # JSON-ready
    restored = layerwise.saving.deserialize_keras_object(config)
    assert type(restored) is type(obj)
    assert _config_of(restored) == _config_of(obj)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_keras_configs_deserialize_in_layerwise(keras, family):
    keras_obj = FAMILIES[family](keras)
    config = keras.saving.serialize_keras_object(keras_obj)
    restored = layerwise.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert type(restored).__name__ == type(keras_obj).__name__
    ours = FAMILIES[family](layerwise)
    assert type(restored) is type(ours)
    shared = set(_config_of(restored)) & set(_config_of(ours))
    assert {k: _comparable(_config_of(restored)[k]) for k in shared - {"name"}} == \
        {k: _comparable(_config_of(ours)[k]) for k in shared - {"name"}}
    if "name" in shared:  # auto names count per library ("adam_4" vs "adam"): compare stems
        assert _name_stem(_config_of(restored)["name"]) == _name_stem(_config_of(ours)["name"])


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_layerwise_configs_deserialize_in_keras(keras, family):
    config = layerwise.saving.serialize_keras_object(FAMILIES[family](layerwise))
    assert config["module"].startswith("keras")
    restored = keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert type(restored).__name__ == type(FAMILIES[family](keras)).__name__


@pytest.mark.parametrize("kind", sorted(FUNCTIONS))
def test_functions_both_ways(keras, kind):
    ours = FUNCTIONS[kind](layerwise)
    config = layerwise.saving.serialize_keras_object(ours)
    assert config["class_name"] == "function"
    assert layerwise.saving.deserialize_keras_object(config) is ours
    assert keras.saving.deserialize_keras_object(config) is FUNCTIONS[kind](keras)
    keras_config = keras.saving.serialize_keras_object(FUNCTIONS[kind](keras))
    assert layerwise.saving.deserialize_keras_object(keras_config) is ours


def test_plain_values_lists_and_dicts(keras):
    for value in (None, 3, 2.5, "relu", True, [1, 2], {"a": 1}):
        config = layerwise.saving.serialize_keras_object(value)
        assert config == keras.saving.serialize_keras_object(value)
        assert layerwise.saving.deserialize_keras_object(config) == value
    mixed = [layerwise.regularizers.L2(0.5), {"init": layerwise.initializers.Ones()}]
    restored = layerwise.saving.deserialize_keras_object(
        layerwise.saving.serialize_keras_object(mixed))
    assert restored[0].l2 == 0.5 and type(restored[1]["init"]).__name__ == "Ones"


def test_registered_custom_class_and_function():
    @layerwise.saving.register_keras_serializable(package="objects_test")
    class Halve(layerwise.regularizers.Regularizer):
        def __init__(self, factor=0.5):
            self.factor = factor

        def __call__(self, x):
            return self.factor * x.sum()

        def get_config(self):
            return {"factor": self.factor}

    @layerwise.saving.register_keras_serializable(package="objects_test")
    def squared(x):
        return x ** 2

    config = layerwise.saving.serialize_keras_object(Halve(0.25))
    assert config["registered_name"] == "objects_test>Halve"
    assert layerwise.saving.deserialize_keras_object(config).factor == 0.25
    assert layerwise.saving.deserialize_keras_object(
        layerwise.saving.serialize_keras_object(squared)) is squared


def test_unknown_class_names_the_fix():
    with pytest.raises(ValueError, match="register_keras_serializable"):
        layerwise.saving.deserialize_keras_object(
            {"module": "my.module", "class_name": "Nope", "config": {}})


def _nested_layer_class(K):
    class Wrapper(K.layers.Layer):
        """A layer whose `get_config` returns a layer and an initializer object."""

        def __init__(self, inner, initializer, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner
            self.initializer = initializer

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(1,), initializer=self.initializer, name="scale")

        def call(self, x):
            return self.inner(x) * self.scale

        def get_config(self):
            return {**super().get_config(), "inner": self.inner, "initializer": self.initializer}

        @classmethod
        def from_config(cls, config):
            config["inner"] = K.saving.deserialize_keras_object(config["inner"])
            config["initializer"] = K.saving.deserialize_keras_object(config["initializer"])
            return cls(**config)

    return Wrapper


def test_nested_objects_in_get_config(keras):
    data = np.ones((2, 3), np.float32)
    configs, outputs = [], []
    for K in (keras, layerwise):
        Wrapper = _nested_layer_class(K)
        x = K.Input((3,))
        model = K.Model(x, Wrapper(K.layers.Dense(2, kernel_initializer="ones", name="inner"),
                                   K.initializers.Constant(3.0), name="wrap")(x))
        config = json.loads(model.to_json())
        clone = K.models.model_from_json(json.dumps(config),
                                         custom_objects={"Wrapper": Wrapper})
        wrapper = clone.get_layer("wrap")
        assert type(wrapper.inner).__name__ == "Dense"
        assert type(wrapper.initializer).__name__ == "Constant"
        outputs.append(np.asarray(clone(data).detach()))
        nested = config["config"]["layers"][1]["config"]
        configs.append((nested["inner"]["class_name"], nested["initializer"]))
    assert configs[1] == configs[0]
    np.testing.assert_allclose(outputs[1], outputs[0])


def test_safe_mode_of_an_enclosing_loader_wins():
    layer = layerwise.layers.Lambda(lambda x: x * 2)
    config = layerwise.saving.serialize_keras_object(layer)
    with pytest.raises(ValueError, match="safe_mode"):
        layerwise.saving.deserialize_keras_object(config)
    with layerwise.saving.SafeModeScope(False):
        restored = layerwise.saving.deserialize_keras_object(config)
    assert float(restored(np.ones((1, 1), np.float32))[0, 0]) == 2.0
