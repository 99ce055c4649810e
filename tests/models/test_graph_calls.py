"""Functional graphs as Keras 3 builds them: several positional tensors, keyword-only
calls, tensors passed by keyword, intermediate tensors as inputs, rank-1 inputs,
concrete shapes through nested models, shared sub-models reloaded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

RNG = np.random.default_rng(0)


def _pair_layers(K):
    """The same custom layers written for Keras and for layerwise (torch ops in `call`)."""

    class WeightedSum(K.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, a, b):
            return a * self.w + b

        def compute_output_shape(self, a_shape, b_shape):
            return a_shape

    class Attend(K.layers.Layer):
        def call(self, query, value):
            scores = torch.softmax(query @ value.transpose(1, 2), dim=-1)
            return scores @ value

    class Recurrent(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

        def call(self, inputs, initial_state=None):
            state = initial_state if initial_state is not None else \
                torch.zeros(inputs.shape[0], self.units)
            for t in range(inputs.shape[1]):
                state = torch.tanh(inputs[:, t] @ self.kernel + state)
            return state

        def compute_output_shape(self, input_shape):
            return (input_shape[0], self.units)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return WeightedSum, Attend, Recurrent


def _same_weights(source, target):
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def test_several_positional_tensors(keras):
    a_data, b_data = RNG.random((3, 4), dtype=np.float32), RNG.random((3, 4), dtype=np.float32)
    outputs = []
    for K in (keras, layerwise):
        WeightedSum, _, _ = _pair_layers(K)
        a, b = K.Input((4,)), K.Input((4,))
        y = WeightedSum()(a, b)
        model = K.Model([a, b], y)
        assert tuple(y.shape) == (None, 4)
        outputs.append(_np(model([a_data, b_data])))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-6)


def test_keyword_only_call(keras):
    q_data, v_data = RNG.random((2, 3, 5), dtype=np.float32), RNG.random((2, 4, 5), dtype=np.float32)
    outputs = []
    for K in (keras, layerwise):
        _, Attend, _ = _pair_layers(K)
        q, v = K.Input((3, 5)), K.Input((4, 5))
        y = Attend()(query=q, value=v)
        model = K.Model([q, v], y)
        assert tuple(y.shape) == (None, 3, 5)
        outputs.append(_np(model([q_data, v_data])))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-6)


def test_keyword_call_without_the_first_argument_names_it():
    _, Attend, _ = _pair_layers(layerwise)
    with pytest.raises(ValueError, match="'query'"):
        Attend()(value=layerwise.Input((4, 5)))


def test_tensor_keyword_argument_is_wired_into_the_graph(keras):
    x_data, h_data = RNG.random((2, 5, 3), dtype=np.float32), RNG.random((2, 4), dtype=np.float32)
    outputs, models = [], []
    for K in (keras, layerwise):
        _, _, Recurrent = _pair_layers(K)
        x, h = K.Input((5, 3)), K.Input((4,))
        model = K.Model([x, h], Recurrent(4, name="rec")(x, initial_state=h))
        models.append(model)
    _same_weights(models[0], models[1])
    for model in models:
        outputs.append(_np(model([x_data, h_data])))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5)
    # The state changes the result, so it really flows through the graph.
    assert not np.allclose(_np(models[1]([x_data, np.zeros_like(h_data)])), outputs[1])
    assert [type(lyr).__name__ for lyr in models[1].layers] == \
        [type(lyr).__name__ for lyr in models[0].layers]


def test_tensor_keyword_argument_survives_the_config():
    _, _, Recurrent = _pair_layers(layerwise)
    x, h = layerwise.Input((5, 3)), layerwise.Input((4,))
    model = layerwise.Model([x, h], Recurrent(4)(x, initial_state=h))
    clone = layerwise.Model.from_config(model.get_config(),
                                        custom_objects={"Recurrent": Recurrent})
    clone.set_weights(model.get_weights())
    x_data, h_data = RNG.random((2, 5, 3), dtype=np.float32), RNG.random((2, 4), dtype=np.float32)
    np.testing.assert_allclose(_np(clone([x_data, h_data])), _np(model([x_data, h_data])))


def test_several_positional_tensors_survive_the_config():
    WeightedSum, _, _ = _pair_layers(layerwise)
    a, b = layerwise.Input((4,)), layerwise.Input((4,))
    model = layerwise.Model([a, b], WeightedSum()(a, b))
    clone = layerwise.models.model_from_json(model.to_json(),
                                             custom_objects={"WeightedSum": WeightedSum})
    data = [np.ones((2, 4), np.float32), np.full((2, 4), 2, np.float32)]
    np.testing.assert_allclose(_np(clone(data)), _np(model(data)))


def test_intermediate_tensors_as_inputs(keras):
    results = []
    for K in (keras, layerwise):
        x = K.Input((3,))
        h = K.layers.Dense(4, name="first")(x)
        y = K.layers.Dense(2, name="second")(h)
        model = K.Model(h, y)
        results.append((model, [type(lyr).__name__ for lyr in model.layers],
                        model.count_params(), tuple(model.output.shape)))
    assert results[1][1:] == results[0][1:]  # ['InputLayer', 'Dense'], 10 parameters
    _same_weights(results[0][0], results[1][0])
    data = RNG.random((5, 4), dtype=np.float32)
    np.testing.assert_allclose(_np(results[1][0](data)), _np(results[0][0](data)), rtol=1e-6)


@pytest.mark.parametrize("batch", [5, 1])
@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_rank1_batch_expanded_for_input_of_shape_1(keras, kind, batch):
    data = np.arange(batch, dtype=np.float32)
    predictions = []
    for K in (keras, layerwise):
        if kind == "functional":
            x = K.Input((1,))
            model = K.Model(x, K.layers.Dense(2, kernel_initializer="ones")(x))
        else:
            model = K.Sequential([K.Input((1,)), K.layers.Dense(2, kernel_initializer="ones")])
        predictions.append(model.predict(data, verbose=0))
    assert predictions[1].shape == predictions[0].shape == (batch, 2)
    np.testing.assert_allclose(predictions[1], predictions[0])


def test_nested_model_with_unknown_spatial_shape_gets_concrete_shapes(keras):
    results = []
    for K in (keras, layerwise):
        inner_in = K.Input((None, None, 3))
        base = K.Model(inner_in, K.layers.Conv2D(4, 3, name="conv")(inner_in), name="base")
        x = K.Input((8, 8, 3))
        features = base(x)
        flat = K.layers.Flatten()(features)
        model = K.Model(x, K.layers.Dense(2, name="head")(flat))
        results.append((tuple(features.shape), tuple(flat.shape), model.count_params()))
    assert results[1] == results[0]  # (None, 6, 6, 4), (None, 144), 402


@pytest.mark.parametrize("with_head", [False, True])
def test_reload_model_using_second_call_of_shared_submodel(keras, tmp_path, with_head):
    data = RNG.random((3, 3), dtype=np.float32)
    configs, models = [], []
    for K in (keras, layerwise):
        sub_in = K.Input((3,))
        sub = K.Model(sub_in, K.layers.Dense(2, name="d")(sub_in), name="sub")
        a, b = K.Input((3,), name="a"), K.Input((3,), name="b")
        sub(a)
        y = sub(b)  # only the second call of `sub` is in the model
        if with_head:
            y = K.layers.Dense(1, name="head")(y)
        model = K.Model(b, y)
        path = tmp_path / f"{K.__name__}.keras"
        model.save(path)
        reloaded = K.models.load_model(path)
        np.testing.assert_allclose(_np(reloaded(data)), _np(model(data)), rtol=1e-6)
        config = model.get_config()
        configs.append((config["output_layers"],
                        [lyr["inbound_nodes"][0]["args"][0]["config"]["keras_history"]
                         for lyr in config["layers"][1:]]))
        models.append(model)
    assert configs[1] == configs[0]  # node indices written as Keras writes them
    # Each library loads the other's file.
    from_keras = layerwise.models.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(_np(from_keras(data)), _np(models[0](data)), rtol=1e-6)
    from_layerwise = keras.models.load_model(tmp_path / "layerwise.keras")
    np.testing.assert_allclose(_np(from_layerwise(data)), _np(models[1](data)), rtol=1e-6)
