"""IMDB sentiment with Embedding -> LSTM -> Dense, as in "Deep Learning with Python" (ch. 6).

Written exactly as for Keras, except for the import. Embedding(10000, 32) ->
LSTM(32) -> Dense(1, sigmoid), RMSprop, batch 128, reviews cut to 500 words
(the W7 benchmark model). The LSTM runs on torch's fused kernel. Needs Keras'
`imdb.npz` (downloaded on first use, or in `$LAYERWISE_DATASETS/imdb/`):

    python examples/imdb_lstm.py

Options: `--epochs N` (default 10), `--limit N` (first N reviews only), `--threads N`.
"""

import argparse
import sys

import torch

import layerwise as keras
from layerwise import layers
from layerwise.datasets import imdb
from layerwise.preprocessing import sequence

MAX_FEATURES, MAXLEN = 10000, 500


def build_model():
    model = keras.Sequential([
        keras.Input(shape=(MAXLEN,), dtype="int32"),
        layers.Embedding(MAX_FEATURES, 32),
        layers.LSTM(32),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    keras.utils.set_random_seed(1337)

    print("Loading data...")
    (input_train, y_train), (input_test, y_test) = imdb.load_data(num_words=MAX_FEATURES)
    if args.limit:
        input_train, y_train = input_train[:args.limit], y_train[:args.limit]
        input_test, y_test = input_test[:args.limit], y_test[:args.limit]
    print(len(input_train), "train sequences")
    print(len(input_test), "test sequences")
    input_train = sequence.pad_sequences(input_train, maxlen=MAXLEN)
    input_test = sequence.pad_sequences(input_test, maxlen=MAXLEN)
    print("input_train shape:", input_train.shape)

    model = build_model()
    model.summary()
    history = model.fit(input_train, y_train, epochs=args.epochs, batch_size=128,
                        validation_split=0.2)
    loss, acc = model.evaluate(input_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f} - test accuracy: {acc:.4f}")
    return history, acc


if __name__ == "__main__":
    main(sys.argv[1:])
