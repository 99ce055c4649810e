"""`layerwise` command line: `python -m layerwise.cli demo`.

The demo is the project's main job on its embedded data: it trains a small
MLP on the UCI 8x8 handwritten digits shipped inside the package, with the
Keras progress bar, and prints the test accuracy. It needs no network.
"""

from __future__ import annotations

import argparse
import sys


def demo(epochs: int = 30, verbose="auto") -> float:
    """Trains a 64-64-10 MLP on the embedded digits; returns the test accuracy."""
    import layerwise as keras
    from layerwise.datasets import digits

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
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1,
              verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")
    return accuracy


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="layerwise", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo_parser = sub.add_parser("demo", help="train an MLP on the embedded digits data")
    demo_parser.add_argument("--epochs", type=int, default=30)
    demo_parser.add_argument("--verbose", default="auto", choices=["auto", "0", "1", "2"])
    args = parser.parse_args(argv)
    if args.command == "demo":
        verbose = args.verbose if args.verbose == "auto" else int(args.verbose)
        accuracy = demo(epochs=args.epochs, verbose=verbose)
        return 0 if accuracy > 0.95 else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
