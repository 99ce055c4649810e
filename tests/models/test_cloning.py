"""`keras.models.clone_model`: same architecture, new weights, as Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

RNG = np.random.default_rng(0)


def _sequential(K):
    return K.Sequential([K.Input((4,), name="x"), K.layers.Dense(3, name="d1"),
                         K.layers.Dense(2, name="d2")], name="seq")


def _functional(K):
    a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
    shared = K.layers.Dense(3, name="shared")
    merged = K.layers.Concatenate(name="cat")([shared(a), shared(b)])
    return K.Model([a, b], K.layers.Dense(2, name="out")(merged), name="func")


def _nested(K):
    x = K.Input((4,), name="x")
    inner = _sequential(K)
    return K.Model(x, K.layers.Dense(1, name="head")(inner(x)), name="outer")


def _structure(model):
    return ([(type(lyr).__name__, lyr.name) for lyr in model.layers], model.count_params(),
            type(model).__name__, model.name)


@pytest.mark.parametrize("build", [_sequential, _functional, _nested])
def test_clone_matches_keras_structure(keras, build):
    structures = []
    for K in (keras, layerwise):
        model = build(K)
        clone = K.models.clone_model(model)
        structures.append((_structure(clone), _structure(model)))
        originals = {id(w) for w in model.weights}
        assert not any(id(w) in originals for w in clone.weights)
    assert structures[1] == structures[0]


def test_clone_has_new_weights_that_can_be_copied():
    model = _functional(layerwise)
    clone = layerwise.models.clone_model(model)
    data = [RNG.random((2, 4), dtype=np.float32) for _ in range(2)]
    assert not np.allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))
    # The shared layer stays shared in the clone.
    assert len(clone.get_layer("shared")._inbound_nodes) == 2


def test_clone_function_and_call_function(keras):
    names = []
    for K in (keras, layerwise):
        model = _functional(K)
        seen = []

        def clone_function(layer, K=K):
            config = layer.get_config()
            config["name"] = f"{layer.name}_copy"
            return type(layer).from_config(config)

        def call_function(layer, *args, _seen=seen, **kwargs):
            _seen.append(layer.name)
            return layer(*args, **kwargs)

        clone = K.models.clone_model(model, clone_function=clone_function,
                                     call_function=call_function)
        names.append(([lyr.name for lyr in clone.layers], seen))
    assert names[1] == names[0]


def test_clone_function_can_share_layers():
    model = _sequential(layerwise)
    clone = layerwise.models.clone_model(model, clone_function=lambda layer: layer)
    assert clone.layers[0] is model.layers[0]
    data = RNG.random((2, 4), dtype=np.float32)
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))


def test_clone_on_input_tensors(keras):
    shapes = []
    for K in (keras, layerwise):
        new_a, new_b = K.Input((4,), name="new_a"), K.Input((4,), name="new_b")
        clone = K.models.clone_model(_functional(K), input_tensors=[new_a, new_b])
        seq_in = K.Input((4,), name="seq_in")
        seq_clone = K.models.clone_model(_sequential(K), input_tensors=seq_in)
        shapes.append((tuple(clone.outputs[0].shape), tuple(seq_clone.outputs[0].shape),
                       [type(lyr).__name__ for lyr in seq_clone.layers]))
        assert clone.inputs[0] is new_a and seq_clone.inputs[0] is seq_in
    assert shapes[1] == shapes[0]


def test_clone_compiled_model_is_compiled():
    model = _sequential(layerwise)
    model.compile("adam", "mse", metrics=["mae"])
    clone = layerwise.models.clone_model(model)
    assert clone.compiled and type(clone.optimizer).__name__ == "Adam"
    history = clone.fit(RNG.random((4, 4)), RNG.random((4, 2)), epochs=1, verbose=0)
    assert "mae" in history.history


def test_clone_subclassed_model_from_config():
    class Sub(layerwise.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = layerwise.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {"units": self.units}

    clone = layerwise.models.clone_model(Sub(5))
    assert isinstance(clone, Sub) and clone(torch.ones(1, 2)).shape == (1, 5)
    with pytest.raises(ValueError, match="Sequential and functional"):
        layerwise.models.clone_model(Sub(), clone_function=lambda layer: layer)


def test_recursive_clone_reaches_nested_layers():
    model = _nested(layerwise)
    renamed = []

    def clone_function(layer):
        renamed.append(layer.name)
        return type(layer).from_config(layer.get_config())

    layerwise.models.clone_model(model, clone_function=clone_function, recursive=True)
    assert {"d1", "d2", "head"} <= set(renamed) and "seq" not in renamed
