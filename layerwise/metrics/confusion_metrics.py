"""Thresholded confusion-matrix metrics: counts, precision/recall and the `*At*` metrics.

All of them accumulate through one routine,
`metrics_utils.update_confusion_matrix_variables`, which adds the weighted
true/false positive/negative counts at each threshold to state tensors on the
inputs' device. Results are computed from the counts exactly as in Keras 3. `AUC`
lives in `auc.py`.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.metrics import metrics_utils
from layerwise.metrics.metric import Metric, _detach, divide_no_nan
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


# Each rate from the four counts (true/false positives, true/false negatives).
_RATES = {
    "sensitivity": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fn),
    "recall": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fn),
    "specificity": lambda tp, fp, tn, fn: divide_no_nan(tn, tn + fp),
    "precision": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fp),
}


class _RateAtRate(SensitivitySpecificityBase):
    """The best `maximized` rate among thresholds whose `constrained` rate is >= the
    value; a subclass names the two rates (its constructor argument is `constrained`)."""

    constrained: str
    maximized: str

    def _init_rate(self, value, num_thresholds, class_id, name, dtype) -> None:
        _check_unit(self.constrained, value)
        SensitivitySpecificityBase.__init__(self, value, num_thresholds=num_thresholds,
                                            class_id=class_id, name=name, dtype=dtype)
        setattr(self, self.constrained, value)
        self.num_thresholds = num_thresholds

    def result(self) -> torch.Tensor:
        counts = self._rates()
        return self._find_max_under_constraint(_RATES[self.constrained](*counts),
                                               _RATES[self.maximized](*counts))

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self.constrained: self.value}


class SensitivityAtSpecificity(_RateAtRate):
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

    constrained, maximized = "specificity", "sensitivity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        self._init_rate(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_RateAtRate):
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

    constrained, maximized = "sensitivity", "specificity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        self._init_rate(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_RateAtRate):
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

    constrained, maximized = "recall", "precision"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        self._init_rate(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_RateAtRate):
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

    constrained, maximized = "precision", "recall"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        self._init_rate(precision, num_thresholds, class_id, name, dtype)
