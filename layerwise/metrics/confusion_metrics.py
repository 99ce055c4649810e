"""Thresholded confusion-matrix metrics: counts, precision/recall, AUC and the `*At*` metrics.

All of them accumulate through one routine,
`metrics_utils.update_confusion_matrix_variables`, which adds the weighted
true/false positive/negative counts at each threshold to state tensors on the
inputs' device. Results are computed from the counts exactly as in Keras 3.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import epsilon
from layerwise.metrics import metrics_utils
from layerwise.metrics.metric import Metric, _detach, as_tensor, divide_no_nan
from layerwise.metrics.metrics_utils import ConfusionMatrix

_ATTRIBUTES = {
    ConfusionMatrix.TRUE_POSITIVES: "true_positives",
    ConfusionMatrix.FALSE_POSITIVES: "false_positives",
    ConfusionMatrix.TRUE_NEGATIVES: "true_negatives",
    ConfusionMatrix.FALSE_NEGATIVES: "false_negatives",
}


class _ConfusionMatrixMetric(Metric):
    """Base of the thresholded metrics: holds the thresholds and feeds the shared accumulator.

    Subclasses call `_set_thresholds` and create their count variables, then
    `_accumulate(targets, ...)` maps each `ConfusionMatrix` condition to the
    name of the state variable that receives it.
    """

    def _set_thresholds(self, thresholds, evenly: bool) -> None:
        thresholds = np.asarray(thresholds, dtype=np.float64)
        self._thresholds_distributed_evenly = bool(evenly)
        self._thresholds_with_epsilon = bool(
            len(thresholds) and (thresholds[0] < 0.0 or thresholds[-1] > 1.0))
        self._thresholds_tensor = torch.as_tensor(thresholds).to(
            dtype=torch.float32, device=self._device)

    def _accumulate(self, targets: dict, y_true, y_pred, sample_weight=None, **kwargs) -> None:
        """Adds the counts of `targets` (condition -> state attribute name) in place."""
        self._follow(self._input_device(y_pred, y_true))
        variables = {cond: getattr(self, attr) for cond, attr in targets.items()}
        thresholds = self._thresholds_tensor
        first = next(iter(variables.values()))
        if thresholds.dtype != first.dtype:
            thresholds = thresholds.to(first.dtype)
        metrics_utils.update_confusion_matrix_variables(
            variables, _detach(y_true), _detach(y_pred), thresholds,
            sample_weight=_detach(sample_weight),
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            thresholds_with_epsilon=self._thresholds_with_epsilon,
            **kwargs,
        )

    def _variables_for(self, *conditions) -> dict:
        return {c: _ATTRIBUTES[c] for c in conditions}


class _ConfusionMatrixConditionCount(_ConfusionMatrixMetric):
    """The (weighted) number of one confusion-matrix condition at each threshold."""

    _condition: ConfusionMatrix

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._set_thresholds(
            self.thresholds, metrics_utils.is_evenly_distributed_thresholds(self.thresholds))
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the count.

        Args:
            y_true: Labels (cast to `bool`).
            y_pred: Predictions in `[0, 1]`.
            sample_weight: Optional weights, rank 0 or the rank of `y_true`.
        """
        self._accumulate({self._condition: "accumulator"}, y_true, y_pred, sample_weight)

    def result(self) -> torch.Tensor:
        acc = self.accumulator.detach()
        return acc[0].clone() if len(self.thresholds) == 1 else acc.clone()

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """The number (or weighted sum) of false positives: `y_true == 0` and `y_pred > threshold`.

    Args:
        thresholds: A float or a list of floats in `[0, 1]` (default `0.5`); one
            count per threshold. Use `0` with logits.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.FalsePositives()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    >>> float(m.result())
    2.0
    >>> m.reset_state()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    >>> float(m.result())
    1.0
    """

    _condition = ConfusionMatrix.FALSE_POSITIVES


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The number (or weighted sum) of false negatives: `y_true == 1` and `y_pred <= threshold`.

    Args:
        thresholds: A float or a list of floats in `[0, 1]` (default `0.5`).
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.FalseNegatives()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _condition = ConfusionMatrix.FALSE_NEGATIVES


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The number (or weighted sum) of true negatives: `y_true == 0` and `y_pred <= threshold`.

    Args:
        thresholds: A float or a list of floats in `[0, 1]` (default `0.5`).
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.TrueNegatives()
    >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _condition = ConfusionMatrix.TRUE_NEGATIVES


class TruePositives(_ConfusionMatrixConditionCount):
    """The number (or weighted sum) of true positives: `y_true == 1` and `y_pred > threshold`.

    Args:
        thresholds: A float or a list of floats in `[0, 1]` (default `0.5`).
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.TruePositives(thresholds=[0.0, 0.5, 1.0])
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result().tolist()
    [2.0, 2.0, 0.0]
    """

    _condition = ConfusionMatrix.TRUE_POSITIVES


class _PrecisionRecallBase(_ConfusionMatrixMetric):
    _second: ConfusionMatrix

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else metrics_utils.NEG_INF
        self.thresholds = metrics_utils.parse_init_thresholds(
            thresholds, default_threshold=default_threshold)
        self._set_thresholds(
            self.thresholds, metrics_utils.is_evenly_distributed_thresholds(self.thresholds))
        self.add_variable(shape=(len(self.thresholds),), name="true_positives")
        self.add_variable(shape=(len(self.thresholds),), name=_ATTRIBUTES[self._second])

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the counts.

        Args:
            y_true: Labels, same shape as `y_pred` (cast to `bool`).
            y_pred: Predictions in `[0, 1]`.
            sample_weight: Optional weights, rank 0 or the rank of `y_true`.
        """
        self._accumulate(
            self._variables_for(ConfusionMatrix.TRUE_POSITIVES, self._second),
            y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id,
        )

    def result(self) -> torch.Tensor:
        tp = self.true_positives.detach()
        other = getattr(self, _ATTRIBUTES[self._second]).detach()
        result = divide_no_nan(tp, tp + other)
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """Precision `tp / (tp + fp)` of the predictions.

    With `top_k`, only the `k` highest predictions of each sample count as
    positive; with `class_id`, only that class is considered.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`; one value per
            threshold. Defaults to `0.5` (or no threshold with `top_k`).
        top_k: Number of top predictions counted as positive.
        class_id: The class (last-axis index) to compute the precision of.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    >>> m = keras.metrics.Precision(top_k=2)
    >>> m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    >>> float(m.result())
    1.0
    """

    _second = ConfusionMatrix.FALSE_POSITIVES


class Recall(_PrecisionRecallBase):
    """Recall `tp / (tp + fn)` of the predictions.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`; one value per
            threshold. Defaults to `0.5` (or no threshold with `top_k`).
        top_k: Number of top predictions counted as positive.
        class_id: The class (last-axis index) to compute the recall of.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _second = ConfusionMatrix.FALSE_NEGATIVES


class SensitivitySpecificityBase(_ConfusionMatrixMetric):
    """Base of the metrics that maximise one rate under a constraint on another.

    Args:
        value: The constraint value in `[0, 1]`.
        num_thresholds: Number of evenly spaced thresholds in `[0, 1]`.
        class_id: The class (last-axis index) to consider.
        name: Name of the metric.
        dtype: Dtype of the result.
    """

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            evenly = True
        self._set_thresholds(self.thresholds, evenly)
        for attr in _ATTRIBUTES.values():
            self.add_variable(shape=(len(self.thresholds),), name=attr)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the four confusion-matrix counts at every threshold."""
        self._accumulate(self._variables_for(*_ATTRIBUTES), y_true, y_pred, sample_weight,
                         class_id=self.class_id)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}

    def _rates(self):
        tp = self.true_positives.detach()
        fp = self.false_positives.detach()
        tn = self.true_negatives.detach()
        fn = self.false_negatives.detach()
        return tp, fp, tn, fn

    def _find_max_under_constraint(self, constrained, dependent) -> torch.Tensor:
        """Largest `dependent` value where `constrained >= value` (0 if none)."""
        feasible = constrained >= self.value
        masked = torch.where(feasible, dependent, torch.zeros_like(dependent))
        return torch.clamp(torch.amax(masked), min=0.0)


def _check_unit(name, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Best sensitivity (recall) among thresholds whose specificity is >= `specificity`.

    Args:
        specificity: A value in `[0, 1]`.
        num_thresholds: Number of thresholds used (default 200).
        class_id: The class (last-axis index) to consider.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        _check_unit("specificity", specificity)
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.specificity = specificity
        self.num_thresholds = num_thresholds

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._rates()
        sensitivities = divide_no_nan(tp, tp + fn)
        specificities = divide_no_nan(tn, tn + fp)
        return self._find_max_under_constraint(specificities, sensitivities)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Best specificity among thresholds whose sensitivity (recall) is >= `sensitivity`.

    Args:
        sensitivity: A value in `[0, 1]`.
        num_thresholds: Number of thresholds used (default 200).
        class_id: The class (last-axis index) to consider.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.SpecificityAtSensitivity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        _check_unit("sensitivity", sensitivity)
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._rates()
        sensitivities = divide_no_nan(tp, tp + fn)
        specificities = divide_no_nan(tn, tn + fp)
        return self._find_max_under_constraint(sensitivities, specificities)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """Best precision among thresholds whose recall is >= `recall`.

    Args:
        recall: A value in `[0, 1]`.
        num_thresholds: Number of thresholds used (default 200).
        class_id: The class (last-axis index) to consider.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.PrecisionAtRecall(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        _check_unit("recall", recall)
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)
        self.recall = recall
        self.num_thresholds = num_thresholds

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._rates()
        recalls = divide_no_nan(tp, tp + fn)
        precisions = divide_no_nan(tp, tp + fp)
        return self._find_max_under_constraint(recalls, precisions)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """Best recall among thresholds whose precision is >= `precision` (0 if none reaches it).

    Args:
        precision: A value in `[0, 1]`.
        num_thresholds: Number of thresholds used (default 200).
        class_id: The class (last-axis index) to consider.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.RecallAtPrecision(0.8)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.5
    """

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        _check_unit("precision", precision)
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.precision = precision
        self.num_thresholds = num_thresholds

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self._rates()
        recalls = divide_no_nan(tp, tp + fn)
        precisions = divide_no_nan(tp, tp + fp)
        return self._find_max_under_constraint(precisions, recalls)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "precision": self.precision}


class AUC(_ConfusionMatrixMetric):
    """Area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Predictions are bucketed at `num_thresholds` thresholds (plus end points
    just outside `[0, 1]`); the curve is then integrated with the chosen
    summation method. `curve="PR"` with `"interpolation"` uses the Davis &
    Goadrich interpolation, as Keras does.

    Args:
        num_thresholds: Number of thresholds (> 1), default 200.
        curve: `"ROC"` (default), `"PR"` or `"PRGAIN"`.
        summation_method: `"interpolation"` (default), `"minoring"` or `"majoring"`.
        name: Name of the metric.
        dtype: Dtype of the result.
        thresholds: Explicit thresholds in `[0, 1]` (then `num_thresholds` is ignored).
        multi_label: Compute one AUC per label (last axis) and average them,
            instead of flattening the labels.
        num_labels: Number of labels with `multi_label=True` (else found on
            the first update).
        label_weights: Per-label weights: of the label AUCs with
            `multi_label=True`, of the flattened predictions otherwise.
        from_logits: Whether `y_pred` are logits (a sigmoid is applied).

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.75
    >>> m.reset_state()
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    >>> float(m.result())
    1.0
    """

    def __init__(self, num_thresholds: int = 200, curve="ROC", summation_method="interpolation",
                 name: str | None = None, dtype=None, thresholds=None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights=None, from_logits: bool = False):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if isinstance(curve, metrics_utils.AUCCurve) and curve not in list(metrics_utils.AUCCurve):
            raise ValueError(f'Invalid `curve` argument value "{curve}".')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            evenly = metrics_utils.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            evenly = True
        self._thresholds = np.array([0.0 - epsilon()] + thresholds + [1.0 + epsilon()])
        self._set_thresholds(self._thresholds, evenly)

        self.curve = (curve if isinstance(curve, metrics_utils.AUCCurve)
                      else metrics_utils.AUCCurve.from_str(curve))
        self.summation_method = (
            summation_method if isinstance(summation_method, metrics_utils.AUCSummationMethod)
            else metrics_utils.AUCSummationMethod.from_str(summation_method))

        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            self.label_weights = as_tensor(label_weights, dtype=self.dtype, device=self._device)
        else:
            self.label_weights = None
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds used, end points included."""
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(shape)}. Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for attr in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            self.add_variable(shape=variable_shape, name=attr)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the confusion-matrix counts at every threshold.

        Args:
            y_true: Labels (cast to `bool`).
            y_pred: Predictions in `[0, 1]` (logits with `from_logits=True`).
            sample_weight: Optional weights, rank 0 or the rank of `y_true`.
        """
        y_pred = as_tensor(_detach(y_pred), device=self._input_device(y_pred, y_true))
        self._follow(y_pred.device)
        if not self._built:
            self._build(tuple(y_pred.shape))
        label_weights = None if self.multi_label else self.label_weights
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        self._accumulate(self._variables_for(*_ATTRIBUTES), y_true, y_pred, sample_weight,
                         multi_label=self.multi_label, label_weights=label_weights)

    def _average_labels(self, by_label_auc) -> torch.Tensor:
        if self.label_weights is None:
            return torch.mean(by_label_auc)
        return divide_no_nan(torch.sum(by_label_auc * self.label_weights),
                             torch.sum(self.label_weights))

    def interpolate_pr_auc(self) -> torch.Tensor:
        """PR-AUC with Davis & Goadrich interpolation of (TP, P) between thresholds."""
        n = self.num_thresholds
        tp = self.true_positives.detach()
        fp = self.false_positives.detach()
        fn = self.false_negatives.detach()
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where(
            torch.logical_and(p[: n - 1] > 0, p[1:] > 0),
            divide_no_nan(p[: n - 1], torch.clamp(p[1:], min=0)),
            torch.ones_like(p[1:]),
        )
        pr_auc_increment = divide_no_nan(
            prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
            torch.clamp(tp[1:] + fn[1:], min=0),
        )
        if self.multi_label:
            return self._average_labels(torch.sum(pr_auc_increment, dim=0))
        return torch.sum(pr_auc_increment)

    def result(self) -> torch.Tensor:
        if (self.curve == metrics_utils.AUCCurve.PR
                and self.summation_method == metrics_utils.AUCSummationMethod.INTERPOLATION):
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp = self.true_positives.detach()
        fp = self.false_positives.detach()
        tn = self.true_negatives.detach()
        fn = self.false_negatives.detach()
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == metrics_utils.AUCCurve.ROC:
            x = divide_no_nan(fp, fp + tn)
            y = recall
        elif self.curve == metrics_utils.AUCCurve.PR:
            x = recall
            y = divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling_factor = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling_factor * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling_factor * divide_no_nan(fp, tp)
            recall_gain = torch.where(tp == 0.0, torch.zeros_like(recall_gain), recall_gain)
            precision_gain = torch.where(tp == 0.0, torch.ones_like(precision_gain),
                                         precision_gain)
            recall_gain = torch.clamp(recall_gain, min=0.0)
            x = recall_gain
            y = precision_gain
        if self.summation_method == metrics_utils.AUCSummationMethod.INTERPOLATION:
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == metrics_utils.AUCSummationMethod.MINORING:
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        riemann_terms = (x[: n - 1] - x[1:]) * heights
        if self.multi_label:
            return self._average_labels(torch.sum(riemann_terms, dim=0))
        return torch.sum(riemann_terms)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        label_weights = self.label_weights
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if label_weights is None else label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
