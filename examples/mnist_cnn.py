"""A small convnet on MNIST, written exactly as for Keras, except for the import.

The W5 benchmark model: Conv2D(32, 3, relu) -> MaxPooling2D(2) ->
Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax), Adam,
batch 128, 3 epochs. It reaches about 0.985-0.99 test accuracy. Run with the
real MNIST files:

    LAYERWISE_DATASETS=../shared/datasets python examples/mnist_cnn.py

Options: `--epochs N`, `--threads N` (torch CPU threads), `--limit N` (train on
the first N images only, for a quick check).
"""

import argparse
import time

import numpy as np
import torch

import layerwise as keras
from layerwise import layers
from layerwise.datasets import mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--threads", type=int, default=None)
parser.add_argument("--limit", type=int, default=None)
args = parser.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)
keras.utils.set_random_seed(1337)

# Channels-last images in [0, 1], as in the Keras examples.
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
if args.limit:
    x_train, y_train = x_train[:args.limit], y_train[:args.limit]
print("x_train shape:", x_train.shape, "-", len(x_test), "test samples")

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
model.summary()

model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(),
              metrics=["accuracy"])
start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=128, epochs=args.epochs, verbose=2)
print(f"Training time: {time.perf_counter() - start:.1f} s")

score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])

# The evaluation report: per-class scores, confusion matrix, ROC curves, worst mistakes.
report = model.evaluate_report(x_test, y_test, history=history)
print(report)
report.to_html("mnist_cnn_report.html")
