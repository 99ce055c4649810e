"""Functional API, nesting, sharing and multi-output training, against real Keras 3."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

import layerwise

RNG = np.random.default_rng(0)


def _two_input(K):
    L = K.layers
    a = K.Input((4,), name="a")
    b = K.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="relu")(a), b])
    s = L.Add()([L.Dense(8)(h), L.Dense(8)(h)])
    return K.Model([a, b], L.Dense(2, name="out")(s))


def _residual(K):
    L = K.layers
    x = K.Input((6,))
    h = L.Dense(6, activation="relu")(x)
    h = L.Dense(6)(h)
    return K.Model(x, L.Activation("relu")(L.add([x, h])))


def _shared(K):
    L = K.layers
    a, b = K.Input((5,)), K.Input((5,))
    shared = L.Dense(3, name="shared")
    return K.Model([a, b], L.Subtract()([shared(a), shared(b)]))


def _nested(K):
    L = K.layers
    inner = K.Sequential([K.Input((4,)), L.Dense(6, activation="tanh"), L.Dense(3)], name="inner")
    x = K.Input((4,))
    return K.Model(x, L.Dense(2)(L.concatenate([inner(x), x])))


def _multi_output(K):
    L = K.layers
    a = K.Input((4,), name="a")
    b = K.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="relu")(a), b])
    out_a = L.Dense(1, activation="sigmoid", name="out_a")(h)
    out_b = L.Dense(3, activation="softmax", name="out_b")(h)
    return K.Model([a, b], [out_a, out_b])


BUILDERS = {"two_input": (_two_input, [(4,), (3,)]), "residual": (_residual, [(6,)]),
            "shared": (_shared, [(5,), (5,)]), "nested": (_nested, [(4,)]),
            "multi_output": (_multi_output, [(4,), (3,)])}


def _inputs(shapes, n=7):
    xs = [RNG.random((n, *s)).astype("float32") for s in shapes]
    return xs if len(xs) > 1 else xs[0]


def _pair(keras, builder):
    keras.backend.clear_session()
    layerwise.backend.clear_session()
    km, lm = builder(keras), builder(layerwise)
    lm.set_weights(km.get_weights())
    return km, lm


def _as_list(x):
    return x if isinstance(x, list) else [x]


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_outputs_and_params_match_keras(keras, name):
    builder, shapes = BUILDERS[name]
    km, lm = _pair(keras, builder)
    x = _inputs(shapes)
    assert lm.count_params() == km.count_params()
    assert [w.shape for w in lm.get_weights()] == [w.shape for w in km.get_weights()]
    for k, v in zip(_as_list(km.predict(x, verbose=0)), _as_list(lm.predict(x, verbose=0))):
        np.testing.assert_allclose(v, k, rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in lm.layers] == [layer.name for layer in km.layers]


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_keras_json_builds_equivalent_model(keras, name):
    builder, shapes = BUILDERS[name]
    keras.backend.clear_session()
    km = builder(keras)
    lm = layerwise.models.model_from_json(km.to_json())
    lm.set_weights(km.get_weights())
    x = _inputs(shapes)
    for k, v in zip(_as_list(km.predict(x, verbose=0)), _as_list(lm.predict(x, verbose=0))):
        np.testing.assert_allclose(v, k, rtol=1e-5, atol=1e-6)
    # And back: layerwise's JSON loads in Keras.
    km2 = keras.models.model_from_json(lm.to_json())
    km2.set_weights(lm.get_weights())
    for k, v in zip(_as_list(km2.predict(x, verbose=0)), _as_list(lm.predict(x, verbose=0))):
        np.testing.assert_allclose(v, k, rtol=1e-5, atol=1e-6)


@pytest.mark.keras
def test_summary_with_connections_matches_keras(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")

    def text(K):
        lines = []
        K.backend.clear_session()
        L = K.layers
        a, b = K.Input((4,), name="a"), K.Input((3,), name="b")
        h = L.Concatenate()([L.Dense(5)(a), b])
        shared = L.Dense(8, name="shared")
        r = L.Add()([shared(h), shared(L.Dense(8)(h))])
        inner = K.Sequential([K.Input((8,)), L.Dense(4)], name="inner")
        model = K.Model([a, b], [L.Dense(1, name="o")(inner(r)), L.Dense(3, name="p")(h)])
        model.summary(print_fn=lambda s, **kw: lines.append(s))
        text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines)).strip()
        # Keras' Sequential builds a hidden functional model that takes the name
        # "functional", so Keras calls this one "functional_1": compare the rest.
        return text.split("\n", 1)[1]

    assert text(layerwise) == text(keras)


@pytest.mark.keras
def test_multi_output_training_matches_keras(keras):
    km, lm = _pair(keras, _multi_output)
    x = _inputs([(4,), (3,)], n=64)
    y = [RNG.integers(0, 2, (64, 1)).astype("float32"), RNG.integers(0, 3, 64)]
    kwargs = dict(loss={"out_a": "binary_crossentropy", "out_b": "sparse_categorical_crossentropy"},
                  loss_weights={"out_a": 1.0, "out_b": 0.5},
                  metrics={"out_a": ["acc"], "out_b": ["accuracy"]})
    km.compile(optimizer=keras.optimizers.SGD(0.1), **kwargs)
    lm.compile(optimizer=layerwise.optimizers.SGD(0.1), **kwargs)
    kh = km.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_split=0.25)
    lh = lm.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_split=0.25)
    assert list(lh.history) == list(kh.history)
    assert "out_a_loss" in lh.history and "val_out_b_accuracy" in lh.history
    for key in kh.history:
        np.testing.assert_allclose(lh.history[key], kh.history[key], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(lm.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0),
                               rtol=1e-4, atol=1e-5)
    # Targets as a dict by output name work too.
    by_name = lm.evaluate(x, {"out_a": y[0], "out_b": y[1]}, verbose=0, return_dict=True)
    assert set(by_name) == {"loss", "out_a_loss", "out_b_loss", "out_a_acc", "out_b_accuracy"}


def test_flat_metric_list_for_multi_output_is_refused():
    model = _multi_output(layerwise)
    model.compile("sgd", ["binary_crossentropy", "sparse_categorical_crossentropy"],
                  metrics=["accuracy"])
    x = _inputs([(4,), (3,)], n=8)
    y = [np.zeros((8, 1), "float32"), np.zeros(8, "int64")]
    with pytest.raises(ValueError, match="several outputs"):
        model.fit(x, y, verbose=0)


def test_inputs_by_name_and_intermediate_features():
    model = _two_input(layerwise)
    x = _inputs([(4,), (3,)])
    by_list = model.predict(x, verbose=0)
    by_name = model.predict({"a": x[0], "b": x[1]}, verbose=0)
    np.testing.assert_allclose(by_list, by_name)
    features = layerwise.Model(inputs=model.input, outputs=model.get_layer("concatenate").output)
    assert features.predict(x, verbose=0).shape == (7, 8)
    assert features.layers[-1] is model.get_layer("concatenate")  # shared, same weights


def test_graph_disconnected_and_shape_errors_name_the_layer():
    L = layerwise.layers
    a, b = layerwise.Input((4,)), layerwise.Input((4,))
    out = L.Add(name="joiner")([L.Dense(2)(a), L.Dense(2)(b)])
    with pytest.raises(ValueError, match="Graph disconnected.*at layer 'dense_1'"):
        layerwise.Model(a, out)
    with pytest.raises(ValueError, match="merge_here"):
        L.Concatenate(name="merge_here")([layerwise.Input((4, 2)), layerwise.Input((5, 3))])
    with pytest.raises(ValueError, match="dense_x.*expected the last axis to be 4.*received 6"):
        d = L.Dense(3, name="dense_x")
        d(layerwise.Input((4,)))
        d(layerwise.Input((6,)))


@pytest.mark.keras
def test_frozen_nested_model(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    counts = {}
    for K in (keras, layerwise):
        K.backend.clear_session()
        base = K.Sequential([K.Input((5,)), K.layers.Dense(4)], name="base")
        base.trainable = False
        x = K.Input((5,))
        model = K.Model(x, K.layers.Dense(1)(base(x)))
        lines = []
        model.summary(print_fn=lines.append)
        text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))
        counts[K.__name__] = re.findall(r"(Trainable|Non-trainable) params: ([\d,]+)", text)
    assert counts["layerwise"] == counts["keras"] == [("Trainable", "5"), ("Non-trainable", "24")]


def test_trainable_change_takes_effect_at_compile():
    L = layerwise.layers
    base = layerwise.Sequential([layerwise.Input((5,)), L.Dense(4)], name="base")
    x = layerwise.Input((5,))
    model = layerwise.Model(x, L.Dense(1)(base(x)))
    optimizer = layerwise.optimizers.SGD(0.1)
    model.compile(optimizer, "mse")
    data, target = RNG.random((16, 5)), RNG.random((16, 1))
    model.fit(data, target, verbose=0)
    base.trainable = False
    frozen = [w.numpy() for w in base.weights]
    model.compile(optimizer, "mse")
    model.fit(data, target, verbose=0, epochs=2)
    for before, after in zip(frozen, base.get_weights()):
        np.testing.assert_array_equal(before, after)
    base.trainable = True
    model.compile(optimizer, "mse")  # same optimizer instance: rebuilt for the new weights
    model.fit(data, target, verbose=0)
    assert any(not np.array_equal(b, a) for b, a in zip(frozen, base.get_weights()))


class _Scale(layerwise.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class _Subclassed(layerwise.Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layerwise.layers.Dense(units, activation="relu")
        self.scale = _Scale(0.5)
        self.out = layerwise.layers.Dense(1)

    def call(self, x):
        return self.out(self.scale(self.hidden(x)))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_subclassed_model_trains_and_round_trips(capsys):
    model = _Subclassed(units=6)
    x, y = RNG.random((32, 3)).astype("float32"), RNG.random((32, 1)).astype("float32")
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (32, 1)
    assert len(model.trainable_weights) == 5  # hidden (2), scale (1), out (2)
    model.summary()
    assert "Trainable params: 37 (148.00 B)" in capsys.readouterr().out
    clone = _Subclassed.from_config(model.get_config())
    clone(x[:1])
    assert clone.count_params() == model.count_params()
    layer = _Scale.from_config(_Scale(3.0).get_config())
    assert layer.factor == 3.0


def test_functional_config_round_trip_keeps_structure():
    model = _nested(layerwise)
    config = model.get_config()
    json.dumps(config)
    clone = layerwise.models.Functional.from_config(config)
    clone.set_weights(model.get_weights())
    x = _inputs([(4,)])
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    assert isinstance(clone.get_layer("inner"), layerwise.Sequential)


def test_model_is_a_torch_module():
    model = _two_input(layerwise)
    x = [torch.rand(3, 4), torch.rand(3, 3)]
    out = model(x)
    assert isinstance(out, torch.Tensor) and out.shape == (3, 2)
    names = [n for n, _ in model.named_parameters()]
    assert "dense.kernel" in names and "out.bias" in names


@pytest.mark.keras
@pytest.mark.parametrize("options", [{"expand_nested": True}, {"show_trainable": True},
                                     {"expand_nested": True, "show_trainable": True}])
def test_summary_options_match_keras(keras, monkeypatch, options):
    monkeypatch.setenv("COLUMNS", "80")

    def text(K):
        K.backend.clear_session()
        L = K.layers
        inner = K.Sequential([K.Input((8,)), L.Dense(4, name="h"), L.Dense(3)], name="inner")
        inner.layers[0].trainable = False
        x = K.Input((8,), name="x")
        model = K.Model(x, L.Dense(2, name="top")(inner(x)), name="outer")
        lines = []
        model.summary(print_fn=lambda s, **kw: lines.append(s), **options)
        return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))

    assert text(layerwise) == text(keras)


@pytest.mark.keras
def test_feature_extraction_from_sequential(keras):
    outputs = {}
    for K in (keras, layerwise):
        K.backend.clear_session()
        L = K.layers
        base = K.Sequential([K.Input((8,)), L.Dense(4, name="block1"), L.Dense(3)], name="base")
        features = K.Model(base.inputs[0], base.get_layer("block1").output)
        outputs[K.__name__] = (features, base)
    (kf, kb), (lf, lb) = outputs["keras"], outputs["layerwise"]
    lb.set_weights(kb.get_weights())
    x = RNG.random((5, 8)).astype("float32")
    np.testing.assert_allclose(lf.predict(x, verbose=0), kf.predict(x, verbose=0), rtol=1e-5)
    assert lf.count_params() == kf.count_params() == 36
