"""One framework's part of the scaling sweep (run by scaling.py in a subprocess).

For each (batch size, width) it trains the MLP d-width-width-10 (ReLU,
softmax, SGD, categorical CE, accuracy metric: W1's set-up with two hidden
layers of ``width`` units) on a fixed pool of synthetic rows and records the
steady-state samples/s: a calibration fit (2 epochs of 4 batches; the first
one compiles), then a fit whose epochs last about ``--seconds`` each (whole
batches of the pool; more epochs when the pool is too small), median of
epochs 2..E.

    python benchmarks/scaling_worker.py --impl layerwise --configs 32x512,128x4096 --out r.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import time

import numpy as np

import keras_worker  # light: it imports its framework only in import_keras
import workloads

INPUT_DIM, CLASSES = 784, 10
CALIBRATION_BATCHES = 4
MAX_EPOCHS = 10


def config_workload(batch: int, width: int) -> workloads.Workload:
    """W1 with two hidden layers of ``width`` units and batches of ``batch``."""
    return dataclasses.replace(workloads.get_workload("W1"), batch_size=batch,
                               units=(INPUT_DIM, width, width, CLASSES))


def make_pool(rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal inputs and one-hot labels from a random linear teacher."""
    rng = np.random.default_rng(workloads.SEED)
    x = rng.standard_normal((rows, INPUT_DIM), dtype=np.float32)
    labels = np.argmax(x @ rng.standard_normal((INPUT_DIM, CLASSES), dtype=np.float32), axis=1)
    return x, np.eye(CLASSES, dtype=np.float32)[labels]


def plan_epochs(rate: float, batch: int, pool_rows: int, seconds: float) -> tuple[int, int]:
    """(rows per epoch, epochs) so each epoch lasts about ``seconds`` at ``rate``
    samples/s: whole batches, at least 2, at most the pool; when the pool caps
    the epoch, more epochs (up to MAX_EPOCHS) so about 2 x ``seconds`` are timed."""
    whole_pool = max(batch, pool_rows // batch * batch)
    rows = min(whole_pool, max(2 * batch, round(rate * seconds / batch) * batch))
    epoch_s = rows / rate if rate > 0 else seconds
    timed = min(MAX_EPOCHS - 1, max(2, math.ceil(2 * seconds / max(epoch_s, 1e-9))))
    return rows, 1 + timed


def keras_trainer(keras, workload):
    """A ``fit(x, y, epochs) -> epoch seconds`` function for a Keras-API model."""
    model = keras_worker.build_model(keras, workload)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    timer = keras_worker.make_timer_class(keras)(MAX_EPOCHS, budget_s=1e9)

    def fit(x, y, epochs: int) -> list[float]:
        timer.epoch_times = []
        model.fit(x, y, batch_size=workload.batch_size, epochs=epochs, verbose=0,
                  shuffle=True, callbacks=[timer])
        return list(timer.epoch_times)

    return fit


def torch_trainer(workload, x_pool, y_pool, threads: int):
    """The same, for the hand-written PyTorch loop (torch_worker's model and epoch)."""
    import torch  # lazily: the JAX / TF workers must not load torch

    import torch_worker

    torch.set_num_threads(threads)
    model = torch_worker.build_model(workload)
    optimizer = torch_worker.make_optimizer("sgd", model.parameters())
    x_all, y_all = torch.from_numpy(x_pool), torch.from_numpy(y_pool)

    def fit(x, y, epochs: int) -> list[float]:
        rows = len(x)
        times = []
        for _ in range(epochs):
            start = time.perf_counter()
            torch_worker.train_epoch(model, optimizer, workload.loss, x_all[:rows],
                                     y_all[:rows], workload.batch_size)
            times.append(time.perf_counter() - start)
        return times

    return fit


def measure(make_fit, batch: int, width: int, x, y, seconds: float) -> dict:
    """Steady-state samples/s of one configuration."""
    workload = config_workload(batch, width)
    fit = make_fit(workload)
    calib_rows = min(len(x) // batch * batch, CALIBRATION_BATCHES * batch) or len(x)
    calib = fit(x[:calib_rows], y[:calib_rows], 2)
    rate = calib_rows / max(calib[-1], 1e-9)
    rows, epochs = plan_epochs(rate, batch, len(x), seconds)
    times = fit(x[:rows], y[:rows], epochs)
    median = statistics.median(times[1:])
    return {"batch": batch, "width": width, "rows": rows, "epoch_times_s": times,
            "first_fit_s": calib[0], "samples_per_s": rows / median}


def parse_configs(text: str) -> list[tuple[int, int]]:
    """``"32x512,128x4096"`` -> [(32, 512), (128, 4096)] (batch x width)."""
    configs = []
    for token in filter(None, (t.strip() for t in text.split(","))):
        batch, _, width = token.partition("x")
        if not (batch.isdigit() and width.isdigit()):
            raise ValueError(f"--configs: expected BATCHxWIDTH tokens like 32x512, "
                             f"received {token!r}")
        configs.append((int(batch), int(width)))
    return configs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("layerwise", "keras", "torch"), required=True)
    parser.add_argument("--configs", required=True, help="BATCHxWIDTH,... to measure")
    parser.add_argument("--seconds", type=float, default=0.5, help="target seconds an epoch")
    parser.add_argument("--pool", type=int, default=16384, help="rows of synthetic data")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    x, y = make_pool(args.pool)
    if args.impl == "torch":
        def make_fit(workload):
            return torch_trainer(workload, x, y, args.threads)
    else:
        keras, _ = keras_worker.import_keras(args.impl, args.threads)

        def make_fit(workload):
            return keras_trainer(keras, workload)
    results = []
    for batch, width in parse_configs(args.configs):
        try:
            results.append(measure(make_fit, batch, width, x, y, args.seconds))
        except Exception as exc:  # one failing configuration must not lose the others
            results.append({"batch": batch, "width": width, "error": f"{type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}"})
        print(json.dumps(results[-1]), flush=True)
        with open(args.out, "w") as f:
            json.dump({"impl": args.impl, "configs": results}, f)


if __name__ == "__main__":
    main()
