"""IMDB reviews as multi-hot vectors, a 16-16-1 MLP (Deep Learning with Python, ch. 4).

The 10,000 most frequent words, each review a 0/1 vector; Dense(16, relu) x2
-> Dense(1, sigmoid), RMSprop, binary cross-entropy, 4 epochs of batch 512:
about 0.88 test accuracy. Then the report (a sigmoid output is read as two
classes). Run with the real files:

    LAYERWISE_DATASETS=../shared/datasets python examples/imdb_multihot.py

Options: `--epochs N`, `--limit N`, `--report PATH`.
"""

import argparse

import numpy as np

import layerwise as keras
from layerwise import layers
from layerwise.datasets import imdb

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--limit", type=int, default=None)
parser.add_argument("--report", default="imdb_report.html")
args = parser.parse_args()
keras.utils.set_random_seed(0)

(train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000)
if args.limit:
    train_data, train_labels = train_data[:args.limit], train_labels[:args.limit]


def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


x_train = vectorize_sequences(train_data)
x_test = vectorize_sequences(test_data)
y_train = np.asarray(train_labels).astype("float32")
y_test = np.asarray(test_labels).astype("float32")

model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=512, validation_split=0.2,
                    verbose=2)
results = model.evaluate(x_test, y_test, verbose=0)
print("Test loss, accuracy:", results)

report = model.evaluate_report(x_test, y_test, class_names=["negative", "positive"],
                               history=history)
print(report)
report.to_html(args.report)
print("Report written to", args.report)
