"""Bidirectional LSTM on IMDB (keras.io example), written as for Keras except for the import.

Embedding(20000, 128) -> Bidirectional(LSTM(64, return_sequences=True)) ->
Bidirectional(LSTM(64)) -> Dense(1, sigmoid), Adam, batch 32, reviews cut
to 200 words (the W6 benchmark model); about 0.85-0.88 validation accuracy
after 2 epochs on Keras. Needs Keras' `imdb.npz` (downloaded on first use, or
in `$LAYERWISE_DATASETS/imdb/`):

    python examples/imdb_bidirectional.py

Options: `--epochs N` (default 2), `--limit N` (first N reviews only),
`--threads N`, `--decode` (print the first review as words, using
`imdb.get_word_index()` as the tutorials do).
"""

import argparse
import sys

import torch

import layerwise as keras
from layerwise import layers

MAX_FEATURES, MAXLEN = 20000, 200  # top 20000 words, first 200 words of each review


def build_model():
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(MAX_FEATURES, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def decode(review, index_from=3):
    word_index = keras.datasets.imdb.get_word_index()
    inverted = {i + index_from: word for word, i in word_index.items()}
    inverted.update({0: "[PAD]", 1: "[START]", 2: "[OOV]"})
    return " ".join(inverted.get(int(i), "?") for i in review)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--decode", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    keras.utils.set_random_seed(1337)

    (x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=MAX_FEATURES)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_val, y_val = x_val[:args.limit], y_val[:args.limit]
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")
    if args.decode:
        print(decode(x_train[0])[:300])
    x_train = keras.utils.pad_sequences(x_train, maxlen=MAXLEN)
    x_val = keras.utils.pad_sequences(x_val, maxlen=MAXLEN)

    model = build_model()
    model.summary()
    history = model.fit(x_train, y_train, batch_size=32, epochs=args.epochs,
                        validation_data=(x_val, y_val))
    return history


if __name__ == "__main__":
    main(sys.argv[1:])
