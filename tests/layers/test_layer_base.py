"""The `Layer` contract: names, weights, freezing, losses, custom layers, nn.Module interop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as keras

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")


def small_model(**dense_kwargs):
    return keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(5, activation="relu", **dense_kwargs),
        keras.layers.Dense(3, activation="softmax"),
    ])


def blobs(n=48, in_dim=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    x = rng.normal(scale=0.5, size=(n, in_dim)).astype("float32")
    x[np.arange(n), y] += 2.0
    return x, y


# ------------------------------------------------------------------- names
def test_names_are_numbered_per_class_and_reset_by_clear_session():
    names = [keras.layers.Dense(2).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert keras.layers.Dropout(0.1).name == "dropout"
    assert keras.layers.ActivityRegularization().name == "activity_regularization"
    assert keras.layers.RepeatVector(2).name == "repeat_vector"
    assert keras.Sequential().name == "sequential"
    assert keras.Sequential().name == "sequential_1"
    keras.backend.clear_session(free_memory=False)
    assert keras.layers.Dense(2).name == "dense"
    assert keras.Sequential().name == "sequential"


def test_explicit_names_are_kept_and_checked():
    assert keras.layers.Dense(2, name="hidden").name == "hidden"
    assert keras.layers.Dense(2).name == "dense"  # an explicit name takes no number
    with pytest.raises(TypeError, match="name"):
        keras.layers.Dense(2, name=3)


@pytest.mark.keras
def test_auto_names_match_keras(request):
    real = request.getfixturevalue("keras")
    real.backend.clear_session(free_memory=False)

    def names(m):
        layers = m.layers
        objs = [layers.Dense(2), layers.Dense(2), layers.Activation("relu"), layers.Flatten(),
                layers.Reshape((2,)), layers.Permute((1,)), layers.RepeatVector(2),
                layers.Dropout(0.1), layers.ActivityRegularization(), layers.Identity(),
                m.Sequential(), m.Sequential()]
        return [o.name for o in objs]

    assert names(keras) == names(real)


# ----------------------------------------------------------------- weights
def test_weights_order_and_trainable_split():
    class WithState(keras.layers.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(name="count", shape=(), initializer="zeros",
                                         trainable=False)
            self.scale = self.add_weight(name="scale", shape=(input_shape[-1],),
                                         initializer="ones")
            self.inner = keras.layers.Dense(2, name="inner")

        def call(self, x):
            return self.inner(x * self.scale)

    layer = WithState()
    layer(torch.ones(1, 3))
    assert [w.name for w in layer.weights] == ["scale", "count", "kernel", "bias"]
    assert [w.path for w in layer.weights] == ["with_state/scale", "with_state/count",
                                               "inner/kernel", "inner/bias"]
    assert [w.name for w in layer.trainable_weights] == ["scale", "kernel", "bias"]
    assert [w.name for w in layer.non_trainable_weights] == ["count"]
    assert layer.count_params() == 1 + 3 + 6 + 2
    assert [w.shape for w in layer.get_weights()] == [(3,), (), (3, 2), (2,)]


def test_model_weights_follow_layer_order():
    model = small_model()
    assert [w.path for w in model.weights] == ["dense/kernel", "dense/bias", "dense_1/kernel",
                                               "dense_1/bias"]
    assert [w.shape for w in model.get_weights()] == [(4, 5), (5,), (5, 3), (3,)]


def test_set_weights_round_trip_and_errors():
    model = small_model()
    new = [np.full(w.shape, i, dtype="float32") for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    for a, b in zip(new, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # get_weights returns copies.
    model.get_weights()[0][...] = 99
    assert model.get_weights()[0].max() == 0

    layer = model.layers[0]
    with pytest.raises(ValueError) as info:
        layer.set_weights([np.zeros((4, 6)), np.zeros(5)])
    message = str(info.value)
    assert "'dense'" in message and "kernel" in message
    assert "(4, 5)" in message and "(4, 6)" in message
    with pytest.raises(ValueError) as info:
        model.set_weights(new[:3])
    assert "4" in str(info.value) and "3" in str(info.value)


def test_weights_are_torch_parameters_with_keras_methods():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    kernel = layer.kernel
    assert isinstance(kernel, torch.nn.Parameter)
    assert kernel.name == "kernel" and kernel.path == "dense/kernel" and kernel.trainable
    kernel.assign(np.ones((3, 2)))
    np.testing.assert_array_equal(kernel.numpy(), np.ones((3, 2)))
    kernel.assign_add(np.ones((3, 2)))
    kernel.assign_sub(0.5 * np.ones((3, 2)))
    np.testing.assert_array_equal(kernel.numpy(), np.full((3, 2), 1.5))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        kernel.assign(np.ones((2, 3)))


# ---------------------------------------------------------------- freezing
def test_trainable_false_freezes_the_layer_during_fit():
    x, y = blobs()
    model = small_model()
    frozen = model.layers[0]
    frozen.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])
    assert frozen.kernel.grad is None and not frozen.kernel.requires_grad
    assert frozen.trainable_weights == []
    assert [w.path for w in frozen.non_trainable_weights] == ["dense/kernel", "dense/bias"]
    assert [w.path for w in model.trainable_weights] == ["dense_1/kernel", "dense_1/bias"]
    assert [w.path for w in model.non_trainable_weights] == ["dense/kernel", "dense/bias"]

    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert " Trainable params: 18 (72.00 B)" in text
    assert " Non-trainable params: 25 (100.00 B)" in text


def test_trainable_at_construction_and_unfreezing():
    x, y = blobs()
    model = small_model(trainable=False)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    before = model.get_weights()[0]
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(before, model.get_weights()[0])
    # Unfreeze, recompile (as in Keras), train: now it moves.
    model.layers[0].trainable = True
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(before, model.get_weights()[0])


def test_freezing_the_whole_model():
    model = small_model()
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 4
    assert all(not layer.trainable for layer in model.layers)
    assert all(not p.requires_grad for p in model.parameters())


# --------------------------------------------------------------- shape args
@pytest.mark.parametrize("kwargs", [{"input_shape": (6,)}, {"input_dim": 6},
                                    {"batch_input_shape": (None, 6)}, {"input_shape": 6}])
def test_input_shape_kwargs_build_the_sequential(kwargs):
    model = keras.Sequential([keras.layers.Dense(4, **kwargs), keras.layers.Dense(2)])
    assert model.built
    assert tuple(model.input_shape) == (None, 6)
    assert tuple(model.output_shape) == (None, 2)
    assert model.count_params() == 6 * 4 + 4 + 4 * 2 + 2
    assert model.layers[0].get_config()["batch_input_shape"] == [None, 6]


def test_layer_input_shape_attribute():
    layer = keras.layers.Dense(3)
    with pytest.raises(AttributeError):
        _ = layer.input_shape
    layer(torch.ones(2, 5))
    assert layer.input_shape == (None, 5)
    assert layer.output_shape == (None, 3)


# ------------------------------------------------------------------ losses
def test_losses_property_collects_weight_and_activity_penalties():
    layer = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1),
                               kernel_initializer="ones", bias_initializer="zeros")
    layer.build((None, 3))
    assert len(layer.losses) == 1
    assert float(layer.losses[0].detach()) == pytest.approx(0.1 * 6)

    act = keras.layers.ActivityRegularization(l1=0.5)
    assert act.losses == []
    act(torch.full((4, 2), -1.0))
    assert len(act.losses) == 1
    # Keras 3: the activity penalty is divided by the batch size.
    assert float(act.losses[0]) == pytest.approx(0.5 * 8 / 4)

    model = keras.Sequential([keras.Input((3,)), layer, act])
    model(torch.ones(5, 3))
    assert len(model.losses) == 2


def test_add_loss_in_a_custom_layer_joins_the_training_loss():
    class Penalized(keras.layers.Layer):
        def call(self, x):
            self.add_loss(torch.tensor(7.0))
            return x

    model = keras.Sequential([keras.Input((2,)), Penalized(),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(7.0)
    assert model.train_on_batch(x, y) == pytest.approx(7.0)
    # A new call replaces (not accumulates) the layer's call losses.
    model(x)
    model(x)
    assert len(model.losses) == 1


# ----------------------------------------------------------- custom layers
class Scale(keras.layers.Layer):
    """y = x * w + b, one weight per feature."""

    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")
        self.b = self.add_weight(name="b", shape=(input_shape[-1],), initializer="zeros")

    def call(self, inputs):
        return inputs * self.w + self.b + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


def test_custom_layer_builds_lazily_and_trains_in_sequential():
    layer = Scale(offset=1.0)
    assert not layer.built and layer.weights == []
    model = keras.Sequential([keras.Input((3,)), layer, keras.layers.Dense(1)])
    assert layer.built and [w.path for w in layer.weights] == ["scale/w", "scale/b"]
    np.testing.assert_allclose(layer(np.zeros((2, 3), "float32")).detach().numpy(), 1.0)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    assert not np.array_equal(layer.get_weights()[0], np.ones(3))
    restored = Scale.from_config(layer.get_config())
    assert restored.offset == 1.0 and restored.name == "scale"


def test_custom_layer_training_flag_is_passed_down():
    seen = []

    class Spy(keras.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    model = keras.Sequential([keras.Input((2,)), Spy(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, verbose=0)
    assert seen[-1] is True
    model.predict(x, verbose=0)
    assert seen[-1] is False
    model.evaluate(x, y, verbose=0)
    assert seen[-1] is False
    model(x, training=True)
    assert seen[-1] is True


def test_dropout_is_active_only_in_training():
    layer = keras.layers.Dropout(0.5)
    x = torch.ones(200, 10)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())  # default: inference
    out = layer(x, training=True).numpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    assert 0.3 < (out == 0).mean() < 0.7


# ---------------------------------------------------------- torch interop
def test_model_is_an_nn_module_with_state_dict_and_parameters():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(2)])
    assert isinstance(model, torch.nn.Module)
    assert list(model.state_dict()) == ["hidden.kernel", "hidden.bias", "dense.kernel",
                                        "dense.bias"]
    params = list(model.parameters())
    assert len(params) == 4 and all(p is w for p, w in zip(params, model.weights, strict=True))
    # A state dict moves weights between two models (same names: fresh session).
    keras.backend.clear_session(free_memory=False)
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(2)])
    other.load_state_dict(model.state_dict())
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_plain_torch_training_loop():
    x, y = blobs(n=96)
    model = small_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    model.train()
    for _ in range(30):
        optimizer.zero_grad()
        probs = model(xt)
        loss = torch.nn.functional.nll_loss(torch.log(probs), yt)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0]
    # The Keras API sees the weights the torch loop trained.
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    loss, acc = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(losses[-1], rel=0.2) and acc > 0.85


def test_deepcopy_gives_independent_weights():
    import copy

    model = small_model()
    clone = copy.deepcopy(model)
    clone.layers[0].kernel.assign(np.zeros((4, 5)))
    assert not np.array_equal(model.get_weights()[0], clone.get_weights()[0])
    assert clone.layers[0].kernel.path == "dense/kernel"


@pytest.mark.slow
def test_torch_compile_tiny_model():
    model = small_model()
    compiled = torch.compile(model)
    x = torch.randn(8, 4)
    np.testing.assert_allclose(compiled(x).detach().numpy(), model(x).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_weights_created_in_init_and_layers_without_compute_output_shape():
    class Linear(keras.layers.Layer):
        def __init__(self, units=2, input_dim=3, **kwargs):
            super().__init__(**kwargs)
            self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal")
            self.b = self.add_weight(shape=(units,), initializer="zeros")

        def call(self, x):
            return x @ self.w + self.b

    class Double(keras.layers.Layer):  # no build, no compute_output_shape
        def call(self, x):
            return 2 * x

    linear = Linear()
    assert [tuple(w.shape) for w in linear.weights] == [(3, 2), (2,)]
    model = keras.Sequential([keras.Input((3,)), Double(), linear])
    assert model.output_shape == (None, 2)
    assert model.layers[0].output_shape == (None, 3)
    assert model.count_params() == 8
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = linear.get_weights()[0]
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    assert not np.array_equal(before, linear.get_weights()[0])
    np.testing.assert_allclose(model.predict(np.ones((1, 3)), verbose=0),
                               (2 * np.ones((1, 3))) @ linear.get_weights()[0]
                               + linear.get_weights()[1], rtol=1e-6)


def test_subclassed_model_trains_with_the_keras_api():
    class TwoLayers(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(8, activation="relu")
            self.dropout = keras.layers.Dropout(0.2)
            self.out = keras.layers.Dense(3, activation="softmax")

        def call(self, x, training=None):
            return self.out(self.dropout(self.hidden(x), training=training))

    x, y = blobs()
    model = TwoLayers()
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert [w.path for w in model.weights] == ["dense/kernel", "dense/bias", "dense_1/kernel",
                                               "dense_1/bias"]
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    assert model.evaluate(x, y, verbose=0)[1] > 0.8
    np.testing.assert_allclose(model.predict(x, verbose=0).sum(axis=1), 1.0, rtol=1e-5)
