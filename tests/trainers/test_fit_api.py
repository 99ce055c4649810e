"""`compile`/`fit`/`evaluate`/`predict`: the Keras behaviours tutorials rely on."""

from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise.callbacks import Callback, History

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")


def classifier(in_dim=6, classes=3, hidden=8, **compile_kwargs):
    model = keras.Sequential([
        keras.Input((in_dim,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(classes, activation="softmax"),
    ])
    options = {"optimizer": keras.optimizers.SGD(0.1), "loss": "sparse_categorical_crossentropy",
               "metrics": ["accuracy"]}
    options.update(compile_kwargs)
    model.compile(**options)
    return model


def blobs(n=60, in_dim=6, classes=3, seed=0):
    """Separable classes: class k is centred on 3 * e_k."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    x = rng.normal(scale=0.5, size=(n, in_dim)).astype("float32")
    x[np.arange(n), y] += 3.0
    return x, y


class Counter(Callback):
    def __init__(self):
        super().__init__()
        self.train_batches = 0
        self.test_batches = 0
        self.epochs = []

    def on_train_batch_end(self, batch, logs=None):
        self.train_batches += 1

    def on_test_batch_end(self, batch, logs=None):
        self.test_batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


# ------------------------------------------------------------------- history
def test_history_keys_for_acc_are_sorted_like_keras():
    x, y = blobs()
    history = classifier(metrics=["acc"]).fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert list(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert all(len(v) == 2 for v in history.history.values())
    assert history.epoch == [0, 1]


def test_history_keys_for_accuracy_and_mse():
    x, y = blobs()
    model = classifier(loss="categorical_crossentropy", metrics=["accuracy", "mse"])
    history = model.fit(x, keras.utils.to_categorical(y, 3), epochs=1, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "mse"]
    assert model.metrics_names == ["loss", "compile_metrics"]  # Keras 3


@pytest.mark.keras
def test_history_keys_match_keras(request):
    real = request.getfixturevalue("keras")
    x, y = blobs()
    y1 = keras.utils.to_categorical(y, 3)
    for metrics in (["acc"], ["accuracy", "mse"], ["mae", "acc", "mse"]):
        real.backend.clear_session(free_memory=False)
        k_model = real.Sequential([real.Input((6,)), real.layers.Dense(3, activation="softmax")])
        k_model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=metrics)
        expected = k_model.fit(x, y1, epochs=1, validation_split=0.2, verbose=0).history
        l_model = classifier(loss="categorical_crossentropy", metrics=metrics)
        got = l_model.fit(x, y1, epochs=1, validation_split=0.2, verbose=0).history
        assert list(got) == list(expected), metrics
        # evaluate's list order, and return_dict's keys.
        assert len(l_model.evaluate(x, y1, verbose=0)) == len(metrics) + 1
        assert (list(l_model.evaluate(x, y1, verbose=0, return_dict=True))
                == list(k_model.evaluate(x, y1, verbose=0, return_dict=True)))


def test_history_is_a_plain_picklable_dict_and_has_params():
    x, y = blobs()
    model = classifier()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert isinstance(history, History)
    assert model.history is history
    assert isinstance(history.history, dict)  # a dict answering to Keras 2 spellings too
    assert all(type(v) is list and all(type(f) is float for f in v)
               for v in history.history.values())
    restored = pickle.loads(pickle.dumps(history.history))
    assert restored == history.history
    # The History object pickles too (without the model).
    assert pickle.loads(pickle.dumps(history)).history == history.history
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 4}


def test_history_params_steps_follow_batch_size_and_validation_split():
    x, y = blobs(n=100)
    history = classifier().fit(x, y, epochs=1, batch_size=32, validation_split=0.2, verbose=0)
    assert history.params["steps"] == 3  # 80 training samples


# ------------------------------------------------------------------ evaluate
def test_evaluate_returns_loss_then_metrics_in_compile_order():
    x, y = blobs()
    y1 = keras.utils.to_categorical(y, 3)
    model = classifier(loss="categorical_crossentropy", metrics=["mse", "accuracy", "mae"])
    values = model.evaluate(x, y1, verbose=0)
    as_dict = model.evaluate(x, y1, verbose=0, return_dict=True)
    assert isinstance(values, list) and len(values) == 4
    assert set(as_dict) == {"loss", "mse", "accuracy", "mae"}
    assert values == [as_dict["loss"], as_dict["mse"], as_dict["accuracy"], as_dict["mae"]]
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(as_dict["mse"], np.mean((probs - y1) ** 2), rtol=1e-5)
    np.testing.assert_allclose(as_dict["mae"], np.mean(np.abs(probs - y1)), rtol=1e-5)
    assert 0.0 <= as_dict["accuracy"] <= 1.0


def test_evaluate_without_metrics_returns_a_float():
    x, y = blobs()
    model = classifier(metrics=None)
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    probs = model.predict(x, verbose=0)
    expected = -np.mean(np.log(probs[np.arange(len(y)), y]))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_predict_argmax_agrees_with_evaluate_accuracy():
    x, y = blobs(n=203)
    model = classifier()
    model.fit(x, y, epochs=2, verbose=0)
    _, accuracy = model.evaluate(x, y, batch_size=50, verbose=0)
    probs = model.predict(x, batch_size=64, verbose=0)
    assert isinstance(probs, np.ndarray) and probs.shape == (203, 3)
    assert probs.dtype == np.float32
    assert abs(accuracy - np.mean(probs.argmax(axis=1) == y)) < 1e-6
    # One-hot labels and categorical accuracy agree too.
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    _, accuracy_1h = model.evaluate(x, keras.utils.to_categorical(y, 3), verbose=0)
    assert abs(accuracy_1h - accuracy) < 1e-6


def test_model_call_on_numpy_returns_torch_and_predict_numpy():
    x, _ = blobs(n=5)
    model = classifier()
    out = model(x)
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (5, 3)
    pred = model.predict(x, verbose=0)
    assert isinstance(pred, np.ndarray)
    np.testing.assert_allclose(out.detach().numpy(), pred, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), pred, rtol=1e-6)
    # float64 input is computed in float32 and gives the same values.
    np.testing.assert_allclose(model(x.astype("float64")).detach().numpy(), pred, rtol=1e-6)


# --------------------------------------------------------------- validation
def test_validation_split_takes_the_last_fraction():
    """A frozen zero model predicts 0: the loss on a split is the mean of its y**2."""
    n = 50
    x = np.ones((n, 2), dtype="float32")
    y = np.zeros((n, 1), dtype="float32")
    y[-10:] = 10.0  # only the last 20% are non-zero
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, shuffle=True,
                        verbose=0)
    assert history.history["loss"] == [0.0, 0.0]
    assert history.history["val_loss"] == [100.0, 100.0]
    assert history.params["steps"] == 5  # ceil(40 / 8)


def test_validation_data_tuple_and_sample_weight():
    x, y = blobs()
    xv, yv = blobs(n=20, seed=1)
    model = classifier()
    counter = Counter()
    history = model.fit(x, y, epochs=2, batch_size=16, validation_data=(xv, yv), verbose=0,
                        callbacks=[counter])
    assert counter.test_batches == 4  # 20 samples, batch_size 16: 2 batches per epoch
    val = model.evaluate(xv, yv, verbose=0, return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(val["loss"], rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(val["accuracy"], rel=1e-5)
    # A three-tuple weighs the validation loss.
    sw = np.zeros(20, dtype="float32")
    history = model.fit(x, y, epochs=1, validation_data=(xv, yv, sw), verbose=0)
    assert history.history["val_loss"] == [0.0]


def test_validation_batch_size_and_freq():
    x, y = blobs()
    counter = Counter()
    history = classifier().fit(x, y, epochs=4, validation_data=(x, y), validation_batch_size=7,
                               validation_freq=2, verbose=0, callbacks=[counter])
    assert counter.test_batches == 2 * 9  # epochs 2 and 4, ceil(60 / 7) batches
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_loss"]) == 2


# ------------------------------------------------------------ weights
def test_fit_sample_weight_scales_the_loss():
    x, y = blobs()
    model = classifier(optimizer=keras.optimizers.SGD(0.0))
    base = model.fit(x, y, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    doubled = model.fit(x, y, sample_weight=np.full(60, 2.0), epochs=1, shuffle=False,
                        verbose=0).history["loss"][0]
    assert doubled == pytest.approx(2 * base, rel=1e-5)
    # Zero weights: zero loss and, with a real learning rate, no update.
    model = classifier()
    before = model.get_weights()
    history = model.fit(x, y, sample_weight=np.zeros(60), epochs=1, verbose=0)
    assert history.history["loss"] == [0.0]
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_class_weight_weighs_by_label():
    x, y = blobs()
    model = classifier(optimizer=keras.optimizers.SGD(0.0))
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(60), y])
    class_weight = {0: 0.0, 1: 1.0, 2: 3.0}
    weights = np.array([class_weight[int(c)] for c in y])
    history = model.fit(x, y, class_weight=class_weight, batch_size=60, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.mean(per_sample * weights), rel=1e-5)


# ------------------------------------------------------------- determinism
def test_shuffle_false_is_deterministic():
    x, y = blobs()
    model = classifier()
    initial = model.get_weights()
    h1 = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    w1 = model.get_weights()
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    keras.utils.set_random_seed(999)  # a different seed: no randomness is involved
    h2 = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    assert h1 == h2
    for a, b in zip(w1, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_shuffle_true_depends_on_the_seed():
    """The counterpart: shuffled batches give a different trajectory (so the test above can
    fail if shuffle=False shuffled)."""
    x, y = blobs()
    model = classifier()
    initial = model.get_weights()
    h1 = model.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0).history
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    keras.utils.set_random_seed(999)
    h2 = model.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0).history
    assert h1["loss"] != h2["loss"]


def test_set_random_seed_makes_fits_identical():
    x, y = blobs()

    def run():
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dropout(0.3),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
        return history.history, model.get_weights()

    (h1, w1), (h2, w2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    keras.utils.set_random_seed(43)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16)])
    assert not np.array_equal(model.get_weights()[0], w1[0])


# ---------------------------------------------------------------- epochs
def test_multi_epoch_training_learns():
    x, y = blobs(n=120)
    model = classifier()
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 8
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["accuracy"][-1] > 0.9


def test_initial_epoch(capsys):
    x, y = blobs()
    counter = Counter()
    history = classifier().fit(x, y, epochs=3, initial_epoch=1, verbose=2, callbacks=[counter])
    assert counter.epochs == [1, 2]
    assert history.epoch == [1, 2]
    assert len(history.history["loss"]) == 2
    out = capsys.readouterr().out
    assert "Epoch 2/3" in out and "Epoch 3/3" in out and "Epoch 1/3" not in out


# ------------------------------------------------------------------- data
def test_python_generator_with_steps_per_epoch():
    """The `repeat().shuffle().batch()` idiom written as an endless generator."""
    x, y = blobs(n=64)
    pulled = []

    def batches(batch_size=16):
        rng = np.random.default_rng(0)
        while True:
            order = rng.permutation(len(x))
            for i in range(0, len(x), batch_size):
                idx = order[i:i + batch_size]
                pulled.append(len(idx))
                yield x[idx], y[idx]

    model = classifier()
    counter = Counter()
    history = model.fit(batches(), steps_per_epoch=5, epochs=3, verbose=0, callbacks=[counter])
    assert counter.train_batches == 15
    assert len(pulled) == 15  # the generator is not over-consumed
    assert history.params["steps"] == 5
    assert len(history.history["loss"]) == 3
    assert model.evaluate(batches(), steps=4, verbose=0)[1] > 0.5
    assert model.predict(batches(), steps=2, verbose=0).shape == (32, 3)


def test_finite_generator_runs_out_of_data_with_a_warning():
    x, y = blobs(n=32)
    gen = ((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8))
    counter = Counter()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = classifier().fit(gen, steps_per_epoch=3, epochs=3, verbose=0,
                                   callbacks=[counter])
    assert counter.train_batches == 4
    assert len(history.history["loss"]) == 2


class ReIterable:
    """An iterable (not a list, not a generator) of batches, iterated anew each time."""

    def __init__(self, batches):
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)


def test_list_of_batches_is_reiterated_each_epoch():
    x, y = blobs(n=40)
    batches = [(x[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)]
    counter = Counter()
    history = classifier().fit(batches, epochs=3, verbose=0, callbacks=[counter],
                               validation_data=ReIterable(batches[:2]))
    assert counter.train_batches == 12
    assert counter.test_batches == 6
    assert history.params["steps"] == 4
    assert len(history.history["val_loss"]) == 3


def test_torch_dataloader():
    x, y = blobs(n=50)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, shuffle=True)
    model = classifier()
    counter = Counter()
    history = model.fit(loader, epochs=4, verbose=0, callbacks=[counter])
    assert counter.train_batches == 16
    assert history.params["steps"] == 4
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, acc = model.evaluate(loader, verbose=0)
    ref_loss, ref_acc = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(ref_loss, rel=1e-5) and acc == pytest.approx(ref_acc)
    plain = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x)),
                                        batch_size=16)
    np.testing.assert_allclose(model.predict(plain, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_torch_tensors_as_x_and_y():
    x, y = blobs()
    model = classifier()
    initial = model.get_weights()
    h_np = model.fit(x, y, epochs=2, shuffle=False, verbose=0).history
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h_t = model.fit(torch.from_numpy(x), torch.from_numpy(y), epochs=2, shuffle=False,
                    verbose=0).history
    assert h_np == h_t
    assert isinstance(model.predict(torch.from_numpy(x), verbose=0), np.ndarray)


@pytest.mark.parametrize("dtype", ["uint8", "float64", "int64"])
def test_input_dtypes_are_converted_to_floatx(dtype):
    rng = np.random.default_rng(0)
    x_int = rng.integers(0, 255, size=(40, 6))
    y = rng.integers(0, 3, size=40)
    x = x_int.astype(dtype)
    model = classifier(optimizer=keras.optimizers.SGD(1e-4))
    ref = model.evaluate(x_int.astype("float32"), y, verbose=0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(ref, rel=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.predict(x_int.astype("float32"), verbose=0), rtol=1e-6)
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_float64_targets_and_python_lists():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit([[0.0, 1.0], [1.0, 0.0]], [[1.0], [2.0]], epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict([[0.0, 1.0]], verbose=0).shape == (1, 1)


# ------------------------------------------------------------- deprecated
def test_generator_methods_warn_and_work():
    x, y = blobs(n=32)

    def gen():
        while True:
            for i in range(0, 32, 8):
                yield x[i:i + 8], y[i:i + 8]

    model = classifier()
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = model.fit_generator(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        result = model.evaluate_generator(gen(), steps=4)
    assert result == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        pred = model.predict_generator((x[i:i + 8] for i in range(0, 32, 8)), steps=4)
    np.testing.assert_allclose(pred, model.predict(x, verbose=0), rtol=1e-6)


# ---------------------------------------------------------------- on batch
def test_train_and_test_on_batch():
    x, y = blobs(n=16)
    model = classifier()
    before = model.get_weights()
    loss, acc = model.train_on_batch(x, y)
    assert not np.array_equal(before[0], model.get_weights()[0])
    assert isinstance(loss, float) and 0 <= acc <= 1
    test = model.test_on_batch(x, y, return_dict=True)
    assert test == model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    # Each train_on_batch reports its own batch (Keras 3 resets the metrics).
    x2, y2 = blobs(n=16, seed=5)
    model2 = classifier(optimizer=keras.optimizers.SGD(0.0))
    model2.train_on_batch(x, y)
    second = model2.train_on_batch(x2, y2, return_dict=True)
    assert second == model2.test_on_batch(x2, y2, return_dict=True)


# ----------------------------------------------------------------- control
def test_stop_training_from_a_callback():
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = blobs()
    history = classifier().fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert history.epoch == [0, 1]


def test_stop_training_inside_an_epoch_stops_at_the_batch():
    class StopAtBatch(Callback):
        def __init__(self):
            super().__init__()
            self.seen = 0

        def on_train_batch_end(self, batch, logs=None):
            self.seen += 1
            if batch == 2:
                self.model.stop_training = True

    x, y = blobs(n=80)
    cb = StopAtBatch()
    history = classifier().fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[cb])
    assert cb.seen == 3
    assert len(history.history["loss"]) == 1


# ----------------------------------------------------------------- verbose
EPOCH_LINE = re.compile(
    r"^\d+/\d+ - \d+s - \d+(us|ms|s)/step - acc: \d\.\d{4} - loss: \d+\.\d{4}"
    r" - val_acc: \d\.\d{4} - val_loss: \d+\.\d{4}$")


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = blobs()
    classifier(metrics=["acc"]).fit(x, y, epochs=2, batch_size=16, validation_split=0.2,
                                    verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4, lines
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    for line in (lines[1], lines[3]):
        assert EPOCH_LINE.match(line), line
        assert line.startswith("3/3 - ")


def test_verbose_2_single_epoch_has_no_epoch_header(capsys):
    x, y = blobs()
    classifier(metrics=["acc"]).fit(x, y, epochs=1, validation_split=0.2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and EPOCH_LINE.match(lines[0]), lines


def test_verbose_0_prints_nothing(capsys):
    x, y = blobs()
    model = classifier()
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_auto_is_per_epoch_when_not_a_tty(capsys):
    x, y = blobs()
    model = classifier(metrics=["acc"])
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and EPOCH_LINE.match(lines[1]) and EPOCH_LINE.match(lines[3]), lines
    model.evaluate(x, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert re.match(r"^2/2 - \d+s - \d+(us|ms|s)/step - acc: \d\.\d{4} - loss: \d+\.\d{4}$",
                    lines[0]), lines


def test_verbose_1_draws_the_bar(capsys):
    x, y = blobs()
    classifier().fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "━" in out and "\x1b[32m" in out  # the bar, with its colours
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    final = (r"4/4 ━{20} \d+s \d+(?:us|ms|s)/step - accuracy: \d\.\d{4} - "
             r"loss: \d+\.\d{4} *\n")
    first, second = plain.split("Epoch 2/2")
    # Each epoch ends on its final line; a step slower than the redraw interval may also
    # have drawn 4/4 just before it (Keras' progress bar does the same).
    for epoch in (first, second):
        assert re.search(final + r"\s*$", epoch), plain


def test_invalid_verbose_raises():
    x, y = blobs()
    with pytest.raises(ValueError, match="verbose"):
        classifier().fit(x, y, verbose=3)


def test_unknown_fit_argument_raises_type_error():
    x, y = blobs()
    with pytest.raises(TypeError, match="nb_epoch"):
        classifier().fit(x, y, nb_epoch=2)


def test_legacy_multiprocessing_arguments_are_accepted():
    x, y = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classifier().fit(x, y, epochs=1, verbose=0, workers=4, use_multiprocessing=True,
                         max_queue_size=3)


@pytest.mark.keras
def test_verbose_2_output_matches_keras(request):
    """Same weights, no shuffling: Keras and layerwise print the same lines (times masked)."""
    import contextlib
    import io

    real = request.getfixturevalue("keras")
    x, y = blobs(n=50)

    def transcript(module, weights):
        model = module.Sequential([module.Input((6,)), module.layers.Dense(3, "softmax")])
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            model.fit(x, y, epochs=2, batch_size=16, validation_split=0.2, shuffle=False,
                      verbose=2)
            model.evaluate(x, y, verbose=2)
            model.predict(x, verbose=2)
        text = re.sub(r"\d+(us|ms|s)/step", "T/step", buffer.getvalue())
        return re.sub(r" - \d+s - ", " - Ts - ", text)

    rng = np.random.default_rng(3)
    weights = [rng.normal(size=(6, 3)).astype("float32"), np.zeros(3, "float32")]
    real.backend.clear_session(free_memory=False)
    expected = transcript(real, weights)
    got = transcript(keras, weights)
    assert got == expected
    assert got.count("\n") == 6
