"""F-scores: `FBetaScore` and `F1Score`, per class or averaged (micro, macro, weighted)."""

from __future__ import annotations

import torch

from layerwise.backend.config import epsilon
from layerwise.metrics.metric import Metric, _detach, as_tensor, check_2d_inputs


class FBetaScore(Metric):
    """F-beta score, `(1 + beta^2) * P * R / (beta^2 * P + R)`, of multi-class/multi-label data.

    Inputs are 2D, `(batch, classes)`. Without `threshold`, the highest
    prediction of each sample counts as positive; with it, every prediction
    above it.

    Args:
        average: `None` (one score per class), `"micro"`, `"macro"` or `"weighted"`.
        beta: Weight of recall relative to precision (a float > 0).
        threshold: Optional float in `(0, 1]`.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                "{None, 'micro', 'macro', 'weighted'}. "
                f"Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        check_2d_inputs("FBetaScore", y_true_shape, y_pred_shape)
        num_classes = y_pred_shape[-1]
        init_shape = (num_classes,) if self.average != "micro" else ()
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            self.add_variable(shape=init_shape, dtype=self.dtype, name=name)
        self._built = True

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates per-class true positives, false positives and false negatives.

        Args:
            y_true: Labels, `(batch, classes)`.
            y_pred: Predictions, `(batch, classes)`.
            sample_weight: Optional weights, `(batch,)`.
        """
        device = self._input_device(y_pred, y_true)
        self._follow(device)
        y_true = as_tensor(_detach(y_true), dtype=self.dtype, device=device)
        y_pred = as_tensor(_detach(y_pred), dtype=self.dtype, device=device)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            threshold = torch.amax(y_pred, dim=-1, keepdim=True)
            y_pred = torch.logical_and(y_pred >= threshold, torch.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(self.torch_dtype)
        if sample_weight is not None:
            sample_weight = as_tensor(_detach(sample_weight), dtype=self.dtype, device=device)

        def weighted_sum(val):
            if sample_weight is not None:
                val = val * sample_weight.unsqueeze(1)
            if self.axis is None:
                return torch.sum(val)
            return torch.sum(val, dim=self.axis)

        self.true_positives.add_(weighted_sum(y_pred * y_true))
        self.false_positives.add_(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.add_(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        eps = epsilon()
        tp = self.true_positives.detach()
        precision = tp / (tp + self.false_positives.detach() + eps)
        recall = tp / (tp + self.false_negatives.detach() + eps)
        mul_value = precision * recall
        add_value = self.beta**2 * precision + recall
        mean = mul_value / (add_value + eps)
        f1_score = mean * (1 + self.beta**2)
        if self.average == "weighted":
            w = self.intermediate_weights.detach()
            weights = w / (torch.sum(w) + eps)
            f1_score = torch.sum(f1_score * weights)
        elif self.average is not None:
            f1_score = torch.mean(f1_score)
        return f1_score

    def get_config(self) -> dict:
        return {**super().get_config(), "name": self.name, "dtype": self.dtype,
                "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, the harmonic mean of precision and recall (`FBetaScore` with `beta=1`).

    Args:
        average: `None` (one score per class), `"micro"`, `"macro"` or `"weighted"`.
        threshold: Optional float in `(0, 1]`; without it the top prediction is positive.
        name: Name of the metric.
        dtype: Dtype of the result.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.5, 0.8, 0.6667]
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
