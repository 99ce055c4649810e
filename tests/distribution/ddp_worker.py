"""A Keras-style training script run by the distribution tests: alone, or under
`torchrun --nproc-per-node 2` unchanged. Writes `<out>/rank<r>.npz` (final weights)
and `<out>/rank<r>.json` (History)."""

from __future__ import annotations

import json
import os
import sys

import numpy as np

import layerwise as keras


def data(n=64):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 6).astype("float32")
    y = (x.sum(axis=1) > 3).astype("float32")
    return x, y


def main(out: str, mode: str) -> None:
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    x, y = data()
    callbacks = [keras.callbacks.CSVLogger(os.path.join(out, "log.csv")),
                 keras.callbacks.ModelCheckpoint(os.path.join(out, "model.keras"))]
    if mode == "die":
        callbacks.append(keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: os._exit(3)
            if epoch == 1 and os.environ.get("RANK") == "1" else None))
    shuffle = mode == "shuffle"
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=shuffle, verbose=2,
                        validation_data=(x[:32], y[:32]), callbacks=callbacks)
    model.save_weights(os.path.join(out, "final.weights.h5"))  # every rank calls it
    rank = os.environ.get("RANK", "0")
    np.savez(os.path.join(out, f"rank{rank}.npz"), *model.get_weights())
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump(history.history, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
