"""`class CustomModel(keras.Model)` built as `CustomModel(inputs, outputs)`, as in Keras 3."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import layerwise

RNG = np.random.default_rng(0)


class CustomModel(layerwise.Model):
    """A module-level subclass (picklable by name), with an extra method."""

    def describe(self):
        return f"{self.name}: {len(self.layers)} layers"


def _graph(K):
    x = K.Input((4,), name="x")
    return x, K.layers.Dense(3, name="dense")(K.layers.Dense(5, name="hidden")(x))


def test_functional_subclass_matches_keras(keras):
    class KerasCustom(keras.Model):
        pass

    class LayerwiseCustom(layerwise.Model):
        pass

    data = RNG.random((2, 4), dtype=np.float32)
    built = []
    for K, cls in ((keras, KerasCustom), (layerwise, LayerwiseCustom)):
        model = cls(*_graph(K))
        assert isinstance(model, cls) and isinstance(model, K.Model)
        built.append(model)
    keras_model, model = built
    model.set_weights(keras_model.get_weights())
    assert [lyr.name for lyr in model.layers] == [lyr.name for lyr in keras_model.layers]
    assert type(model).__name__ == "LayerwiseCustom"
    np.testing.assert_allclose(model(data).detach().numpy(),
                               keras_model(data).detach().numpy(), rtol=1e-6)


def test_functional_subclass_keeps_its_methods_and_keywords():
    x, y = _graph(layerwise)
    model = CustomModel(inputs=x, outputs=y, name="custom")
    assert model.describe() == "custom: 3 layers"
    assert model.output_shape == (None, 3)


def test_functional_subclass_with_its_own_init():
    class WithInit(layerwise.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.tag = "set"

    model = WithInit(*_graph(layerwise))
    assert model.tag == "set" and model(np.ones((1, 4), np.float32)).shape == (1, 3)


def test_plain_subclass_still_works_after_a_functional_one():
    model = CustomModel(*_graph(layerwise))
    assert isinstance(model, layerwise.models.Functional)

    class Plain(CustomModel):
        def __init__(self):
            super().__init__()
            self.dense = layerwise.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    plain = Plain()
    assert not isinstance(plain, layerwise.models.Functional)
    assert plain(torch.ones(2, 3)).shape == (2, 2)


def test_functional_subclass_fits_saves_and_reloads(tmp_path):
    x, y = _graph(layerwise)
    model = CustomModel(x, y)
    model.compile("sgd", "mse")
    model.fit(RNG.random((8, 4)), RNG.random((8, 3)), epochs=1, verbose=0)
    path = tmp_path / "custom.keras"
    model.save(path)
    config = layerwise.saving.serialize_keras_object(model)
    assert config["class_name"] == "CustomModel"
    reloaded = layerwise.models.load_model(path, custom_objects={"CustomModel": CustomModel})
    assert isinstance(reloaded, CustomModel) and reloaded.describe() == model.describe()
    data = RNG.random((2, 4), dtype=np.float32)
    np.testing.assert_allclose(reloaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_functional_subclass_from_config_and_copies():
    model = CustomModel(*_graph(layerwise))
    clone = CustomModel.from_config(model.get_config())
    assert isinstance(clone, CustomModel) and clone.count_params() == model.count_params()
    for other in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert type(other) is type(model)
        data = torch.ones(2, 4)
        torch.testing.assert_close(other(data), model(data))


def test_model_from_config_with_custom_objects(keras):
    class Scale(layerwise.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    x = layerwise.Input((3,))
    model = layerwise.Model(x, Scale(3.0)(layerwise.layers.Dense(2)(x)))
    config = model.get_config()
    with pytest.raises(ValueError, match="Scale"):
        layerwise.Model.from_config(config)
    clone = layerwise.Model.from_config(config, custom_objects={"Scale": Scale})
    assert isinstance(clone, layerwise.models.Functional)
    assert clone.layers[-1].factor == 3.0
