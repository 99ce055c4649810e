"""Train one workload with the Keras API and write the timings as JSON.

The very same code runs on layerwise (``--impl layerwise``, i.e.
``import layerwise as keras``) and on Keras 3 (``--impl keras``, backend
chosen by the ``KERAS_BACKEND`` environment variable, set by run.py).

    python benchmarks/keras_worker.py --impl keras --workload W1 --out r.json

Only light modules are imported at the top (no torch: the JAX and TF
workers' start-up time and peak memory are their own).
"""

from __future__ import annotations

import os
import sys
import time

import timing  # benchmarks/ is sys.path[0] when run as a script
import worker_util
import workloads

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_keras(impl: str, threads: int):
    """Import layerwise or Keras 3 as ``keras``, with thread counts set."""
    backend = "torch" if impl == "layerwise" else os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
    if impl == "layerwise":
        sys.path.insert(0, REPO_ROOT)  # works from a checkout without install
        import layerwise as keras
    else:
        import keras
    if backend == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # already initialised: TF_NUM_*_THREADS apply
            pass
    return keras, backend


def make_timer_class(keras):
    """An epoch timer subclassing the framework's own ``Callback``."""

    class EpochTimer(keras.callbacks.Callback):
        """Records each epoch's wall time; stops a run that takes too long."""

        def __init__(self, max_epochs: int, budget_s: float = timing.TIME_BUDGET_S):
            super().__init__()
            self.max_epochs = max_epochs
            self.budget_s = budget_s
            self.epoch_times: list[float] = []
            self.last_logs: dict = {}
            self._start = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            # float() forces any pending (asynchronous) computation to finish
            # before the clock is read.
            self.last_logs = {k: float(v) for k, v in (logs or {}).items()}
            self.epoch_times.append(time.perf_counter() - self._start)
            if timing.should_stop(self.epoch_times, self.max_epochs, self.budget_s):
                self.model.stop_training = True

    return EpochTimer


def build_model(keras, workload: workloads.Workload):
    """The workload's MLP (ReLU hidden layers, softmax/sigmoid output), or the W5 CNN."""
    if workload.is_text:
        return build_text_model(keras, workload)
    if workload.is_cnn:
        layers = [keras.Input(workload.image_shape)]
        for kind, size, kernel, activation in workloads.CNN_LAYERS:
            if kind == "conv":
                layers.append(keras.layers.Conv2D(size, kernel, activation=activation))
            elif kind == "pool":
                layers.append(keras.layers.MaxPooling2D(size))
            elif kind == "flatten":
                layers.append(keras.layers.Flatten())
            else:
                layers.append(keras.layers.Dense(size, activation=activation))
        return keras.Sequential(layers)
    hidden = workload.units[1:-1]
    layers = [keras.Input((workload.input_dim,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(keras.layers.Dense(workload.outputs, activation=workload.final_activation))
    return keras.Sequential(layers)


def build_text_model(keras, workload: workloads.Workload):
    """W6 / W7: Embedding -> (Bidirectional) LSTM stack -> Dense(1, sigmoid).

    Same code on layerwise and Keras 3; the torch peer is in sequence_models.py.
    """
    vocabulary, maxlen, embedding, units, bidirectional = workload.text
    layers = keras.layers
    model_layers = [keras.Input((maxlen,), dtype="int32"), layers.Embedding(vocabulary, embedding)]
    if bidirectional:
        for i in range(bidirectional):
            last = i == bidirectional - 1
            model_layers.append(layers.Bidirectional(layers.LSTM(units, return_sequences=not last)))
    else:
        model_layers.append(layers.LSTM(units))
    model_layers.append(layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(model_layers)


def make_optimizer(keras, name: str):
    """Keras' optimizers with their default hyperparameters."""
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=0.01)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=0.001)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=0.001)
    raise ValueError(name)


def run(impl: str, workload: workloads.Workload, threads: int, budget_s: float,
        predict: bool, stages: worker_util.Stages) -> dict:
    """Train ``workload`` (then time predict) and return the summary and final metrics."""
    keras, backend = import_keras(impl, threads)
    stages.mark("imported")
    x, y = workloads.load_training_data(workload)
    stages.mark("data")
    set_seed = getattr(getattr(keras, "utils", None), "set_random_seed", None)
    if set_seed is not None:
        set_seed(workloads.SEED)
    model = build_model(keras, workload)
    stages.mark("built")
    model.compile(
        optimizer=make_optimizer(keras, workload.optimizer),
        loss=workload.loss,
        metrics=["accuracy"],
    )
    stages.mark("compiled")
    timer = make_timer_class(keras)(workload.epochs, budget_s)
    model.fit(
        x, y,
        batch_size=workload.batch_size,
        epochs=workload.epochs,
        verbose=0,
        shuffle=True,
        callbacks=[timer],
    )
    stages.mark("trained")
    result = timing.summarize(timer.epoch_times, workload.epoch_samples)
    result["final_logs"] = timer.last_logs
    result["backend"] = backend
    result["version"] = getattr(keras, "__version__", "?")
    if predict and workload.predict_batch:
        result.update(time_predict(model, x, workload))
        stages.mark("predicted")
    return result


def time_predict(model, x, workload: workloads.Workload) -> dict:
    """``model.predict(x, batch_size=...)`` samples/s on whole batches of the training inputs."""
    rows = workload.predict_rows(len(x))
    inputs = x[:rows]
    times = worker_util.time_passes(
        lambda: model.predict(inputs, batch_size=workload.predict_batch, verbose=0))
    return worker_util.predict_summary(times, rows, workload.predict_batch)


def main(argv=None) -> None:
    stages = worker_util.Stages()
    stages.mark("started")
    args = worker_util.parse_worker_args(__doc__.splitlines()[0], argv, keras_api=True)
    workload = worker_util.effective_workload(args)
    result = run(args.impl, workload, args.threads, args.budget,
                 args.predict and not args.startup, stages)
    worker_util.write_result(args.out, result, stages)


if __name__ == "__main__":
    main()
