"""Keras 2 habits (History spellings, the classic GAN loop) and the model API Keras 3 code
relies on (metrics after compile, compile without a loss, tuple/dict outputs, stateless
metrics), compared with real Keras 3 where it has the same behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import layerwise as lw

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(3)
X = RNG.random((16, 4)).astype("float32")
Y = (RNG.random((16, 1)) > 0.5).astype("float32")


def test_history_answers_to_keras2_and_keras3_spellings():
    model = lw.Sequential([lw.Input((4,)), lw.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", "mae"])
    history = model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y)).history
    assert list(history) == ["accuracy", "loss", "mae", "val_accuracy", "val_loss", "val_mae"]
    assert history["acc"] is history["accuracy"]
    assert history["val_acc"] is history["val_accuracy"]
    assert history["mean_absolute_error"] is history["mae"]
    assert history["val_mean_absolute_error"] is history["val_mae"]
    assert "val_acc" in history and history.get("acc") == history["accuracy"]
    with pytest.raises(KeyError):
        history["precision"]


def test_history_keeps_acc_when_acc_is_asked_for(keras):
    def keys(library):
        model = library.Sequential([library.Input((4,)),
                                    library.layers.Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy", metrics=["acc"])
        return list(model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y)).history)

    assert keys(lw) == keys(keras) == ["acc", "loss", "val_acc", "val_loss"]
    history = lw.Sequential([lw.Input((4,)), lw.layers.Dense(1, activation="sigmoid")])
    history.compile("sgd", "binary_crossentropy", metrics=["acc"])
    logged = history.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y)).history
    assert logged["val_accuracy"] is logged["val_acc"]


def test_keras2_gan_loop_trains_discriminator_and_keeps_it_frozen_in_the_gan():
    discriminator = lw.Sequential([lw.Input((4,)), lw.layers.Dense(8, activation="relu"),
                                   lw.layers.Dense(1, activation="sigmoid")])
    discriminator.compile(optimizer=lw.optimizers.Adam(1e-2), loss="binary_crossentropy")
    discriminator.trainable = False
    generator = lw.Sequential([lw.Input((2,)), lw.layers.Dense(4)])
    z = lw.Input((2,))
    gan = lw.Model(z, discriminator(generator(z)))
    gan.compile(optimizer=lw.optimizers.Adam(1e-2), loss="binary_crossentropy")
    assert len(gan.trainable_weights) == 2
    with pytest.warns(UserWarning, match="has changed since the model was compiled"):
        for _ in range(2):
            d0 = [w.copy() for w in discriminator.get_weights()]
            discriminator.train_on_batch(X, Y)
            d1 = [w.copy() for w in discriminator.get_weights()]
            g0 = [w.copy() for w in generator.get_weights()]
            gan.train_on_batch(RNG.random((16, 2)), np.ones((16, 1)))
            assert all(not np.array_equal(a, b) for a, b in zip(d0, d1))
            assert all(np.array_equal(a, b) for a, b in zip(d1, discriminator.get_weights()))
            assert all(not np.array_equal(a, b) for a, b in zip(g0, generator.get_weights()))
    assert not any(w.requires_grad for w in discriminator.weights)  # still frozen


class _TwoHeads(lw.Model):
    def __init__(self, as_dict):
        super().__init__()
        self.as_dict = as_dict
        self.a = lw.layers.Dense(2)
        self.b = lw.layers.Dense(1)

    def call(self, x):
        a, b = self.a(x), self.b(x)
        return {"a": a, "b": b} if self.as_dict else (a, b)


def test_subclassed_model_with_dict_outputs_fits_with_keras_keys(keras):
    model = _TwoHeads(as_dict=True)
    model.compile("sgd", {"a": "mse", "b": "mse"})
    targets = {"a": np.zeros((16, 2)), "b": np.zeros((16, 1))}
    history = model.fit(X, targets, epochs=1, verbose=0)
    assert sorted(history.history) == ["a_loss", "b_loss", "loss"]


def test_subclassed_model_with_tuple_outputs_fits():
    model = _TwoHeads(as_dict=False)
    model.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mae"]])
    model(X[:1])  # builds the weights
    before = model.b.trainable_weights[0].numpy()
    history = model.fit(X, (np.zeros((16, 2)), np.zeros((16, 1))), epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "output_0_loss", "output_0_mae",
                                       "output_1_loss", "output_1_mae"]
    assert not np.array_equal(model.b.trainable_weights[0].numpy(), before)


def test_compile_without_loss_and_a_train_step_computing_its_own():
    class OwnLoss(lw.Model):
        def __init__(self):
            super().__init__()
            self.dense = lw.layers.Dense(1)
            self.tracker = lw.metrics.Mean(name="loss")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            loss = torch.mean((self(x, training=True) - y) ** 2)
            loss.backward()
            weights = self.trainable_weights
            self.optimizer.apply([w.value.grad for w in weights], weights)
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

    model = OwnLoss()
    model.compile(optimizer=lw.optimizers.SGD(0.1))
    history = model.fit(X, Y, epochs=3, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert [m.name for m in model.metrics] == ["loss", "loss"]  # tracker listed, as Keras


def test_metrics_listed_after_compile_before_fit(keras):
    def names(library):
        model = library.Sequential([library.Input((4,)), library.layers.Dense(2)])
        model.compile("sgd", "mse", metrics=["mae"])
        return [m.name for m in model.metrics]

    assert names(lw) == names(keras) == ["loss", "compile_metrics"]


def test_callback_hooks_receive_empty_dicts_like_keras(keras):
    def record(library):
        seen = {}

        class Recorder(library.callbacks.Callback):
            pass

        recorder = Recorder()
        for hook in ("on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                     "on_test_begin", "on_test_batch_begin", "on_predict_begin",
                     "on_predict_end", "on_predict_batch_begin"):
            def method(*args, _hook=hook, logs=None):
                seen.setdefault(_hook, args[-1] if logs is None else logs)
            setattr(recorder, hook, method)
        model = library.Sequential([library.Input((4,)), library.layers.Dense(1)])
        model.compile("sgd", "mse")
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[recorder])
        model.predict(X, verbose=0, callbacks=[recorder])
        return seen

    ours = record(lw)
    assert ours == record(keras)
    assert all(v == {} for v in ours.values())


@pytest.mark.parametrize("name", ["Mean", "MeanSquaredError", "Accuracy", "AUC"])
def test_stateless_metric_api_matches_keras(keras, name):
    y_true = (RNG.random((8, 1)) > 0.5).astype("float32")
    y_pred = RNG.random((8, 1)).astype("float32")

    def run(library):
        metric = getattr(library.metrics, name)()
        args = (y_pred,) if name == "Mean" else (y_true, y_pred)
        state = metric.variables
        state = metric.stateless_update_state(state, *args)
        state = metric.stateless_update_state(state, *args)
        own = float(np.asarray(metric.result()))
        reset = sum(float(np.asarray(v).sum()) for v in metric.stateless_reset_state())
        return float(np.asarray(metric.stateless_result(state))), own, len(state), reset

    assert run(lw) == pytest.approx(run(keras), rel=1e-5)


def test_variable_value_is_live_for_custom_loops():
    layer = lw.layers.Dense(1)
    optimizer = lw.optimizers.SGD(0.5)
    x = torch.ones(2, 3)
    loss = layer(x).sum()
    loss.backward()
    grads = [w.value.grad for w in layer.trainable_weights]
    assert all(g is not None for g in grads)
    kernel = layer.kernel.numpy()
    optimizer.apply_gradients(zip(grads, layer.trainable_weights))
    np.testing.assert_allclose(layer.kernel.numpy(), kernel - 0.5 * 2.0, rtol=1e-6)
    assert int(optimizer.iterations) == 1
    assert len(optimizer.variables) == 2  # iteration, learning rate (SGD has no slots)
    layer.kernel.assign_sub(np.ones((3, 1), "float32"))
    layer.kernel.assign_add(np.ones((3, 1), "float32"))
    np.testing.assert_allclose(layer.kernel.numpy(), kernel - 1.0, rtol=1e-6)
    assert layer.kernel.trainable


def test_no_warning_when_trainable_state_is_unchanged():
    model = lw.Sequential([lw.Input((4,)), lw.layers.Dense(1)])
    model.compile("sgd", "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(X, Y, epochs=1, verbose=0)
        model.train_on_batch(X, Y)
        model.evaluate(X, Y, verbose=0)
