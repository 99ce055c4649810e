"""`classification_report`: scikit-learn's text table (or dict), computed with NumPy."""

from __future__ import annotations

import warnings

import numpy as np

from layerwise.reports.classification import _labels_pair, precision_recall_fscore_support

_HEADERS = ["precision", "recall", "f1-score", "support"]


def classification_report(y_true, y_pred, labels=None, target_names=None, sample_weight=None,
                          digits: int = 2, output_dict: bool = False, zero_division="warn"):
    """Precision, recall, F1 and support per class, with accuracy and averages.

    The same arguments, numbers and text layout as
    `sklearn.metrics.classification_report`.

    Args:
        y_true: True labels: class indices `(n,)` or one-hot rows `(n, k)`.
        y_pred: Predictions: class indices, one-hot or probability rows.
        labels: The classes to include, in order (default: every class seen).
        target_names: Display names, one per label.
        sample_weight: Optional per-sample weights.
        digits: Decimal places of the text table.
        output_dict: Return a dict (`{"0": {"precision": ...}, "accuracy": ...}`).
        zero_division: Value for 0/0 scores: `"warn"`, `0.0`, `1.0` or `np.nan`.

    Returns:
        The report as text, or as a dict with `output_dict=True`.

    Example:

    >>> print(classification_report([0, 1, 1], [0, 1, 0]))  # doctest: +NORMALIZE_WHITESPACE
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       0.50      1.00      0.67         1
               1       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.67         3
       macro avg       0.75      0.75      0.67         3
    weighted avg       0.83      0.67      0.67         3
    <BLANKLINE>
    """
    y_true, y_pred = _labels_pair(y_true, y_pred)
    seen = np.unique(np.concatenate([y_true, y_pred]))
    labels_given = labels is not None
    labels = np.asarray(labels) if labels_given else seen
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(seen.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if not labels_given:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter.")
        warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, "
                      f"{len(target_names)}", stacklevel=2)
    if target_names is None:
        target_names = [f"{label}" for label in labels.tolist()]
    kwargs = dict(labels=labels, sample_weight=sample_weight, zero_division=zero_division)
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, **kwargs)
    rows = list(zip(target_names, p, r, f1, s))
    averages = {}
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            y_true, y_pred, average=average, **kwargs)
        averages[heading] = [avg_p, avg_r, avg_f1, np.sum(s)]
    if output_dict:
        return _as_dict(rows, averages)
    return _as_text(rows, averages, target_names, digits)


def _as_dict(rows, averages) -> dict:
    report = {name: dict(zip(_HEADERS, [float(v) for v in values])) for name, *values in rows}
    for heading, values in averages.items():
        report[heading] = dict(zip(_HEADERS, [float(v) for v in values]))
    if "accuracy" in report:
        report["accuracy"] = report["accuracy"]["precision"]
    return report


def _as_text(rows, averages, target_names, digits: int) -> str:
    width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
    head_fmt = "{:>{width}s} " + " {:>9}" * len(_HEADERS)
    report = head_fmt.format("", *_HEADERS, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        report += row_fmt.format(*row, width=width, digits=digits)
    report += "\n"
    for heading, values in averages.items():
        if heading == "accuracy":
            accuracy_fmt = ("{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}"
                            + " {:>9}\n")
            report += accuracy_fmt.format(heading, "", "", *values[2:], width=width,
                                          digits=digits)
        else:
            report += row_fmt.format(heading, *values, width=width, digits=digits)
    return report
