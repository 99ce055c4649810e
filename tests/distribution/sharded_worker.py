"""A Keras-style script training with its weights sharded (`ModelParallel`, FSDP2), run
by the distribution tests alone or under `torchrun --nproc-per-node 2`. Writes
`<out>/rank<r>.npz` (final weights, gathered), `<out>/rank<r>.json` (History and the
weight elements this rank held while training) and `<out>/final.keras` (`model.save`
on every rank)."""

from __future__ import annotations

import json
import os
import sys

import numpy as np

import layerwise as keras
from layerwise.distribution import runtime, sharding


def data(n=64):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 6).astype("float32")
    y = (x.sum(axis=1) > 3).astype("float32")
    return x, y


class HeldWeights(keras.callbacks.Callback):
    """Records the weight elements this rank holds during training."""

    def __init__(self):
        super().__init__()
        self.held = None

    def on_train_batch_end(self, batch, logs=None):
        if self.held is None:
            if runtime.is_sharded(self.model):
                self.held = sharding.local_and_full_numel(self.model)
            else:
                full = sum(w.numel() for w in self.model.weights)
                self.held = (full, full)


def main(out: str, mode: str) -> None:
    keras.utils.set_random_seed(3)
    if mode == "layout":  # the first layer sharded (and regularized), the second replicated
        layout_map = keras.distribution.LayoutMap(keras.distribution.DeviceMesh(
            (int(os.environ.get("WORLD_SIZE", "1")),), ["batch"]))
        layout_map["big/kernel"] = ("batch", None)
        keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map))
        first = keras.layers.Dense(8, activation="relu", name="big", kernel_regularizer="l2")
    else:
        keras.distribution.set_distribution(keras.distribution.ModelParallel())
        first = keras.layers.Dense(8, activation="relu")
    model = keras.Sequential([keras.Input((6,)), first,
                              keras.layers.Dense(1, activation="sigmoid")])
    optimizer = keras.optimizers.Adam(0.05)
    if mode == "layout":  # clipping by the global norm of sharded and replicated gradients
        optimizer = keras.optimizers.AdamW(0.05, global_clipnorm=0.5, use_ema=True)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    x, y = data()
    held = HeldWeights()
    callbacks = [held, keras.callbacks.CSVLogger(os.path.join(out, "log.csv")),
                 keras.callbacks.ModelCheckpoint(os.path.join(out, "model.keras"))]
    if mode == "die":
        callbacks.append(keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: os._exit(3)
            if epoch == 1 and os.environ.get("RANK") == "1" else None))
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=2,
                        validation_data=(x[:32], y[:32]), callbacks=callbacks)
    # A second `fit`: the model stays sharded, the optimizer keeps its (sharded) state.
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    evaluated = model.evaluate(x, y, verbose=0)  # sharded forward passes, on every rank
    predicted = model.predict(x[:10], verbose=0)
    model.save(os.path.join(out, "final.keras"))
    model.save_weights(os.path.join(out, "final.weights.h5"))
    rank = os.environ.get("RANK", "0")
    with keras.distribution.gathered(model):
        np.savez(os.path.join(out, f"rank{rank}.npz"), *model.get_weights())
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump({"history": history.history, "held": held.held, "evaluate": evaluated,
                   "predict": predicted.tolist()}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
