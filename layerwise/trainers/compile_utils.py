"""What `compile` stores: the loss and the metrics, resolved once shapes are known.

`'accuracy'`/`'acc'` becomes binary, categorical or sparse categorical accuracy
from the shapes of the targets and predictions, exactly as Keras decides it,
and keeps the name the user wrote (so `'acc'` logs `acc` and `val_acc`).
"""

from __future__ import annotations

from collections.abc import Collection

import torch

from layerwise import losses as losses_module
from layerwise import metrics as metrics_module
from layerwise.backend.naming import to_snake_case
from layerwise.losses.loss import Loss, LossFunctionWrapper
from layerwise.metrics.metric import Mean, MeanMetricWrapper, Metric
from layerwise.registry import object_registry


def is_binary_or_sparse_categorical(y_true, y_pred):
    """Keras' rule: binary if one output unit; sparse if labels have one dimension fewer."""
    y_t_rank, y_p_rank = y_true.ndim, y_pred.ndim
    y_t_last = y_true.shape[-1] if y_t_rank else 1
    y_p_last = y_pred.shape[-1] if y_p_rank else 1
    is_binary = y_p_last == 1
    is_sparse = y_t_rank < y_p_rank or (y_t_last == 1 and y_p_last > 1)
    return is_binary, is_sparse


def get_metric(identifier, y_true, y_pred) -> Metric:
    """Resolves one entry of `compile(metrics=...)` into a `Metric` named as Keras names it."""
    if identifier is None:
        raise ValueError("Expected a metric, received `None`.")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = metrics_module.BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = metrics_module.SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = metrics_module.CategoricalAccuracy(name=str(identifier))
    elif str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        fn = (losses_module.binary_crossentropy if is_binary else
              losses_module.sparse_categorical_crossentropy if is_sparse else
              losses_module.categorical_crossentropy)
        metric = MeanMetricWrapper(fn, name=str(identifier))
    else:
        metric = metrics_module.get(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(
            metric, name=to_snake_case(getattr(metric, "__name__", type(metric).__name__)))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def get_loss(identifier, y_true, y_pred) -> Loss:
    """Resolves `compile(loss=...)` into a `Loss` object."""
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        identifier = ("binary_crossentropy" if is_binary else
                      "sparse_categorical_crossentropy" if is_sparse else
                      "categorical_crossentropy")
    loss = losses_module.get(identifier)
    if isinstance(loss, Loss):
        return loss
    if loss is losses_module.sparse_categorical_crossentropy:
        return losses_module.SparseCategoricalCrossentropy()
    return LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


def _flat_targets(y, names, what="y"):
    """Flattens targets given as one array, a list (output order) or a dict (output names)."""
    if isinstance(y, dict):
        unknown = [k for k in y if k not in names]
        if unknown:
            raise ValueError(
                f"`{what}` has keys {unknown} that are not output names of the model "
                f"({names})."
            )
        return [y.get(n) for n in names]
    if isinstance(y, (list, tuple)):
        if len(y) != len(names):
            raise ValueError(
                f"The model has {len(names)} outputs {names} but `{what}` has {len(y)} entries. "
                "Pass one target array per output (a list in output order or a dict by name)."
            )
        return list(y)
    if len(names) != 1:
        raise ValueError(
            f"The model has {len(names)} outputs {names} but a single `{what}` array was "
            "given. Pass a list or a dict of targets."
        )
    return [y]


def _per_output(value, names, what, default=None):
    """Spreads a compile argument (single, list in output order, or dict) over the outputs."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"`{what}` has keys {unknown} that are not output names of the model ({names})."
            )
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"`{what}` has {len(value)} entries but the model has {len(names)} outputs "
                f"{names}. Pass one entry per output, or a dict by output name."
            )
        return list(value)
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueError(
                f"`{what}` has {len(value)} entries but the model has a single output."
            )
        return list(value)
    return [value] * len(names)


class CompileLoss:
    """The compiled loss: one loss per output, weighted and summed.

    With several outputs, the unweighted loss of each output is also tracked
    as `<output name>_loss`, as in Keras.
    """

    def __init__(self, loss, loss_weights=None):
        for identifier in _flatten_identifiers(loss):
            if isinstance(identifier, str) and identifier.lower() not in ("crossentropy", "ce"):
                # Fail at compile time on unknown names.
                object_registry.check_known("loss", identifier, losses_module._REGISTRY)
        self.identifier = loss
        self.loss_weights = loss_weights
        self.losses: list = []
        self.weights: list = []
        self.output_names: list[str] = []
        self.trackers: list = []
        self.built = False

    def build(self, y_true, y_pred, output_names) -> None:
        names = _names_for(output_names, y_pred)
        flat_pred = _flatten_structure(y_pred)
        flat_true = _flat_targets(y_true, names)
        identifiers = _per_output(self.identifier, names, "loss")
        weights = _per_output(self.loss_weights, names, "loss_weights", default=1.0)
        self.losses = [None if ident is None else get_loss(ident, yt, yp)
                       for ident, yt, yp in zip(identifiers, flat_true, flat_pred)]
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.output_names = names
        self.trackers = [Mean(name=f"{n}_loss") if len(names) > 1 and loss is not None else None
                         for n, loss in zip(names, self.losses)]
        self.built = True

    @property
    def metrics(self) -> list:
        return [t for t in self.trackers if t is not None]

    def __call__(self, y_true, y_pred, sample_weight=None, output_names=("output_0",)):
        if not self.built:
            self.build(y_true, y_pred, output_names)
        flat_pred = _flatten_structure(y_pred)
        flat_true = _flat_targets(y_true, self.output_names)
        flat_sw = _flat_sample_weights(sample_weight, self.output_names)
        total = None
        for loss, weight, yt, yp, sw, tracker in zip(self.losses, self.weights, flat_true,
                                                     flat_pred, flat_sw, self.trackers):
            if loss is None or yt is None:
                continue
            value = loss(yt, yp, sw)
            if tracker is not None:
                tracker.update_state(value.detach(), sample_weight=yp.shape[0])
            weighted = value * weight if weight != 1.0 else value
            total = weighted if total is None else total + weighted
        return total


class CompileMetrics(Metric):
    """The compiled metrics (and weighted metrics), per output: `model.metrics`' second entry.

    As in Keras 3 it is itself a metric named `"compile_metrics"` whose `result()`
    is a dict of its metrics' results. With one output their log keys are the
    names as written; with several, `<output name>_<metric name>`, as in Keras.

    Args:
        metrics: What `compile(metrics=...)` received.
        weighted_metrics: What `compile(weighted_metrics=...)` received.
        output_names: Function returning the model's output names (read when built).
    """

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        super().__init__(name="compile_metrics")
        for identifier in _flatten_identifiers(metrics) + _flatten_identifiers(weighted_metrics):
            if isinstance(identifier, str) and identifier.lower() not in (
                "accuracy", "acc", "crossentropy", "ce"
            ):
                # Fail at compile time on unknown names (without creating, so naming agrees
                # with Keras: a later `Precision()` is still `precision_1`).
                object_registry.check_known("metric", identifier, metrics_module._REGISTRY)
        self.identifiers = metrics
        self.weighted_identifiers = weighted_metrics
        self._output_names_fn = output_names
        self.plain_metrics: list[Metric] = []
        self.weighted_metrics: list[Metric] = []
        self._per_output: list[tuple[int, Metric, bool]] = []
        self._bare_names: list[str] = []
        self.output_names: list[str] = []
        self.built = False

    def _spread(self, value, names, what):
        if value is None:
            return [[] for _ in names]
        if len(names) == 1:
            if isinstance(value, dict):
                value = _per_output(value, names, what, default=[])[0]
            if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(
                value[0], (list, tuple)
            ):
                value = value[0]
            return [list(value) if isinstance(value, (list, tuple)) else [value]]
        if isinstance(value, dict):
            spread = _per_output(value, names, what, default=[])
        elif isinstance(value, (list, tuple)) and all(
            isinstance(v, (list, tuple)) or v is None for v in value
        ) and len(value) == len(names):
            spread = list(value)
        else:
            raise ValueError(
                f"Invalid `{what}` for a model with several outputs {names}: pass a dict by "
                f"output name or a list with one list of metrics per output. Received: "
                f"{what}={value!r}"
            )
        return [[] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])
                for v in spread]

    def _make_metrics(self, spread, names, flat_true, flat_pred, weighted: bool,
                      taken: Collection[str] = ()) -> list[Metric]:
        """The metrics of `spread` for the outputs that have targets, named after their output
        (with `weighted_` before a name in `taken`), recorded in `_per_output` / `_bare_names`."""
        made = []
        for i, (yt, yp) in enumerate(zip(flat_true, flat_pred)):
            if yt is None:
                continue
            for identifier in spread[i]:
                m = get_metric(identifier, yt, yp)
                self._bare_names.append(m.name)
                if len(names) > 1:
                    m.name = f"{names[i]}_{m.name}"
                if m.name in taken:
                    m.name = "weighted_" + m.name
                made.append(m)
                self._per_output.append((i, m, weighted))
        return made

    def build(self, y_true, y_pred, output_names) -> None:
        names = _names_for(output_names, y_pred)
        flat_pred = _flatten_structure(y_pred)
        flat_true = _flat_targets(y_true, names)
        plain = self._spread(self.identifiers, names, "metrics")
        weighted = self._spread(self.weighted_identifiers, names, "weighted_metrics")
        self._per_output, self._bare_names = [], []
        self.plain_metrics = self._make_metrics(plain, names, flat_true, flat_pred, False)
        taken = {m.name for m in self.plain_metrics}
        self.weighted_metrics = self._make_metrics(weighted, names, flat_true, flat_pred, True,
                                                   taken)
        self.output_names = names
        for m in self.metrics:
            m.to(self._device)
        self.built = True

    @property
    def metrics(self) -> list[Metric]:
        """The metrics, then the weighted metrics (empty until the first update)."""
        return self.plain_metrics + self.weighted_metrics

    all_metrics = metrics

    @property
    def bare_names(self) -> list[str]:
        """The metric names before the output-name prefix (Keras' `metric.metrics` names)."""
        return list(self._bare_names)

    @property
    def variables(self) -> list:
        return [v for m in self.metrics for v in m.variables]

    def _load_state_values(self, values) -> None:
        values = list(values)
        for m in self.metrics:
            count = len(m.variables)
            m._load_state_values(values[:count])
            values = values[count:]

    def update_state(self, y_true, y_pred, sample_weight=None, output_names=None):
        if not self.built:
            if output_names is None:
                output_names = self._output_names_fn() if self._output_names_fn else ["output_0"]
            self.build(y_true, y_pred, output_names)
        flat_pred = _flatten_structure(y_pred)
        flat_true = _flat_targets(y_true, self.output_names)
        flat_sw = _flat_sample_weights(sample_weight, self.output_names)
        for i, metric, weighted in self._per_output:
            if weighted:
                metric.update_state(flat_true[i], flat_pred[i], flat_sw[i])
            else:
                metric.update_state(flat_true[i], flat_pred[i])

    def result(self) -> dict:
        results = {}
        for m in self.metrics:
            value = m.result()
            results.update(value if isinstance(value, dict) else {m.name: value})
        return results

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def to(self, device) -> CompileMetrics:
        self._device = torch.device(device)
        for m in self.metrics:
            m.to(device)
        return self


def _names_for(output_names, y_pred) -> list[str]:
    """The output names; for a model without any (subclassed), from its outputs' structure:
    the keys of a dict, `output_<i>` for a list or tuple."""
    names = list(output_names)
    if names == ["output_0"] and isinstance(y_pred, (list, tuple, dict)) and len(y_pred) > 1:
        if isinstance(y_pred, dict):
            return [str(k) for k in y_pred]
        return [f"output_{i}" for i in range(len(y_pred))]
    return names


def _flatten_structure(x) -> list:
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _flat_sample_weights(sample_weight, names):
    if sample_weight is None:
        return [None] * len(names)
    if isinstance(sample_weight, (dict, list, tuple)) and len(names) > 1:
        return _flat_targets(sample_weight, names, "sample_weight")
    return [sample_weight] * len(names)


def _flatten_identifiers(value) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _flatten_identifiers(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _flatten_identifiers(v)]
    return [value]
