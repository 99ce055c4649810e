"""The classic Keras MNIST tutorial, unchanged but for the import line."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras


@pytest.mark.slow
def test_mnist_mlp_tutorial(shared_datasets, monkeypatch):
    monkeypatch.setenv("LAYERWISE_DATASETS", str(shared_datasets))
    from layerwise.datasets import mnist
    from layerwise.layers import Dense
    from layerwise.models import Sequential
    from layerwise.optimizers import SGD
    from layerwise.utils import np_utils

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    x_train = x_train.reshape(60000, 784).astype("float32") / 255
    x_test = x_test.reshape(10000, 784).astype("float32") / 255
    Y_train = np_utils.to_categorical(y_train, 10)
    Y_test = np_utils.to_categorical(y_test, 10)

    model = Sequential()
    model.add(Dense(128, activation="relu", input_shape=(784,)))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer=SGD(), loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, Y_train, batch_size=128, epochs=20, verbose=0,
                        validation_data=(x_test, Y_test))
    assert len(history.history["loss"]) == 20
    assert history.history["loss"][-1] < history.history["loss"][0]

    score = model.evaluate(x_test, Y_test, verbose=0)
    assert score[1] >= 0.92
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    assert abs(score[1] - np.mean(predicted == y_test)) <= 1e-6
    assert history.history["val_accuracy"][-1] == pytest.approx(score[1], abs=1e-6)


def test_digits_mlp_tutorial():
    """The same tutorial on the 8x8 digits shipped with layerwise: fast, no files needed."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16
    Y_train = keras.utils.to_categorical(y_train, 10)
    Y_test = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, Y_train, batch_size=32, epochs=15, verbose=0,
                        validation_split=0.1)
    assert history.history["val_accuracy"][-1] > 0.85
    loss, accuracy = model.evaluate(x_test, Y_test, verbose=0)
    assert accuracy > 0.9
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    assert abs(accuracy - np.mean(predicted == y_test)) <= 1e-6
    # Sparse labels, the Keras 3 style, reach the same accuracy on the same weights.
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    sparse_loss, sparse_accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert sparse_accuracy == pytest.approx(accuracy, abs=1e-6)
    assert sparse_loss == pytest.approx(loss, rel=1e-5)
