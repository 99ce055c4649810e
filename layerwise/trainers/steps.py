"""The train / test / predict steps: Keras 3's public, overridable ones and the fast path.

`fit`, `evaluate` and `predict` call the public `train_step(data)`, `test_step(data)`
and `predict_step(data)` of a model that overrides them (or `compute_metrics`),
with each batch packed as Keras packs it (`x`, `(x,)`, `(x, y)` or
`(x, y, sample_weight)`), and log what they return. When nothing is overridden they
run the built-in fast path (`_train_step`, ...): same computation, but the metric
values stay on the device until a log is read.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import torch

from layerwise.activations.logits import copy_logits
from layerwise.backend import call_context
from layerwise.trainers import data_adapters, kernel_sgd
from layerwise.trainers.logs import pythonify_logs
from layerwise.trainers.trainer_state import TrainerState


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras' batch packing: `x` (or `(x,)` for a list/tuple `x`), `(x, y)`, `(x, y, sw)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a batch packed as above (missing parts are `None`)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found a tuple of {len(data)} elements."
    )


class Steps(TrainerState):
    """Mixin: the steps of a `Model` (public and fast); its state is `TrainerState`."""

    if TYPE_CHECKING:  # defined by `Trainer`, the subclass that all models inherit
        def _output_names(self) -> list[str]: ...

        @property
        def metrics(self) -> list[Any]: ...

    # ------------------------------------------------------------- public API
    def train_step(self, data):
        """One training step on a batch `data`; returns the logs (Keras 3, torch backend).

        Override it to customize what `fit` does; `fit` calls it with each batch
        (`(x, y)` or `(x, y, sample_weight)`) and passes what it returns to the
        callbacks.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.zero_grad()
        loss = self._compute_loss_call(x, y, y_pred, sample_weight, training=True)
        assert self._loss_tracker is not None  # set by `compile`, which `fit` checks
        self._loss_tracker.add_batch_mean(loss, _batch_size(x))
        if self.optimizer is not None:
            loss = self.optimizer.scale_loss(loss)
        trainable_weights = self._trained_weights()
        if trainable_weights:
            loss.backward()
            gradients = [v.value.grad for v in trainable_weights]
            assert self.optimizer is not None  # set by `compile`, which `fit` checks
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
        return self.compute_metrics(x, y, _detach(y_pred), sample_weight=sample_weight)

    def test_step(self, data):
        """One evaluation step on a batch `data`; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with torch.no_grad():
            y_pred = self(x, training=False)
            loss = self._compute_loss_call(x, y, y_pred, sample_weight, training=False)
        assert self._loss_tracker is not None  # set by `compile`, which `evaluate` checks
        self._loss_tracker.add_batch_mean(loss, _batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch `data` (`x` or `(x, ...)`)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        with torch.no_grad():
            return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the losses added by layers (`add_loss`, regularizers).

        Override it to change the loss the built-in steps minimize.
        """
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
                "`y` to `fit()`), or add losses with `add_loss()`, or override `train_step`."
            )
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics with a batch; returns every metric's result."""
        del x  # The built-in metrics do not use `x`.
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight, self._output_names())
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """`{name: value}` of every metric in `model.metrics` (Python floats)."""
        return self._metric_values()

    # ------------------------------------------------------------ dispatching
    def _uses_custom_step(self, kind: str) -> bool:
        """Whether `kind` ("train", "test", "predict") runs a user-overridden step."""
        cls = type(self)
        names = {"train": ("train_step", "compute_metrics"),
                 "test": ("test_step", "compute_metrics"),
                 "predict": ("predict_step",)}[kind]
        return any(getattr(cls, n) is not getattr(Steps, n) for n in names)

    def _step_function(self, kind: str):
        """`fn(x, y, sample_weight)` for one batch: the fast path unless a step is overridden.

        The fast path returns `None` (logs are read from the metrics when needed);
        a custom step returns its logs.
        """
        if not self._uses_custom_step(kind):
            return {"train": self._train_step, "test": self._test_step,
                    "predict": self._predict_step}[kind]
        step = {"train": self.train_step, "test": self.test_step,
                "predict": self.predict_step}[kind]

        if kind == "train":
            def custom(x, y=None, sample_weight=None):
                return step(pack_x_y_sample_weight(x, y, sample_weight))
        else:
            def custom(x, y=None, sample_weight=None):
                with torch.no_grad():  # As Keras 3's torch test and predict functions.
                    return step(pack_x_y_sample_weight(x, y, sample_weight))

        return custom

    def _trained_weights(self) -> list:
        params = self._trainable_params
        return list(self.trainable_weights) if params is None else list(params)

    def _compute_loss_call(self, x, y, y_pred, sample_weight, training):
        """Calls `compute_loss`, with `training` only if an override accepts it (Keras)."""
        if _accepts_training(type(self).compute_loss):
            return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=training)
        return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)

    # -------------------------------------------------------------- fast path
    def _forward(self, x, training):
        if training and self._ddp_module is not None:
            return self._ddp_module(x, training=True)  # gradients averaged over the ranks
        if self._jit_forward is not None and not isinstance(x, (list, dict)):
            call_context.enter(training)
            try:
                return self._jit_forward(x, training=training)
            finally:
                call_context.exit_call()
        return self(x, training=training)

    def _train_step(self, x, y, sample_weight) -> None:
        # Set by `compile` and `train_state.ensure_prepared`, which run before any step.
        assert self._trainable_params is not None and self.optimizer is not None
        for p in self._trainable_params:
            p.grad = None
        sink = self._kernel_grad_sink
        if sink is not None:
            sink.active = True  # Dense kernels: products for SGD (trainers/kernel_sgd.py)
            sink.pending.clear()  # nothing left over from a step that raised
        try:
            y_pred = self._forward(x, True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        finally:
            if sink is not None:
                sink.active = False
        self._update_metrics(x, y, y_pred, sample_weight, loss)
        if not self._trainable_params:
            return  # Nothing to train (warned once by `fit`), as Keras.
        # `loss_scale_factor`: gradients of the scaled loss, unscaled by the optimizer.
        self.optimizer.scale_loss(loss).backward()
        if not self.optimizer.built:
            self.optimizer.build(self._trainable_params)
        if sink is not None:
            kernel_sgd.step(self.optimizer, sink)
        else:
            self.optimizer.step_from_grads()

    def _update_metrics(self, x, y, y_pred, sample_weight, loss) -> None:
        assert self._loss_tracker is not None  # set by `compile`
        self._loss_tracker.add_batch_mean(loss, _batch_size(x))
        if y is not None and self._compile_metrics is not None:
            self._compile_metrics.update_state(y, _detach(y_pred), sample_weight,
                                               self._output_names())

    def _test_step(self, x, y, sample_weight) -> None:
        with torch.no_grad():
            y_pred = self._forward(x, False)
            loss = self._compute_loss_call(x, y, y_pred, sample_weight, training=False)
            self._update_metrics(x, y, y_pred, sample_weight, loss)

    def _predict_step(self, x, y=None, sample_weight=None):
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

    def _metrics_result_or_logs(self, logs) -> dict:
        """The metrics' results if a custom step logged the same keys, else its last logs."""
        metric_logs = self._logs()
        if logs is None or (isinstance(logs, dict) and set(logs) == set(metric_logs)):
            return metric_logs
        return pythonify_logs(logs)


def _batch_size(x) -> int:
    return data_adapters.flatten(x)[0].shape[0]


def _accepts_training(fn) -> bool:
    cached = _TRAINING_ARG.get(fn)
    if cached is None:
        try:
            parameters = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            parameters = {}
        cached = "training" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        _TRAINING_ARG[fn] = cached
    return cached


_TRAINING_ARG: dict = {}


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
