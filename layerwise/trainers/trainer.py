"""`Trainer`: `compile`, `fit`, `evaluate`, `predict` and the train / test / predict steps.

The training step is the hot path: batches are slices of device tensors, the
loss and metrics accumulate in device tensors (read back only when the progress
bar redraws, at most every 50 ms, and at the end of each epoch), optimizers
update all weights with multi-tensor kernels, and callbacks that do not listen
to batch hooks cost nothing per step.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import torch

from layerwise import optimizers as optimizers_module
from layerwise.backend.device import default_device
from layerwise.backend.host_memory import heap_only, tune_malloc
from layerwise.callbacks.callback_list import CallbackList
from layerwise.callbacks.progbar_logger import resolve_verbose
from layerwise.metrics.metric import Mean, Metric
from layerwise.trainers import argument_validation, data_adapters, distributed, train_state
from layerwise.trainers.compile_utils import CompileLoss, CompileMetrics
from layerwise.trainers.epoch_loop import EpochLoop, run_evaluation
from layerwise.trainers.logs import flatten_metrics_in_order, pythonify_logs
from layerwise.trainers.steps import Steps


def _cpu_heap(method):
    """Runs `method` inside `host_memory.heap_only(model device)` (CPU malloc tuning)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with heap_only(self._device()):
            return method(self, *args, **kwargs)
    return wrapper


class Trainer(Steps):
    """Mixin giving a model the Keras training API (the steps come from `Steps`)."""

    def _init_trainer(self) -> None:
        train_state.init_state(self)

    # ---------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configures the model for training.

        Args:
            optimizer: Name (`"adam"`) or optimizer instance.
            loss: Name (`"categorical_crossentropy"`), function or `Loss` instance.
            metrics: List of names (`"accuracy"`, `"acc"`, `"mse"`), functions or
                `Metric` instances. Their log keys are the names as written.
            loss_weights: Scalar multiplier of the loss.
            weighted_metrics: Metrics that receive `sample_weight`/`class_weight`.
                Without `loss`, `fit` needs a `train_step` that computes its own loss
                (or losses added with `add_loss`).
            run_eagerly: Accepted for compatibility: layerwise always runs eagerly.
            jit_compile: `True` compiles the model's forward pass with `torch.compile`.
        Placement: a CPU model moves to `layerwise.config.set_device(...)` /
        `$LAYERWISE_DEVICE`, else `cuda` if available (README, "Settings").

        Example:

        >>> import layerwise as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        """
        kwargs.pop("sample_weight_mode", None)  # Keras 2 argument, implied by the data.
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = None
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics,
                                                   output_names=self._output_names)
        self._loss_tracker = Mean(name="loss")
        self._jit_forward = torch.compile(self.forward) if jit_compile is True else None
        self.compiled = True
        self.stop_training = False
        self._maybe_move_to_default_device()
        # The trainable weights are captured now (or at the first `fit` of an unbuilt
        # model): `trainable` changes take effect at the next `compile`.
        train_state.on_compile(self)

    def _maybe_move_to_default_device(self) -> None:
        device = default_device()
        if device.type != "cpu" and self._device().type == "cpu":
            self.to(device)

    def _device(self) -> torch.device:
        for p in self.parameters():
            return p.device
        for b in self.buffers():
            return b.device

        return default_device()

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled or self.optimizer is None:
            raise RuntimeError(
                f"You must call `compile()` before `{method}()`, e.g. "
                "`model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                "metrics=['accuracy'])`."
            )

    @property
    def metrics(self) -> list:
        """As Keras 3: the loss tracker, `compile_metrics`, the per-output loss trackers,
        then the metrics assigned as attributes of the model."""
        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        out.extend(v for k, v in vars(self).items() if isinstance(v, Metric)
                   and not k.startswith("_") and all(v is not m for m in out))
        return out

    def _output_names(self) -> list[str]:
        # Cached: on a model without `output_names`, the lookup goes through
        # nn.Module's raising __getattr__, too slow for every step.
        cached = self.__dict__.get("_output_names_cache")
        if cached is None:
            names = getattr(self, "output_names", None)
            cached = list(names) if names else ["output_0"]
            self.__dict__["_output_names_cache"] = cached
        return cached

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # -------------------------------------------------------------------- fit
    def _build_from_data(self, x) -> None:
        sample = data_adapters.map_structure(lambda a: a[:1], x)
        sample = data_adapters.map_structure(lambda a: data_adapters.to_tensor(a), sample)
        with torch.no_grad():
            self(sample, training=False)
        self._maybe_move_to_default_device()

    @_cpu_heap
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose: int | str = "auto",
            callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Trains the model for a fixed number of epochs.

        Args:
            x: Inputs: NumPy arrays or torch tensors (a list for several inputs, a
                dict by input name), or a generator / iterable / `DataLoader`
                yielding `(x, y)` or `(x, y, sample_weight)` batches.
            y: Targets (arrays), or `None` when `x` yields them.
            batch_size: Samples per step (default 32) for array inputs.
            epochs: Index of the last epoch to train.
            verbose: `"auto"`, 0 (silent), 1 (progress bar) or 2 (one line per epoch).
                `"auto"` is 1 on a terminal or notebook and 2 when output is a file or pipe.
            callbacks: List of `keras.callbacks.Callback`.
            validation_split: Fraction of the array data (the last samples, before
                shuffling) held out for validation.
            validation_data: `(x_val, y_val)`, `(x_val, y_val, sample_weight)` or a generator.
            shuffle: Shuffle array data each epoch (`"batch"` shuffles batch order).
            class_weight: `{class: weight}` applied to the loss of each sample.
            sample_weight: Per-sample loss weights.
            initial_epoch: Epoch at which to start (to resume training).
            steps_per_epoch: Batches per epoch (required for endless generators).
            validation_steps: Batches per validation (generators).
            validation_batch_size: Batch size for validation (default `batch_size`).
            validation_freq: Validate every N epochs, or on the listed epochs (1-based).

        Returns:
            A `History` whose `.history` maps metric names to per-epoch values.

        On the CPU, the first `fit` / `evaluate` / `predict` tunes glibc malloc for the
        process, and each call serves its allocations from the heap (`docs/performance.md`);
        `layerwise.config.set_malloc_tuning(False)` before it opts out.
        """
        for legacy in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled("fit")
        callbacks = argument_validation.check_fit(self, x, y, batch_size, epochs, callbacks, validation_split, class_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size, validation_freq)  # noqa: E501
        if validation_data is None and validation_split:
            if not data_adapters._is_array_structure(x):
                raise ValueError(
                    "`validation_split` is only supported for array inputs. With a generator, "
                    "pass `validation_data` instead."
                )
            (x, y, sample_weight), validation_data = data_adapters.train_validation_split(
                (x, y, sample_weight), validation_split)
        adapter = data_adapters.get_data_adapter(
            x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight,
            self._device())
        prepared = train_state.ensure_prepared(self, adapter.sample_x())
        adapter = adapter.on_device(self._device())
        adapter.check(self)
        self._distributed = distributed.active()  # several processes: DDP (trainers/distributed)
        if self._distributed:
            adapter = distributed.shard(adapter)
            callbacks, verbose = distributed.for_rank(callbacks, verbose)
        validation = None
        if validation_data is not None:
            validation = (self._validation_adapter(validation_data, validation_batch_size
                                                   or batch_size, validation_steps),
                          validation_freq)
        verbose = resolve_verbose(verbose)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                     model=self, verbose=verbose, epochs=epochs,
                                     steps=adapter.steps)
        loop = EpochLoop(self, adapter, callback_list, epochs, initial_epoch, validation,
                         prepared)
        return self._run_fit(loop, callback_list, epochs)

    def _run_fit(self, loop: EpochLoop, callback_list: CallbackList, epochs: int):
        """Runs the epochs of `fit`, then its end-of-training work; returns the History."""
        self.stop_training = False
        self.train()
        self.epoch_loop = loop
        try:
            epoch_logs = loop.run()
        finally:
            self.epoch_loop = None
        if epochs > loop.initial_epoch and self.optimizer is not None and self.optimizer.built:
            # Writes the EMA weights into the model when `use_ema=True`, as Keras does.
            self.optimizer.finalize_variable_values(self._trainable_params or [])
        callback_list.on_train_end(epoch_logs)
        if self._distributed:
            distributed.runtime.barrier()  # rank 0's last files are written
        self.eval()
        self.history = callback_list.history
        return self.history

    def _validation_adapter(self, validation_data, batch_size, steps):
        adapter = self._plain_validation_adapter(validation_data, batch_size, steps)
        return distributed.shard(adapter) if self._distributed else adapter

    def _plain_validation_adapter(self, validation_data, batch_size, steps):
        if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3) and (
            data_adapters._is_array_structure(validation_data[0])
        ):
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            return data_adapters.get_data_adapter(vx, vy, vsw, batch_size, steps, False, None,
                                                  self._device())
        if isinstance(validation_data, (tuple, list)):
            raise ValueError(
                "`validation_data` must be `(x_val, y_val)` or `(x_val, y_val, "
                f"sample_weight)`; received a sequence of {len(validation_data)} elements."
            )
        return data_adapters.get_data_adapter(validation_data, steps=steps,
                                              device=self._device())

    # --------------------------------------------------------------- evaluate
    @_cpu_heap
    def evaluate(self, x=None, y=None, batch_size=None, verbose: int | str = "auto",
                 sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Returns the loss and metrics of the model on the given data.

        Args:
            x, y, sample_weight: As in `fit`.
            batch_size: Samples per step (default 32).
            verbose: `"auto"`, 0, 1 or 2.
            steps: Number of batches (generators).
            callbacks: List of callbacks.
            return_dict: Return `{name: value}` instead of a list.

        Returns:
            The loss (no metrics), `[loss, *metrics]` in compile order, or a dict.
        """
        for legacy in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled("evaluate")
        callbacks = argument_validation.check_evaluate(self, x, y, batch_size, steps, callbacks)
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, batch_size, steps, False,
                                                 None, self._device())
        train_state.ensure_prepared(self, adapter.sample_x())
        adapter = adapter.on_device(self._device())
        adapter.check(self, finite=False)
        self._distributed = distributed.active()
        if self._distributed:
            adapter = distributed.shard(adapter)
            callbacks, verbose = distributed.for_rank(callbacks, verbose)
        verbose = resolve_verbose(verbose)
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=adapter.steps)
        logs = run_evaluation(self, adapter, callback_list)
        if return_dict:
            return logs
        return flatten_metrics_in_order(self, logs)

    # ---------------------------------------------------------------- predict
    @_cpu_heap
    def predict(self, x, batch_size=None, verbose: int | str = "auto", steps=None,
                callbacks=None, **kwargs):
        """Returns the model's outputs for `x` as NumPy arrays, batch by batch.

        Args:
            x: Inputs (arrays, tensors, or a generator yielding `x` or `(x, ...)`).
            batch_size: Samples per step (default 32).
            verbose: `"auto"`, 0, 1 or 2.
            steps: Number of batches (generators).
            callbacks: List of callbacks.
        """
        for legacy in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword argument(s) {sorted(kwargs)}.")
        callbacks = argument_validation.check_predict(self, x, batch_size, steps, callbacks)
        adapter = data_adapters.get_data_adapter(x, None, None, batch_size, steps, False, None,
                                                 self._device())
        verbose = resolve_verbose(verbose)
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=adapter.steps)
        self.eval()
        callback_list.on_predict_begin()
        outputs = []
        batch_begin = callback_list.wants("on_predict_batch_begin")
        batch_end = callback_list.wants("on_predict_batch_end")
        predict = self._step_function("predict")
        for step, (xb, _, _) in enumerate(adapter.epoch()):
            if batch_begin:
                callback_list.on_predict_batch_begin(step)
            out = predict(xb)
            outputs.append(out)
            if batch_end:
                callback_list.on_predict_batch_end(step, {"outputs": out})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("`predict` received no data: `x` is empty.")
        return _concat_outputs(outputs)

    # -------------------------------------------------------------- on batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """Runs one training step on a single batch; returns that batch's loss and metrics.

        As in Keras 3, the metrics are reset first, so the values describe this batch only.
        """
        self._assert_compiled("train_on_batch")
        tune_malloc(self._device())
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, None, None, False,
                                                 class_weight, self._device())
        train_state.ensure_prepared(self, adapter.sample_x())
        adapter = adapter.on_device(self._device())
        changed = train_state.activate(self)
        try:
            self.train()
            self.reset_metrics()
            logs = self._step_function("train")(
                *data_adapters.single_batch(adapter, "train_on_batch"))
        finally:
            train_state.restore(changed)
        return self._on_batch_result(logs, "train", return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Evaluates one batch; returns the loss and metrics of that batch."""
        self._assert_compiled("test_on_batch")
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, None, None, False, None,
                                                 self._device())
        train_state.ensure_prepared(self, adapter.sample_x())
        adapter = adapter.on_device(self._device())
        self.reset_metrics()
        logs = self._step_function("test")(*data_adapters.single_batch(adapter, "test_on_batch"))
        return self._on_batch_result(logs, "test", return_dict)

    def predict_on_batch(self, x):
        """Returns the model's outputs for one batch, as NumPy."""
        x = data_adapters.map_structure(lambda a: data_adapters.to_tensor(a, self._device()), x)
        return _concat_outputs([self._step_function("predict")(x)])

    def _on_batch_result(self, logs, kind, return_dict):
        if self._uses_custom_step(kind):
            logs = self._metrics_result_or_logs(logs)
        else:
            logs = self._logs()
        logs = pythonify_logs(logs)
        return logs if return_dict else flatten_metrics_in_order(self, logs)

    # ---------------------------------------------------- Keras 2 generators
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2 alias of `fit` for generators (deprecated)."""
        warnings.warn("`fit_generator` is deprecated: `fit` accepts generators.",
                      DeprecationWarning, stacklevel=2)
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2 alias of `evaluate` for generators (deprecated)."""
        warnings.warn("`evaluate_generator` is deprecated: `evaluate` accepts generators.",
                      DeprecationWarning, stacklevel=2)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2 alias of `predict` for generators (deprecated)."""
        warnings.warn("`predict_generator` is deprecated: `predict` accepts generators.",
                      DeprecationWarning, stacklevel=2)
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


def _concat_outputs(outputs):
    first = outputs[0]
    if isinstance(first, torch.Tensor):
        return torch.cat([o.detach() for o in outputs]).cpu().numpy()
    if isinstance(first, (list, tuple)):
        return [_concat_outputs([o[i] for o in outputs]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat_outputs([o[k] for o in outputs]) for k in first}
    return np.asarray(outputs)
