"""`evaluate_report`: accuracy, per-class scores, confusion, ROC and worst mistakes in one object."""

from __future__ import annotations

import numpy as np

from layerwise.reports._inputs import as_labels, to_numpy
from layerwise.reports.classification import confusion_matrix
from layerwise.reports.html import render_report, report_body
from layerwise.reports.scores import roc_auc_score
from layerwise.reports.text_report import classification_report


def probability_rows(outputs) -> tuple[np.ndarray, bool]:
    """Model outputs as probability rows `(n, classes)`; `True` when softmax was applied.

    A single sigmoid column becomes `[1 - p, p]`; rows that are not
    probabilities (logits) go through a softmax.
    """
    out = to_numpy(outputs, "predictions").astype(np.float64)
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2:
        raise ValueError(f"`evaluate_report` needs one row of class scores per sample, the model "
                         f"returned shape {out.shape}.")
    if out.shape[1] == 1:
        p = out[:, 0]
        if p.min(initial=0) < 0 or p.max(initial=1) > 1:
            p = 1 / (1 + np.exp(-p))
            return np.stack([1 - p, p], axis=1), True
        return np.stack([1 - p, p], axis=1), False
    if out.min(initial=0) >= 0 and np.allclose(out.sum(axis=1), 1, atol=1e-3):
        return out, False
    shifted = np.exp(out - out.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True), True


class EvaluationReport:
    """How good a classifier is, and where it fails.

    Attributes:
        accuracy: Fraction of samples whose most probable class is the true one.
        metrics: `model.evaluate`'s results as a dict (when the model is compiled).
        class_names: The name of each class.
        per_class: `classification_report(output_dict=True)`: precision, recall,
            F1 and support per class, plus the averages.
        confusion: The confusion matrix (rows: true class, columns: predicted).
        roc_auc: AUC per class present in `y` plus `"micro"` and `"macro"`.
        confused_pairs: The most frequent `(true, predicted, count)` mistakes.
        worst_mistakes: The wrong predictions made with the most confidence.
        y_true, y_prob, x, history: The inputs of the report.

    `print(report)` shows the text report, `report.to_html(path)` writes one
    self-contained HTML page (figures inline), `report.to_dict()` the numbers.
    """

    def __init__(self, y_true, y_prob, class_names=None, x=None, history=None, metrics=None,
                 top_k: int = 10):
        self.y_prob, self.from_logits = probability_rows(y_prob)
        self.y_true = as_labels(y_true, "y").astype(np.int64)
        if len(self.y_true) != len(self.y_prob):
            raise ValueError(f"`y` has {len(self.y_true)} samples but the predictions have "
                             f"{len(self.y_prob)}.")
        k = self.y_prob.shape[1]
        if class_names is None:
            class_names = [str(i) for i in range(k)]
        if len(class_names) != k:
            raise ValueError(f"`class_names` has {len(class_names)} names but the model predicts "
                             f"{k} classes; pass one name per class.")
        if self.y_true.size and (self.y_true.min() < 0 or self.y_true.max() >= k):
            raise ValueError(f"`y` holds class indices outside [0, {k}); pass the labels the "
                             "model was trained on.")
        self.class_names = [str(c) for c in class_names]
        self.x, self.history, self.metrics = x, history, dict(metrics or {})
        self.y_pred = self.y_prob.argmax(axis=1)
        labels = list(range(k))
        self.accuracy = float(np.mean(self.y_pred == self.y_true)) if len(self.y_true) else 0.0
        self.confusion = confusion_matrix(self.y_true, self.y_pred, labels=labels)
        self.per_class = classification_report(self.y_true, self.y_pred, labels=labels,
                                               target_names=self.class_names, output_dict=True,
                                               zero_division=0.0)
        self.text = classification_report(self.y_true, self.y_pred, labels=labels,
                                          target_names=self.class_names, digits=4,
                                          zero_division=0.0)
        self.roc_auc = self._roc_auc()
        self.confused_pairs = self._confused_pairs(top_k)
        self.worst_mistakes = self._worst_mistakes(top_k)

    def _roc_auc(self) -> dict:
        """AUC per class present (one-vs-rest), their mean (`macro`) and `micro`."""
        if len(np.unique(self.y_true)) < 2:
            return {}
        k = self.y_prob.shape[1]
        if k == 2:
            return {"binary": float(roc_auc_score(self.y_true, self.y_prob[:, 1]))}
        present = np.bincount(self.y_true, minlength=k) > 0
        truth = np.eye(k)[self.y_true]
        aucs = {self.class_names[c]: float(roc_auc_score(truth[:, c], self.y_prob[:, c]))
                for c in range(k) if present[c]}
        aucs["micro"] = float(roc_auc_score(truth.ravel(), self.y_prob.ravel()))
        aucs["macro"] = float(np.mean([v for n, v in aucs.items() if n != "micro"]))
        return aucs

    def _confused_pairs(self, top_k: int) -> list[dict]:
        off = self.confusion.copy()
        np.fill_diagonal(off, 0)
        order = np.argsort(-off, axis=None, kind="stable")[:top_k]
        support = self.confusion.sum(axis=1)
        pairs = []
        for flat in order:
            t, p = np.unravel_index(flat, off.shape)
            if off[t, p] == 0:
                break
            pairs.append({"true": self.class_names[t], "predicted": self.class_names[p],
                          "count": int(off[t, p]), "share_of_true": float(off[t, p] / support[t])})
        return pairs

    def _worst_mistakes(self, top_k: int) -> list[dict]:
        wrong = np.nonzero(self.y_pred != self.y_true)[0]
        confidence = self.y_prob[wrong, self.y_pred[wrong]]
        order = wrong[np.argsort(-confidence, kind="stable")][:top_k]
        return [{"index": int(i), "true": self.class_names[self.y_true[i]],
                 "predicted": self.class_names[self.y_pred[i]],
                 "confidence": float(self.y_prob[i, self.y_pred[i]]),
                 "prob_true": float(self.y_prob[i, self.y_true[i]])} for i in order]

    def to_dict(self) -> dict:
        """The numbers of the report as plain Python types (JSON-ready)."""
        return {
            "samples": int(len(self.y_true)),
            "accuracy": self.accuracy,
            "metrics": {k: float(v) for k, v in self.metrics.items()},
            "class_names": list(self.class_names),
            "per_class": self.per_class,
            "confusion_matrix": self.confusion.tolist(),
            "roc_auc": dict(self.roc_auc),
            "confused_pairs": list(self.confused_pairs),
            "worst_mistakes": list(self.worst_mistakes),
            "history": _history_logs(self.history),
        }

    def __str__(self) -> str:
        lines = [f"Evaluation report: {len(self.y_true)} samples, {len(self.class_names)} classes",
                 f"Accuracy: {self.accuracy:.4f}"]
        if self.metrics:
            lines.append("model.evaluate: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.metrics.items()))
        if self.roc_auc:
            lines.append("ROC AUC: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.roc_auc.items() if k in ("micro", "macro", "binary")))
        lines += ["", self.text.rstrip("\n"), "", "Most confused (true -> predicted: count):"]
        lines += [f"  {p['true']} -> {p['predicted']}: {p['count']} ({100 * p['share_of_true']:.1f}%"
                  f" of {p['true']})" for p in self.confused_pairs] or ["  none"]
        lines.append("Most confident mistakes (sample: true -> predicted, confidence):")
        lines += [f"  #{m['index']}: {m['true']} -> {m['predicted']}, {100 * m['confidence']:.1f}%"
                  for m in self.worst_mistakes] or ["  none"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<EvaluationReport samples={len(self.y_true)} classes={len(self.class_names)} "
                f"accuracy={self.accuracy:.4f}>")

    def to_html(self, path=None, title: str = "layerwise evaluation report") -> str:
        """Writes one self-contained HTML page (figures inline); returns the HTML text.

        Args:
            path: The `.html` file to write (atomically); `None` only returns the text.
            title: The page title.
        """
        return render_report(self, path, title=title)

    def _repr_html_(self) -> str:
        return report_body(self)


def _history_logs(history) -> dict | None:
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        return None
    return {k: [float(v) for v in values] for k, values in logs.items()}


def evaluate_report(model, x, y, class_names=None, history=None, batch_size=None,
                    top_k: int = 10) -> EvaluationReport:
    """Predicts `x` with `model` and builds an `EvaluationReport` against `y`.

    Args:
        model: A classifier (softmax rows, logits, or one sigmoid output).
        x: The inputs (arrays, as for `model.predict`).
        y: The true classes: indices or one-hot rows.
        class_names: Names of the classes, in order.
        history: The `History` from `fit`, for the training curves.
        batch_size: Batch size of the prediction and evaluation.
        top_k: How many confused pairs and worst mistakes to keep.

    Returns:
        An `EvaluationReport`.
    """
    y_prob = model.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(y_prob, (list, tuple, dict)):
        raise ValueError("`evaluate_report` handles models with one classification output; "
                         "this model has several. Predict and call `EvaluationReport` per output.")
    metrics = {}
    if getattr(model, "compiled", False):
        metrics = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return EvaluationReport(y, y_prob, class_names=class_names, x=x, history=history,
                            metrics=metrics, top_k=top_k)
