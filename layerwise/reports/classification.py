"""Confusion matrix and classification report, equal to scikit-learn's (NumPy only)."""

from __future__ import annotations

import warnings

import numpy as np

from layerwise.reports._inputs import (
    as_labels,
    check_lengths,
    divide,
    weights_or_none,
    zero_division_value,
)

_NORMALIZE = (None, "true", "pred", "all")


def _labels_pair(y_true, y_pred):
    y_true = as_labels(y_true, "y_true")
    y_pred = as_labels(y_pred, "y_pred")
    check_lengths(y_true=y_true, y_pred=y_pred)
    if (y_true.dtype.kind in "OUS") != (y_pred.dtype.kind in "OUS") and len(y_true):
        raise ValueError(
            f"`y_true` ({y_true.dtype}) and `y_pred` ({y_pred.dtype}) mix string and numeric "
            "labels; pass both as class indices or both as class names.")
    return y_true, y_pred


def _index_of(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each value in `labels`, `len(labels)` where it is absent."""
    lookup = {label: i for i, label in enumerate(labels.tolist())}
    return np.array([lookup.get(v, len(labels)) for v in values.tolist()], dtype=np.int64)


def confusion_matrix(y_true, y_pred, labels=None, sample_weight=None,
                     normalize: str | None = None) -> np.ndarray:
    """Counts of true class (rows) against predicted class (columns).

    Args:
        y_true: True labels: class indices `(n,)` or one-hot rows `(n, k)`.
        y_pred: Predictions: class indices, one-hot or probability rows (their
            `argmax`), or sigmoid outputs (thresholded at 0.5).
        labels: The classes to show, in order (default: every class seen in
            `y_true` or `y_pred`, sorted). Samples of other classes are left out.
        sample_weight: Optional per-sample weights.
        normalize: `None` (counts), `"true"` (rows sum to 1), `"pred"`
            (columns sum to 1) or `"all"`.

    Returns:
        A `(len(labels), len(labels))` array, equal to
        `sklearn.metrics.confusion_matrix`.

    Example:

    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 0, 2]])
    """
    if normalize not in _NORMALIZE:
        raise ValueError(
            f"`normalize` must be one of {_NORMALIZE}, received {normalize!r}.")
    y_true, y_pred = _labels_pair(y_true, y_pred)
    weight = weights_or_none(sample_weight, len(y_true))
    if weight is None:
        weight = np.ones(len(y_true), dtype=np.int64)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("`labels` should contain at least one label, received [].")
        if y_true.size == 0:
            return np.zeros((labels.size, labels.size), dtype=int)
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError(
                f"At least one of `labels` ({labels.tolist()}) must be in `y_true`.")
    n = labels.size
    rows, cols = _index_of(y_true, labels), _index_of(y_pred, labels)
    keep = (rows < n) & (cols < n)
    dtype = np.int64 if weight.dtype.kind in "iub" else np.float64
    cm = np.zeros((n, n), dtype=dtype)
    np.add.at(cm, (rows[keep], cols[keep]), weight[keep].astype(dtype))
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
            "have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning, stacklevel=2)
    return cm


def _per_label_counts(y_true, y_pred, labels, weight):
    """True positives, predicted and true totals per label (samples of any class count)."""
    w = np.ones(len(y_true)) if weight is None else weight.astype(np.float64)
    everything = np.unique(np.concatenate([labels, y_true, y_pred]))
    t, p = _index_of(y_true, everything), _index_of(y_pred, everything)
    m = len(everything)
    tp = np.bincount(t[t == p], weights=w[t == p], minlength=m)
    pred = np.bincount(p, weights=w, minlength=m)
    true = np.bincount(t, weights=w, minlength=m)
    at = _index_of(labels, everything)
    # scikit-learn's dtypes: integer counts only without weights and with a true positive.
    if weight is None and np.any(t == p):
        return tp[at].astype(np.int64), pred[at].astype(np.int64), true[at].astype(np.int64)
    return tp[at], pred[at], true[at]


def _nanaverage(a: np.ndarray, weights=None) -> float:
    if a.shape[0] == 0 or np.all(np.isnan(a)):
        return float("nan")
    if weights is None:
        return float(np.nanmean(a))
    keep = ~np.isnan(a)
    a, weights = a[keep], np.asarray(weights)[keep]
    if np.sum(weights) == 0:
        return float(np.average(a))
    return float(np.average(a, weights=weights))


def precision_recall_fscore_support(y_true, y_pred, labels=None, average=None,
                                    sample_weight=None, zero_division="warn"):
    """Precision, recall, F1 and support per class (`average=None`) or averaged.

    Args:
        y_true, y_pred, labels, sample_weight: As in `confusion_matrix`.
        average: `None`, `"micro"`, `"macro"` or `"weighted"`.
        zero_division: The value for a 0/0 score: `"warn"` (0 with a warning),
            `0.0`, `1.0` or `np.nan`.

    Returns:
        `(precision, recall, f1, support)`: arrays for `average=None`, else
        three floats and `None`, equal to scikit-learn's.
    """
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(
            "`average` must be None, 'micro', 'macro' or 'weighted', "
            f"received {average!r}.")
    zero_division_value(zero_division)
    y_true, y_pred = _labels_pair(y_true, y_pred)
    weight = weights_or_none(sample_weight, len(y_true))
    labels = (np.unique(np.concatenate([y_true, y_pred])) if labels is None
              else np.asarray(labels))
    tp, pred, true = _per_label_counts(y_true, y_pred, labels, weight)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    precision = divide(tp, pred, zero_division, "Precision", "predicted", average, True)
    recall = divide(tp, true, zero_division, "Recall", "true", average, True)
    f_score = divide(2.0 * tp, true.astype(np.float64) + pred, zero_division, "F-score",
                     "true nor predicted", average, True)
    if average is None:
        return precision, recall, f_score, true
    weights = true if average == "weighted" else None
    return (_nanaverage(precision, weights), _nanaverage(recall, weights),
            _nanaverage(f_score, weights), None)
