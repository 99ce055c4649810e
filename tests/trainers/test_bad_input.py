"""Wrong data and wrong names give clear errors that name the argument, expected and received."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import layerwise as keras


def mnist_model(loss="categorical_crossentropy", compile=True):
    model = keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    if compile:
        model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    return model


def data(n=20, width=784, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, width)).astype("float32")
    labels = rng.integers(0, 10, size=n)
    return x, labels, keras.utils.to_categorical(labels, 10)


# ------------------------------------------------------------- cardinality
def test_x_and_y_of_different_lengths():
    x, _, y = data()
    model = mnist_model()
    with pytest.raises(ValueError) as info:
        model.fit(x, y[:15], verbose=0)
    message = str(info.value)
    assert "`x`" in message and "`y`" in message
    assert "20" in message and "15" in message
    with pytest.raises(ValueError, match="15"):
        model.evaluate(x, y[:15], verbose=0)


def test_sample_weight_of_the_wrong_length():
    x, _, y = data()
    with pytest.raises(ValueError, match=r"sample_weight.*7|7.*sample_weight"):
        mnist_model().fit(x, y, sample_weight=np.ones(7), verbose=0)


# ------------------------------------------------------------------- width
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict", "train_on_batch", "call"])
def test_input_width_mismatch_names_expected_and_received(method):
    x, _, y = data(width=100)
    model = mnist_model()
    with pytest.raises(ValueError) as info:
        if method == "predict":
            model.predict(x, verbose=0)
        elif method == "call":
            model(x)
        elif method == "train_on_batch":
            model.train_on_batch(x, y)
        else:
            getattr(model, method)(x, y, verbose=0)
    message = str(info.value)
    assert "784" in message and "100" in message
    assert "dense" in message  # the layer that received it


def test_input_width_mismatch_at_model_construction():
    with pytest.raises(ValueError) as info:
        keras.Sequential([keras.Input((784,)), keras.layers.Reshape((10, 10))])
    assert "784" in str(info.value) and "(10, 10)" in str(info.value)


def test_model_built_from_data_rejects_another_width():
    model = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 5)), np.ones((8, 2)), verbose=0)
    with pytest.raises(ValueError, match=r"5.*7|7.*5"):
        model.predict(np.ones((3, 7)), verbose=0)


# ------------------------------------------------------------------ labels
@pytest.mark.parametrize("bad", [10, -1, 12])
def test_sparse_labels_outside_the_class_range(bad):
    x, labels, _ = data()
    labels = labels.copy()
    labels[3] = bad
    model = mnist_model("sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as info:
        model.fit(x, labels, verbose=0)
    message = str(info.value)
    assert str(bad) in message and "[0, 10)" in message
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model.evaluate(x, labels, verbose=0)


def test_non_integer_labels_with_sparse_crossentropy():
    x, labels, _ = data()
    with pytest.raises(ValueError, match="integer"):
        mnist_model("sparse_categorical_crossentropy").fit(x, labels + 0.5, verbose=0)


def test_one_hot_targets_with_sparse_crossentropy_suggest_categorical():
    x, _, y = data()
    with pytest.raises(ValueError) as info:
        mnist_model("sparse_categorical_crossentropy").fit(x, y, verbose=0)
    assert "loss='categorical_crossentropy'" in str(info.value)
    assert "one-hot" in str(info.value)


@pytest.mark.parametrize("shape", ["flat", "column"])
def test_integer_labels_with_categorical_crossentropy_suggest_sparse(shape):
    x, labels, _ = data()
    y = labels if shape == "flat" else labels[:, None]
    with pytest.raises(ValueError) as info:
        mnist_model("categorical_crossentropy").fit(x, y, verbose=0)
    assert "sparse_categorical_crossentropy" in str(info.value)
    assert "to_categorical" in str(info.value)


def test_targets_of_the_wrong_width():
    x, _, _ = data()
    y = keras.utils.to_categorical(np.arange(20) % 5, 5)
    with pytest.raises(ValueError) as info:
        mnist_model("categorical_crossentropy").fit(x, y, verbose=0)
    assert "(20, 5)" in str(info.value) or "5" in str(info.value)
    assert "10" in str(info.value)


# ------------------------------------------------------------------- NaN
def test_nan_in_x_warns_at_fit_start():
    x, _, y = data()
    x[2, 5] = np.nan
    x[4, 1] = np.inf
    model = mnist_model()
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append("train_begin")

    with pytest.warns(UserWarning, match="NaN") as record:
        model.fit(x, y, epochs=1, verbose=0, callbacks=[Recorder()])
    assert seen == ["train_begin"]
    nan_warnings = [w for w in record if "NaN" in str(w.message)]
    assert len(nan_warnings) == 1  # once, at fit start, not per batch
    assert "2 NaN or infinite" in str(nan_warnings[0].message)


def test_clean_x_does_not_warn():
    x, _, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mnist_model().fit(x, y, epochs=1, verbose=0)


# --------------------------------------------------------------- compile
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_before_compile_mentions_compile(method):
    x, _, y = data()
    model = mnist_model(compile=False)
    with pytest.raises(RuntimeError) as info:
        if method in ("fit", "evaluate"):
            getattr(model, method)(x, y, verbose=0)
        else:
            getattr(model, method)(x, y)
    assert "compile()" in str(info.value)
    assert method in str(info.value)


def test_predict_before_compile_works():
    x, _, _ = data(n=3)
    assert mnist_model(compile=False).predict(x, verbose=0).shape == (3, 10)


@pytest.mark.parametrize("kwargs,typo,suggestion", [
    ({"optimizer": "adma", "loss": "mse"}, "adma", "adam"),
    ({"optimizer": "rmsporp", "loss": "mse"}, "rmsporp", "rmsprop"),
    ({"optimizer": "sgd", "loss": "categorical_crossentropyy"}, "categorical_crossentropyy",
     "categorical_crossentropy"),
    ({"optimizer": "sgd", "loss": "mean_squared_eror"}, "mean_squared_eror",
     "mean_squared_error"),
    ({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, "acuracy", "accuracy"),
])
def test_unknown_names_at_compile_suggest_close_matches(kwargs, typo, suggestion):
    with pytest.raises(ValueError) as info:
        mnist_model(compile=False).compile(**kwargs)
    message = str(info.value)
    assert repr(typo) in message
    assert f"Did you mean '{suggestion}'" in message or f"'{suggestion}'" in message.split(
        "Did you mean")[1].split("?")[0]


def test_unknown_activation_suggests_close_matches():
    with pytest.raises(ValueError) as info:
        keras.layers.Dense(3, activation="rleu")
    assert "'rleu'" in str(info.value) and "'relu'" in str(info.value).split("Known")[0]
    with pytest.raises(ValueError, match="softmax"):
        keras.layers.Activation("sofmax")


def test_unknown_optimizer_from_get_lists_known_names():
    with pytest.raises(ValueError) as info:
        keras.optimizers.get("adma")
    message = str(info.value)
    assert "Did you mean" in message and "'adam'" in message
    assert "rmsprop" in message and "sgd" in message


# ---------------------------------------------------------------- misc
def test_empty_x_raises():
    model = mnist_model()
    with pytest.raises(ValueError, match="empty"):
        model.fit(np.zeros((0, 784)), np.zeros((0, 10)), verbose=0)


def test_validation_split_out_of_range():
    x, _, y = data()
    with pytest.raises(ValueError, match="validation_split"):
        mnist_model().fit(x, y, validation_split=1.5, verbose=0)


def test_validation_split_with_a_generator_asks_for_validation_data():
    x, _, y = data()
    with pytest.raises(ValueError, match="validation_data"):
        mnist_model().fit(iter([(x, y)]), validation_split=0.2, verbose=0)


def test_y_with_a_generator_is_rejected():
    x, _, y = data()
    with pytest.raises(ValueError, match="`y`"):
        mnist_model().fit(iter([(x, y)]), y, verbose=0)


def test_ragged_python_lists_are_rejected_with_a_hint():
    model = mnist_model()
    with pytest.raises(ValueError, match="pad_sequences"):
        model.fit([[1.0, 2.0], [3.0]], [0, 1], verbose=0)


def test_string_x_is_rejected():
    with pytest.raises(ValueError, match="x"):
        mnist_model().fit("data.csv", np.zeros((1, 10)), verbose=0)


def test_non_callback_in_callbacks():
    x, _, y = data()
    with pytest.raises(TypeError, match="Callback"):
        mnist_model().fit(x, y, verbose=0, callbacks=[print])


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="units"):
        keras.layers.Dense(0)
    with pytest.raises(ValueError, match="units"):
        keras.layers.Dense(2.5)
    with pytest.raises(TypeError, match="unitz"):
        keras.layers.Dense(units=3, unitz=4)
    with pytest.raises(ValueError, match="rate"):
        keras.layers.Dropout(1.5)
    with pytest.raises(ValueError, match="-1"):
        keras.layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="dims"):
        keras.layers.Permute((0, 1))
    with pytest.raises(ValueError, match="shape"):
        keras.Input()
