"""`compile(jit_compile=True)` against the default: compile time and steady step time.

W1's shape (MLP 784-128-10, SGD, batch 128) in one process. For each setting, a
fresh model trains `--epochs` epochs on the same synthetic data; a callback stamps
every batch end. Reported: the first step of the first run (build, and
`torch.compile` when on), and the median step time of the last epoch (steady
state; settings alternate `off, on, off, on` and the faster of each pair is kept).

    python benchmarks/jit_compile_bench.py [--quick] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import layerwise as keras
import numpy as np
import torch


class Stamps(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def run(jit: bool, x, y, epochs: int) -> tuple[float, float]:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit)
    stamps = Stamps()
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[stamps])
    steps = len(stamps.times) // epochs
    last = np.diff(stamps.times[-steps - 1:])
    return stamps.times[0] - start, statistics.median(last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 200 samples, 2 epochs")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    n, epochs = (3200, 2) if args.quick else (12800, 3)
    rng = np.random.RandomState(0)
    x = rng.rand(n, 784).astype("float32")
    y = rng.randint(0, 10, n)
    best: dict = {}
    for jit in (False, True, False, True):
        first, step = run(jit, x, y, epochs)
        # The first step of the first run pays the compile (a later model may reuse it).
        old = best.get(jit, (first, float("inf")))
        best[jit] = (old[0], min(old[1], step))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {n} samples")
    print("| jit_compile | first step (s) | steady step (ms) | samples/s |")
    print("|---|---:|---:|---:|")
    for jit in (False, True):
        first, step = best[jit]
        print(f"| {jit} | {first:.3f} | {step * 1e3:.3f} | {128 / step:,.0f} |")


if __name__ == "__main__":
    main()
