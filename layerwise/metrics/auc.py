"""`AUC`: the area under the ROC or precision-recall curve, from thresholded counts.

It accumulates through `metrics_utils.update_confusion_matrix_variables` as the other
confusion-matrix metrics do (`confusion_metrics.py`); the area is computed from the
counts exactly as in Keras 3.
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import epsilon
from layerwise.metrics import metrics_utils
from layerwise.metrics.confusion_metrics import _ATTRIBUTES, _ConfusionMatrixMetric
from layerwise.metrics.metric import _detach, as_tensor, divide_no_nan


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
