"""ROC and precision-recall curves and their areas, equal to scikit-learn's (NumPy only)."""

from __future__ import annotations

import warnings

import numpy as np

from layerwise.reports._inputs import (
    UndefinedMetricWarning,
    check_lengths,
    is_one_hot,
    to_numpy,
    weights_or_none,
)


def _binary_truth(y_true, pos_label):
    y_true = to_numpy(y_true, "y_true")
    if y_true.ndim == 2 and y_true.shape[1] == 2 and is_one_hot(y_true):
        y_true = y_true.argmax(axis=1)
    y_true = y_true.reshape(-1) if y_true.ndim == 2 and y_true.shape[1] == 1 else y_true
    if y_true.ndim != 1:
        raise ValueError(
            f"`y_true` must be binary labels of shape (n,), received shape {y_true.shape}. "
            "For several classes use `roc_auc_score(..., multi_class='ovr')` or pass one "
            "column: `y_true == k`, `y_score[:, k]`.")
    if pos_label is None:
        classes = np.unique(y_true)
        known = ([0, 1], [-1, 1], [0], [-1], [1])
        if classes.dtype.kind in "OUS" or not any(
                np.array_equal(classes, k) for k in known):
            raise ValueError(
                f"y_true takes value in {classes.tolist()} and pos_label is not specified: "
                "either make y_true take value in {0, 1} or {-1, 1} or pass pos_label "
                "explicitly.")
        pos_label = 1
    return (y_true == pos_label).astype(np.float64)


def _binary_scores(y_score, n: int) -> np.ndarray:
    y_score = to_numpy(y_score, "y_score")
    if y_score.ndim == 2 and y_score.shape[1] in (1, 2):
        y_score = y_score[:, -1]
    if y_score.ndim != 1:
        raise ValueError(
            f"`y_score` must be scores of shape (n,), (n, 1) or (n, 2) for a binary curve, "
            f"received shape {y_score.shape}.")
    if not np.all(np.isfinite(y_score)):
        raise ValueError("`y_score` contains NaN or infinity; check the model's outputs.")
    return y_score.astype(np.float64)


def _clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """False and true positive sums at each distinct threshold (descending)."""
    truth = _binary_truth(y_true, pos_label)
    score = _binary_scores(y_score, len(truth))
    weight = weights_or_none(sample_weight, len(truth))
    check_lengths(y_true=truth, y_score=score)
    if weight is not None:
        keep = weight != 0
        truth, score, weight = truth[keep], score[keep], weight[keep].astype(np.float64)
    order = _stable_descending(score)
    score, truth = score[order], truth[order]
    if weight is not None:
        weight = weight[order]
    ends = np.r_[np.nonzero(np.diff(score))[0], truth.size - 1]
    tps = np.cumsum(truth * (1.0 if weight is None else weight))[ends]
    if weight is not None:
        fps = np.cumsum((1 - truth) * weight)[ends]
    else:
        fps = 1 + ends.astype(np.float64) - tps
    return fps, tps, score[ends]


def _stable_descending(score: np.ndarray) -> np.ndarray:
    """Indices sorting `score` descending, ties in their original order."""
    return np.lexsort((np.arange(score.size), -score))


def roc_curve(y_true, y_score, pos_label=None, sample_weight=None,
              drop_intermediate: bool = True):
    """Receiver operating characteristic of a binary classifier.

    Args:
        y_true: Binary labels `(n,)` (`{0, 1}` or `{-1, 1}`, else give `pos_label`).
        y_score: Scores of the positive class `(n,)`; a `(n, 2)` softmax output
            uses its second column.
        pos_label: The positive class.
        sample_weight: Optional per-sample weights.
        drop_intermediate: Drop thresholds that do not change the curve's shape.

    Returns:
        `(fpr, tpr, thresholds)`, equal to `sklearn.metrics.roc_curve`.
    """
    fps, tps, thresholds = _clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = _rate(fps, "negative", "false")
    tpr = _rate(tps, "positive", "true")
    return fpr, tpr, thresholds


def _rate(counts: np.ndarray, samples: str, kind: str) -> np.ndarray:
    """Cumulative counts over their total; NaNs (and a warning naming the caller's caller)
    when there are no `samples` (`"negative"` / `"positive"`)."""
    if counts[-1] <= 0:
        warnings.warn(f"No {samples} samples in y_true, {kind} positive value should be "
                      "meaningless", UndefinedMetricWarning, stacklevel=3)
        return np.full(counts.shape, np.nan)
    return counts / counts[-1]


def precision_recall_curve(y_true, y_score, pos_label=None, sample_weight=None,
                           drop_intermediate: bool = False):
    """Precision and recall of a binary classifier at each score threshold.

    Args:
        y_true, y_score, pos_label, sample_weight: As in `roc_curve`.
        drop_intermediate: Drop thresholds where the recall does not change.

    Returns:
        `(precision, recall, thresholds)`, equal to
        `sklearn.metrics.precision_recall_curve` (the last point is (1, 0)).
    """
    fps, tps, thresholds = _clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])),
                              True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    total = tps + fps
    precision = np.divide(tps, total, out=np.zeros_like(tps), where=total != 0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all "
                      "thresholds.", UserWarning, stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def auc(x, y) -> float:
    """Area under a curve given by points `(x, y)` (trapezoidal rule).

    `x` must be monotonic (increasing or decreasing). Equal to `sklearn.metrics.auc`.

    >>> auc([0, 0.5, 1], [0, 1, 1])
    0.75
    """
    x, y = to_numpy(x, "x").reshape(-1), to_numpy(y, "y").reshape(-1)
    check_lengths(x=x, y=y)
    if x.shape[0] < 2:
        raise ValueError(
            f"At least 2 points are needed to compute the area under a curve, received {x.shape[0]}.")
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if not np.all(dx <= 0):
            raise ValueError(f"`x` is neither increasing nor decreasing: {x}.")
        direction = -1
    return float(direction * np.trapezoid(y, x) if hasattr(np, "trapezoid")
                 else direction * np.trapz(y, x))
