"""What `compile` stores: the loss and the metrics, resolved once shapes are known.

`'accuracy'`/`'acc'` becomes binary, categorical or sparse categorical accuracy
from the shapes of the targets and predictions, exactly as Keras decides it,
and keeps the name the user wrote (so `'acc'` logs `acc` and `val_acc`).
"""

from __future__ import annotations

from layerwise import losses as losses_module
from layerwise import metrics as metrics_module
from layerwise.losses.loss import Loss, LossFunctionWrapper
from layerwise.metrics.metric import MeanMetricWrapper, Metric


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
        metric = MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
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


class CompileLoss:
    """The compiled loss of a single-output model (lists of one are accepted)."""

    def __init__(self, loss, loss_weights=None):
        if isinstance(loss, (list, tuple)):
            if len(loss) != 1:
                raise ValueError(
                    f"`loss` has {len(loss)} entries but the model has a single output. "
                    "Pass one loss."
                )
            loss = loss[0]
        if isinstance(loss_weights, (list, tuple)):
            loss_weights = loss_weights[0] if loss_weights else None
        if isinstance(loss, str) or callable(loss) or isinstance(loss, dict):
            if not (isinstance(loss, str) and loss.lower() in ("crossentropy", "ce")):
                losses_module.get(loss)  # Fail at compile time on unknown names.
        self.identifier = loss
        self.loss_weight = 1.0 if loss_weights is None else float(loss_weights)
        self.loss = None

    def build(self, y_true, y_pred) -> None:
        self.loss = get_loss(self.identifier, y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.loss is None:
            self.build(y_true, y_pred)
        value = self.loss(y_true, y_pred, sample_weight)
        return value * self.loss_weight if self.loss_weight != 1.0 else value


class CompileMetrics:
    """The compiled metrics (and weighted metrics) of a single-output model."""

    def __init__(self, metrics=None, weighted_metrics=None):
        self.identifiers = _as_list(metrics, "metrics")
        self.weighted_identifiers = _as_list(weighted_metrics, "weighted_metrics")
        for identifier in self.identifiers + self.weighted_identifiers:
            if isinstance(identifier, str) and identifier.lower() not in (
                "accuracy", "acc", "crossentropy", "ce"
            ):
                metrics_module.get(identifier)  # Fail at compile time on unknown names.
        self.metrics: list[Metric] = []
        self.weighted_metrics: list[Metric] = []
        self.built = False

    def build(self, y_true, y_pred) -> None:
        self.metrics = [get_metric(m, y_true, y_pred) for m in self.identifiers]
        self.weighted_metrics = [get_metric(m, y_true, y_pred) for m in self.weighted_identifiers]
        names = [m.name for m in self.metrics]
        for m in self.weighted_metrics:
            if m.name in names:
                m.name = "weighted_" + m.name
        self.built = True

    @property
    def all_metrics(self) -> list[Metric]:
        return self.metrics + self.weighted_metrics

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        for m in self.metrics:
            m.update_state(y_true, y_pred)
        for m in self.weighted_metrics:
            m.update_state(y_true, y_pred, sample_weight)

    def reset_state(self) -> None:
        for m in self.all_metrics:
            m.reset_state()


def _as_list(metrics, name):
    if metrics is None:
        return []
    if isinstance(metrics, dict):
        raise ValueError(
            f"`{name}` as a dict needs a multi-output model; this model has one output. "
            "Pass a list."
        )
    if isinstance(metrics, (list, tuple)):
        if len(metrics) == 1 and isinstance(metrics[0], (list, tuple)):
            return list(metrics[0])
        return list(metrics)
    return [metrics]
