"""`layerwise demo`: train an MLP on the embedded digits and write an HTML report.

The project's main job on its embedded data: a small MLP on the UCI 8x8
handwritten digits shipped inside the package, with the Keras progress bar,
then the test accuracy and `report.html`. It needs no network.
"""

from __future__ import annotations

import layerwise as keras
from layerwise.datasets import digits

DIGIT_NAMES = [str(i) for i in range(10)]


def demo(epochs: int = 30, verbose="auto", report_path: str | None = "report.html") -> float:
    """Trains a 64-64-10 MLP on the embedded digits; returns the test accuracy.

    Args:
        epochs: Training epochs.
        verbose: The `fit` verbosity (`"auto"`, 0, 1 or 2).
        report_path: Where to write the HTML report (`None`: no report).
    """
    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1,
                        verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")
    if report_path:
        report = model.evaluate_report(x_test, y_test, class_names=DIGIT_NAMES, history=history)
        report.to_html(report_path)
        print(f"Report: {report_path} (accuracy {report.accuracy:.4f})")
    return accuracy
