"""`Trainer`: `compile`, `fit`, `evaluate`, `predict` and the train / test / predict steps.

The training step is the hot path: batches are slices of device tensors, the
loss and metrics accumulate in device tensors (read back only when the progress
bar redraws, at most every 50 ms, and at the end of each epoch), optimizers
update all weights with multi-tensor kernels, and callbacks that do not listen
to batch hooks cost nothing per step.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from layerwise import optimizers as optimizers_module
from layerwise.activations.logits import copy_logits
from layerwise.backend import call_context
from layerwise.backend.host_memory import tune_malloc
from layerwise.callbacks.callback_list import CallbackList, LazyLogs
from layerwise.callbacks.progbar_logger import resolve_verbose
from layerwise.metrics.metric import Mean
from layerwise.trainers import argument_validation, data_adapters
from layerwise.trainers.compile_utils import CompileLoss, CompileMetrics
from layerwise.trainers.data_checks import check_finite, check_targets


class Trainer:
    """Mixin giving a model the Keras training API."""

    def _init_trainer(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._jit_forward = None
        self._regularized: list = []
        # Where `fit` resumes, set by `BackupAndRestore` in `on_train_begin`.
        self._initial_epoch = None
        self._initial_step = 0
        self._resume_hook = None

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
            run_eagerly: Accepted for compatibility: layerwise always runs eagerly.
            jit_compile: `True` compiles the model's forward pass with `torch.compile`.

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
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = Mean(name="loss")
        self._jit_forward = torch.compile(self.forward) if jit_compile is True else None
        # `trainable` changes take effect now: an optimizer reused from an earlier compile
        # is rebuilt for the current trainable weights at the next training step.
        self._optimizer_synced = False
        self.compiled = True
        self.stop_training = False
        self._maybe_move_to_default_device()

    def _maybe_move_to_default_device(self) -> None:
        from layerwise.backend.device import default_device

        device = default_device()
        if device.type != "cpu" and self._device().type == "cpu":
            self.to(device)

    def _device(self) -> torch.device:
        for p in self.parameters():
            return p.device
        for b in self.buffers():
            return b.device
        from layerwise.backend.device import default_device

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
        """The loss tracker, the per-output loss trackers, then the compiled metrics."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None:
            out.extend(self._compile_loss.metrics)
        if self._compile_metrics is not None:
            out.extend(self._compile_metrics.all_metrics)
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

    # ------------------------------------------------------------------ steps
    def _forward(self, x, training):
        if self._jit_forward is not None and not isinstance(x, (list, dict)):
            call_context.enter(training)
            try:
                return self._jit_forward(x, training=training)
            finally:
                call_context.exit_call()
        return self(x, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the regularization losses of the last call."""
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight, self._output_names())
        context = call_context.last()
        extra = list(context.losses) if context is not None else []
        extra += [regularizer(w) for regularizer, w in self._regularized]
        for term in extra:
            term = torch.sum(term) if term.ndim else term
            total = term if total is None else total + term
        if total is None:
            raise ValueError(
                "The model has no loss to optimize: pass `loss=` to `compile()` (and targets "
                "`y` to `fit()`), or add losses with `add_loss()`."
            )
        return total

    def _train_step(self, x, y, sample_weight) -> None:
        for p in self._trainable_params:
            p.grad = None
        y_pred = self._forward(x, True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._update_metrics(x, y, y_pred, sample_weight, loss)
        # `loss_scale_factor`: gradients of the scaled loss, unscaled by the optimizer.
        self.optimizer.scale_loss(loss).backward()
        if not self.optimizer.built:
            self.optimizer.build(self._trainable_params)
        self.optimizer._step_from_grads()

    def _update_metrics(self, x, y, y_pred, sample_weight, loss) -> None:
        batch_size = data_adapters.flatten(x)[0].shape[0]
        tracker = self._loss_tracker
        if tracker.total.device == loss.device:
            # `update_state(loss, sample_weight=batch_size)` without the generic checks:
            # the running sum stays on the device, the count on the host.
            tracker.total.add_(loss.detach(), alpha=batch_size)
            tracker._add_count(batch_size)
        else:
            tracker.update_state(loss.detach(), sample_weight=batch_size)
        if y is not None and self._compile_metrics is not None:
            self._compile_metrics.update_state(y, _detach(y_pred), sample_weight,
                                               self._output_names())

    def _test_step(self, x, y, sample_weight) -> None:
        with torch.no_grad():
            y_pred = self._forward(x, False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
            self._update_metrics(x, y, y_pred, sample_weight, loss)

    def _predict_step(self, x):
        with torch.no_grad():
            return self._forward(x, False)

    # ------------------------------------------------------------------- logs
    def _metric_values(self) -> dict:
        """Current metric results: Python floats, NumPy arrays for non-scalar results.

        All scalars are read back from the device together, in one transfer.
        """
        results = {}
        for m in self.metrics:
            result = m.result()
            results.update(result if isinstance(result, dict) else {m.name: result})
        tensors = {k: torch.as_tensor(v).detach() for k, v in results.items()}
        scalar_keys = [k for k, t in tensors.items() if t.ndim == 0]
        values = {}
        if scalar_keys:
            stacked = torch.stack([tensors[k].to(torch.float64) for k in scalar_keys]).cpu()
            values.update(zip(scalar_keys, stacked.tolist()))
        return {k: values[k] if k in values else tensors[k].cpu().numpy() for k in results}

    def _logs(self) -> dict:
        """Keras' log order: names sorted alphabetically."""
        return dict(sorted(self._metric_values().items()))

    # -------------------------------------------------------------------- fit
    def _prepare_training(self, x) -> None:
        if not self.built:
            self._build_from_data(x)
        self._trainable_params = list(self.trainable_weights)
        if not getattr(self, "_optimizer_synced", True):
            built_for = [id(v) for v in self.optimizer._variables] if self.optimizer.built else None
            if built_for is not None and built_for != [id(p) for p in self._trainable_params]:
                self.optimizer.built = False  # new weights: fresh slots, as a new compile gives
                self.optimizer.build(self._trainable_params)
            self._optimizer_synced = True
        self._regularized = [(w.regularizer, w) for w in self.weights
                             if getattr(w, "regularizer", None) is not None and w.trainable]
        device = self._device()
        for m in self.metrics:
            m.to(device)

    def _build_from_data(self, x) -> None:
        sample = data_adapters.map_structure(lambda a: a[:1], x)
        sample = data_adapters.map_structure(lambda a: data_adapters.to_tensor(a), sample)
        with torch.no_grad():
            self(sample, training=False)
        self._maybe_move_to_default_device()

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
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
        """
        for legacy in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled("fit")
        callbacks = argument_validation.check_fit(self, x, y, batch_size, epochs, callbacks, validation_split, class_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size, validation_freq)  # noqa: E501
        tune_malloc()
        if validation_data is None and validation_split:
            if not data_adapters._is_array_structure(x):
                raise ValueError(
                    "`validation_split` is only supported for array inputs. With a generator, "
                    "pass `validation_data` instead."
                )
            (x, y, sample_weight), validation_data = data_adapters.train_validation_split(
                (x, y, sample_weight), validation_split)
        device = self._device()
        adapter = data_adapters.get_data_adapter(
            x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight, device)
        if isinstance(adapter, data_adapters.ArrayDataAdapter):
            self._prepare_training(adapter.x)
            if adapter.device != self._device():
                adapter = data_adapters.get_data_adapter(
                    x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight,
                    self._device())
            check_finite(adapter.x, "x")
            check_targets(self, adapter.y)
        val_adapter = None
        if validation_data is not None:
            val_adapter = self._validation_adapter(validation_data, validation_batch_size
                                                   or batch_size, validation_steps)

        verbose = resolve_verbose(verbose)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                     model=self, verbose=verbose, epochs=epochs,
                                     steps=adapter.steps)
        self.stop_training = False
        self.train()
        self._initial_epoch, self._initial_step, self._resume_hook = None, 0, None
        callback_list.on_train_begin()
        if self._initial_epoch is not None:  # `BackupAndRestore` resumes an interrupted run.
            initial_epoch = self._initial_epoch
        resume_step = self._initial_step
        epoch_logs = {}
        batch_begin = callback_list.wants("on_train_batch_begin")
        batch_end = callback_list.wants("on_train_batch_end")
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            steps_done = first_step = 0
            batches = adapter.epoch()
            if resume_step:
                batches = self._skip_batches(batches, resume_step, adapter)
                steps_done = first_step = resume_step
                resume_step = 0
            for step, (xb, yb, swb) in enumerate(batches, first_step):
                if steps_done == 0 and not isinstance(adapter, data_adapters.ArrayDataAdapter):
                    if not self.built or not hasattr(self, "_trainable_params"):
                        self._prepare_training(xb)
                if batch_begin:
                    callback_list.on_train_batch_begin(step)
                self._train_step(xb, yb, swb)
                steps_done += 1
                if batch_end:
                    callback_list.on_train_batch_end(step, LazyLogs(self._logs))
                if self.stop_training:
                    break
            if steps_done == 0:
                if epoch == initial_epoch:
                    raise ValueError(
                        "The training data produced no batch. Check that `x` is not empty and "
                        "that the generator yields `(x, y)` batches."
                    )
                break
            epoch_logs = self._logs()
            if val_adapter is not None and _should_validate(epoch, validation_freq):
                val_logs = self._run_evaluation(val_adapter, callback_list)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                epoch_logs = dict(sorted(epoch_logs.items()))  # Keras sorts all log keys
                self.train()
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training or getattr(adapter, "exhausted", False):
                break
        if epochs > initial_epoch and self.optimizer.built:
            # Writes the EMA weights into the model when `use_ema=True`, as Keras does.
            self.optimizer.finalize_variable_values(self._trainable_params)
        callback_list.on_train_end(epoch_logs)
        self.eval()
        history = callback_list.history
        self.history = history
        return history

    def _skip_batches(self, batches, count: int, adapter):
        """Yields the batches of a resumed epoch after its first `count` (already trained).

        The epoch is drawn as in the interrupted run (same shuffle order, since
        `BackupAndRestore` restored the random state in `on_epoch_begin`). Once the
        `count` batches are skipped, and before the next is drawn, `self._resume_hook`
        receives the first batch and restores the metrics and random state of the
        interrupted run.
        """
        iterator = iter(batches)
        first = None
        for _ in range(count):
            batch = next(iterator, None)
            if batch is None:
                break
            if first is None:
                first = batch
        if first is not None and not isinstance(adapter, data_adapters.ArrayDataAdapter):
            if not self.built or not hasattr(self, "_trainable_params"):
                self._prepare_training(first[0])
        hook, self._resume_hook = self._resume_hook, None
        if hook is not None:
            hook(first)
        yield from iterator

    def _validation_adapter(self, validation_data, batch_size, steps):
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

    def _run_evaluation(self, adapter, callback_list) -> dict:
        self.reset_metrics()
        self.eval()
        callback_list.on_test_begin()
        batch_begin = callback_list.wants("on_test_batch_begin")
        batch_end = callback_list.wants("on_test_batch_end")
        for step, (xb, yb, swb) in enumerate(adapter.epoch()):
            if batch_begin:
                callback_list.on_test_batch_begin(step)
            self._test_step(xb, yb, swb)
            if batch_end:
                callback_list.on_test_batch_end(step, LazyLogs(self._logs))
        logs = self._logs()
        callback_list.on_test_end(logs)
        return logs

    # --------------------------------------------------------------- evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
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
        tune_malloc()
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, batch_size, steps, False,
                                                 None, self._device())
        if isinstance(adapter, data_adapters.ArrayDataAdapter):
            self._prepare_training(adapter.x)
            check_targets(self, adapter.y)
        elif not self.built:
            pass
        verbose = resolve_verbose(verbose)
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=adapter.steps)
        if not hasattr(self, "_trainable_params"):
            self._trainable_params = list(self.trainable_weights)
        logs = self._run_evaluation(adapter, callback_list)
        if return_dict:
            return logs
        values = self._metric_values()
        ordered = [values[m.name] for m in self.metrics if m.name in values]
        return ordered[0] if len(ordered) == 1 else ordered

    # ---------------------------------------------------------------- predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
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
        tune_malloc()
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
        for step, (xb, _, _) in enumerate(adapter.epoch()):
            if batch_begin:
                callback_list.on_predict_batch_begin(step)
            out = self._predict_step(xb)
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
        tune_malloc()
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, None, None, False,
                                                 class_weight, self._device())
        if not hasattr(self, "_trainable_params") or not self.built:
            self._prepare_training(adapter.x)
        self.train()
        self.reset_metrics()
        x_t, y_t, sw_t = adapter.x, adapter.y, adapter.sample_weight
        self._train_step(x_t, y_t, sw_t)
        return self._on_batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Evaluates one batch; returns the loss and metrics of that batch."""
        self._assert_compiled("test_on_batch")
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, None, None, False, None,
                                                 self._device())
        if not self.built:
            self._prepare_training(adapter.x)
        self.reset_metrics()
        self._test_step(adapter.x, adapter.y, adapter.sample_weight)
        return self._on_batch_result(return_dict)

    def predict_on_batch(self, x):
        """Returns the model's outputs for one batch, as NumPy."""
        x = data_adapters.map_structure(lambda a: data_adapters.to_tensor(a, self._device()), x)
        return _concat_outputs([self._predict_step(x)])

    def _on_batch_result(self, return_dict):
        if return_dict:
            return self._logs()
        values = self._metric_values()
        ordered = [values[m.name] for m in self.metrics if m.name in values]
        return ordered[0] if len(ordered) == 1 else ordered

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


def _detach(x):
    """Detaches outputs for the metrics, keeping the logits softmax/sigmoid remembered."""
    return data_adapters.map_structure(
        lambda t: _keep_mask(copy_logits(t.detach(), t, torch.Tensor.detach), t)
        if isinstance(t, torch.Tensor) else t, x)


def _keep_mask(detached, source):
    """The Keras mask of `source` (e.g. `Embedding(mask_zero=True)`) rides on its copy."""
    mask = getattr(source, "_keras_mask", None)
    if mask is not None:
        detached._keras_mask = mask
    return detached


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


def _concat_outputs(outputs):
    first = outputs[0]
    if isinstance(first, torch.Tensor):
        return torch.cat([o.detach() for o in outputs]).cpu().numpy()
    if isinstance(first, (list, tuple)):
        return [_concat_outputs([o[i] for o in outputs]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat_outputs([o[k] for o in outputs]) for k in first}
    return np.asarray(outputs)
