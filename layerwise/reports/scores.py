"""`roc_auc_score` and `average_precision_score`: binary, one-vs-rest and multi-label."""

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
from layerwise.reports.ranking import auc, precision_recall_curve, roc_curve

_AVERAGES = ("micro", "macro", "weighted", None)


def _binary_roc_auc(y_true, y_score, sample_weight=None, max_fpr=None) -> float:
    if len(np.unique(y_true)) != 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in "
                      "that case.", UndefinedMetricWarning, stacklevel=3)
        return float("nan")
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    if max_fpr <= 0 or max_fpr > 1:
        raise ValueError(f"`max_fpr` must be in (0, 1], received {max_fpr!r}.")
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1:stop + 1], tpr[stop - 1:stop + 1]))
    fpr = np.append(fpr[:stop], max_fpr)
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (auc(fpr, tpr) - min_area) / (max_area - min_area))


def _binary_average_precision(y_true, y_score, sample_weight=None) -> float:
    precision, recall, _ = precision_recall_curve(y_true, y_score, sample_weight=sample_weight)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _average_columns(metric, truth, score, average, weight):
    """One-vs-rest average of a binary metric over indicator columns (scikit-learn's)."""
    if average not in _AVERAGES:
        raise ValueError(f"`average` must be one of {_AVERAGES}, received {average!r}.")
    if average == "micro":
        w = None if weight is None else np.repeat(weight, truth.shape[1])
        return metric(truth.ravel(), score.ravel(), sample_weight=w)
    average_weight = None
    if average == "weighted":
        average_weight = (truth * (1.0 if weight is None else weight[:, None])).sum(axis=0)
        if np.isclose(average_weight.sum(), 0):
            return 0
    scores = np.array([metric(truth[:, c], score[:, c], sample_weight=weight)
                       for c in range(score.shape[1])], dtype=np.float64)
    if average is None:
        return scores
    if average_weight is not None:
        scores[average_weight == 0] = 0
    return float(np.average(scores, weights=average_weight))


def _indicator(y_true, y_score, labels, name):
    """`(truth columns, classes)` for multi-class (labels, one-hot) or multi-label targets."""
    if y_true.ndim == 2:
        if y_true.shape != y_score.shape:
            raise ValueError(f"`y_true` {y_true.shape} and `y_score` {y_score.shape} must have "
                             "the same shape.")
        return y_true.astype(np.float64), np.arange(y_true.shape[1])
    classes = np.unique(y_true) if labels is None else np.asarray(labels)
    if labels is not None:
        if len(np.unique(classes)) != len(classes) or not np.array_equal(np.unique(classes),
                                                                         classes):
            raise ValueError(f"`labels` must be unique and sorted, received {classes.tolist()}.")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("`y_true` contains labels not in `labels`.")
    if len(classes) != y_score.shape[1]:
        raise ValueError(
            f"`{name}`: the number of classes ({len(classes)}: {classes.tolist()}) is not the "
            f"number of columns of `y_score` ({y_score.shape[1]}). Pass `labels=` with every "
            "class, e.g. `labels=range(y_score.shape[1])`.")
    return (y_true[:, None] == classes[None, :]).astype(np.float64), classes


def _prepare(y_true, y_score, sample_weight):
    y_true, y_score = to_numpy(y_true, "y_true"), to_numpy(y_score, "y_score")
    check_lengths(y_true=y_true, y_score=y_score)
    if not np.all(np.isfinite(y_score)):
        raise ValueError("`y_score` contains NaN or infinity; check the model's outputs.")
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score[:, 0]
    return y_true, y_score.astype(np.float64), weights_or_none(sample_weight, len(y_true))


def _one_vs_one(encoded, y_score, average, weight) -> float:
    """Mean AUC over class pairs (Hand & Till), scikit-learn's `multi_class="ovo"`."""
    if weight is not None:
        raise ValueError("`sample_weight` is not supported with multi_class='ovo'; leave it out "
                         "or use 'ovr'.")
    if average not in ("macro", "weighted"):
        raise ValueError(f"`average` must be 'macro' or 'weighted' with multi_class='ovo', "
                         f"received {average!r}.")
    present = np.unique(encoded)
    scores, prevalence = [], []
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            a_mask, b_mask = encoded == a, encoded == b
            both = a_mask | b_mask
            prevalence.append(np.average(both))
            scores.append((_binary_roc_auc(a_mask[both], y_score[both, a])
                           + _binary_roc_auc(b_mask[both], y_score[both, b])) / 2)
    return float(np.average(scores, weights=prevalence if average == "weighted" else None))


def roc_auc_score(y_true, y_score, average: str | None = "macro", sample_weight=None,
                  max_fpr=None, multi_class: str = "ovr", labels=None):
    """Area under the ROC curve: binary, multi-class one-vs-rest, or multi-label.

    Args:
        y_true: Binary labels `(n,)`, class indices `(n,)`, one-hot rows
            `(n, k)` or a multi-label indicator `(n, k)`.
        y_score: Positive-class scores `(n,)` (binary; a `(n, 2)` softmax output
            uses its second column) or probability rows `(n, k)`.
        average: `"macro"`, `"weighted"`, `"micro"` (one-vs-rest / multi-label)
            or `None` (one score per class).
        sample_weight: Optional per-sample weights.
        max_fpr: Binary only: the standardized partial AUC up to this false
            positive rate.
        multi_class: `"ovr"` (one-vs-rest, the default here; scikit-learn's
            default `"raise"` asks for it explicitly) or `"ovo"` (one-vs-one:
            the mean AUC over class pairs, `"macro"` or `"weighted"`).
        labels: Multi-class only: the classes of `y_score`'s columns.

    Returns:
        The score (or an array with `average=None`), equal to
        `sklearn.metrics.roc_auc_score` with the same `multi_class`.
    """
    y_true, y_score, weight = _prepare(y_true, y_score, sample_weight)
    if y_score.ndim == 2 and y_score.shape[1] == 2 and (
            y_true.ndim == 1 or is_one_hot(y_true)):
        y_true = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
        y_score = y_score[:, 1]
    if y_score.ndim == 1:
        classes = np.unique(y_true)
        if len(classes) > 2:
            raise ValueError(f"`y_true` has {len(classes)} classes but `y_score` is 1-D; pass "
                             "probability rows of shape (n, classes).")
        truth = (y_true == classes[-1]).astype(np.float64) if len(classes) == 2 \
            else np.zeros(len(y_true))
        return _binary_roc_auc(truth, y_score, weight, max_fpr)
    if multi_class not in ("ovr", "ovo"):
        raise ValueError(f"`multi_class` must be 'ovr' (one-vs-rest) or 'ovo' (one-vs-one), "
                         f"received {multi_class!r}.")
    multilabel = y_true.ndim == 2 and not is_one_hot(y_true)
    if not multilabel:
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"Partial AUC (`max_fpr={max_fpr}`) is only defined for binary "
                             "problems; leave `max_fpr=None`.")
        if not np.allclose(1, y_score.sum(axis=1)):
            raise ValueError("Target scores need to be probabilities for multiclass roc_auc, "
                             "i.e. they should sum up to 1.0 over classes (use softmax).")
    truth, _ = _indicator(y_true, y_score, labels, "roc_auc_score")
    if multi_class == "ovo" and not multilabel:
        return _one_vs_one(truth.argmax(axis=1), y_score, average, weight)

    def metric(t, s, sample_weight=None):
        return _binary_roc_auc(t, s, sample_weight, max_fpr)

    return _average_columns(metric, truth, y_score, average, weight)


def average_precision_score(y_true, y_score, average: str | None = "macro", pos_label=1,
                            sample_weight=None):
    """Average precision (area under the step precision-recall curve).

    Args:
        y_true: Binary labels `(n,)`, class indices, one-hot rows or a
            multi-label indicator `(n, k)`.
        y_score: Positive-class scores `(n,)` or score rows `(n, k)`.
        average: `"macro"`, `"weighted"`, `"micro"` or `None` for several classes.
        pos_label: Binary only: the positive class.
        sample_weight: Optional per-sample weights.

    Returns:
        The score, equal to `sklearn.metrics.average_precision_score`.
    """
    y_true, y_score, weight = _prepare(y_true, y_score, sample_weight)
    if y_true.ndim == 1:
        present = np.unique(y_true)
        if len(present) <= 2 and y_score.ndim == 1:
            if len(present) == 2 and pos_label not in present:
                raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one "
                                 f"of {present.tolist()}.")
            truth = (y_true == pos_label).astype(np.float64)
            return _binary_average_precision(truth, y_score, weight)
        if pos_label != 1:
            raise ValueError("`pos_label` is fixed to 1 for several classes; leave it out.")
        if y_score.ndim != 2:
            raise ValueError(f"`y_true` has {len(present)} classes but `y_score` is 1-D; pass "
                             "score rows of shape (n, classes).")
    truth, _ = _indicator(y_true, y_score, None, "average_precision_score")
    return _average_columns(_binary_average_precision, truth, y_score, average, weight)
