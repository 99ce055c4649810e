"""Training curves, confusion matrix and ROC plots (matplotlib, imported when first used).

Each function returns the matplotlib `Figure` (shown inline in notebooks) and
writes it to `to_file` when given (format from the extension, atomically).
"""

from __future__ import annotations

import numpy as np

from layerwise.reports._figure import class_name, new_figure, save
from layerwise.reports._inputs import is_one_hot, to_numpy
from layerwise.reports.ranking import auc, roc_curve

_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "hinge",
                    "divergence", "poisson", "logcosh", "squared", "absolute")


def lower_is_better(metric: str) -> bool:
    """Whether smaller values of `metric` are better (losses and errors)."""
    return any(word in metric.lower() for word in _LOWER_IS_BETTER)


def _history_dict(history) -> dict:
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            "`history` must be the `History` returned by `model.fit` (or its `.history` dict "
            f"of lists), received {type(history).__name__} {history!r:.80}.")
    return {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in logs.items()}


def best_epoch(values, metric: str) -> int:
    """Index of the best finite value of `values` (lowest for losses, else highest)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.where(np.isfinite(values), values, np.inf if lower_is_better(metric) else -np.inf)
    return int(np.argmin(finite) if lower_is_better(metric) else np.argmax(finite))


def plot_history(history, metrics=None, to_file=None, figsize=None):
    """Training and validation curves, one panel per metric, best epoch marked.

    Args:
        history: The `History` returned by `fit` (or its `.history` dict).
        metrics: Metric names to plot (default: every training metric, e.g.
            `["loss", "accuracy"]`); `val_<name>` is drawn beside each.
        to_file: Optional image path to write.
        figsize: `(width, height)` in inches (default: 5 wide per panel, 3.6 high).

    Returns:
        The matplotlib `Figure`.
    """
    logs = _history_dict(history)
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_") and k not in ("lr", "learning_rate")]
        metrics = metrics or list(logs)
    elif isinstance(metrics, str):
        metrics = [metrics]
    missing = [m for m in metrics if m not in logs and f"val_{m}" not in logs]
    if missing:
        raise ValueError(f"`metrics` {missing} are not in the history; it has {sorted(logs)}.")
    fig = new_figure(*(figsize or (5.0 * len(metrics), 3.6)))
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        for key, style, label in ((metric, "-", "training"), (f"val_{metric}", "--", "validation")):
            if key not in logs:
                continue
            values = logs[key]
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
        watched = f"val_{metric}" if f"val_{metric}" in logs else metric
        values = logs[watched]
        if len(values) and np.isfinite(values).any():
            best = best_epoch(values, metric)
            ax.axvline(best + 1, color="grey", linestyle=":", linewidth=1)
            ax.plot([best + 1], [values[best]], "*", color="#d4a017", markersize=14,
                    label=f"best: epoch {best + 1} ({values[best]:.4g})")
        ax.set_title(metric.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    return save(fig, to_file)


def plot_confusion_matrix(cm, class_names=None, normalize: bool | str = False, to_file=None,
                          figsize=None, cmap: str = "Blues", title: str | None = None):
    """A confusion matrix as an annotated heat map (true classes down, predicted across).

    Args:
        cm: A square matrix from `confusion_matrix`.
        class_names: Names of the classes, in order.
        normalize: `True`/`"true"` shows each row as fractions of the true class,
            `"pred"` each column, `"all"` the whole matrix; `False` shows counts.
        to_file: Optional image path to write.
        figsize: `(width, height)` in inches (default grows with the class count).
        cmap: A matplotlib colormap name.
        title: Optional title.

    Returns:
        The matplotlib `Figure`.
    """
    cm = to_numpy(cm, "cm").astype(np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"`cm` must be a square matrix, received shape {cm.shape}; build it "
                         "with `layerwise.reports.confusion_matrix(y_true, y_pred)`.")
    n = cm.shape[0]
    names = [class_name(class_names, i) for i in range(n)]
    mode = "true" if normalize is True else (normalize or None)
    with np.errstate(all="ignore"):
        if mode == "true":
            cm = np.nan_to_num(cm / cm.sum(axis=1, keepdims=True))
        elif mode == "pred":
            cm = np.nan_to_num(cm / cm.sum(axis=0, keepdims=True))
        elif mode == "all":
            cm = np.nan_to_num(cm / cm.sum())
        elif mode is not None:
            raise ValueError(f"`normalize` must be False, True, 'true', 'pred' or 'all', "
                             f"received {normalize!r}.")
    side = float(np.clip(0.55 * n + 2.5, 4.0, 14.0))
    fig = new_figure(*(figsize or (side + 1.0, side)))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(cm, cmap=cmap, vmin=0, interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n), labels=names, rotation=45 if n > 5 else 0, ha="right" if n > 5 else "center")
    ax.set_yticks(range(n), labels=names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or ("confusion matrix" + (f" (normalized by {mode})" if mode else "")))
    if n <= 30:
        threshold = cm.max() / 2 if cm.size else 0
        for i in range(n):
            for j in range(n):
                text = f"{cm[i, j]:.2f}" if mode or not float(cm[i, j]).is_integer() \
                    else f"{int(cm[i, j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8 if n > 12 else 10,
                        color="white" if cm[i, j] > threshold else "black")
    fig.tight_layout()
    return save(fig, to_file)


def roc_curves(y_true, y_score) -> dict:
    """Per-class and averaged ROC curves: `{name: (fpr, tpr, auc)}`.

    Binary problems give one curve; several classes give one-vs-rest curves
    per class (classes absent from `y_true` are skipped) plus `"micro"` and
    `"macro"` averages (macro: the mean TPR interpolated on every class' FPR).
    """
    y_true, y_score = to_numpy(y_true, "y_true"), to_numpy(y_score, "y_score").astype(np.float64)
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score[:, 0]
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    if y_score.ndim == 1 or y_score.shape[1] == 2:
        labels = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
        fpr, tpr, _ = roc_curve(labels, y_score if y_score.ndim == 1 else y_score[:, 1])
        return {1: (fpr, tpr, auc(fpr, tpr))}
    k = y_score.shape[1]
    truth = y_true if is_one_hot(y_true) or y_true.ndim == 2 else np.eye(k)[y_true.astype(int)]
    curves = {}
    for c in range(k):
        if 0 < truth[:, c].sum() < len(truth):
            fpr, tpr, _ = roc_curve(truth[:, c], y_score[:, c])
            curves[c] = (fpr, tpr, auc(fpr, tpr))
    fpr, tpr, _ = roc_curve(truth.ravel(), y_score.ravel())
    curves["micro"] = (fpr, tpr, auc(fpr, tpr))
    if curves:
        grid = np.unique(np.concatenate([curves[c][0] for c in curves if c != "micro"]))
        mean_tpr = np.mean([np.interp(grid, *curves[c][:2]) for c in curves if c != "micro"],
                           axis=0)
        curves["macro"] = (grid, mean_tpr, auc(grid, mean_tpr))
    return curves


def plot_roc(y_true, y_score, class_names=None, to_file=None, figsize=(6.4, 5.6),
             max_classes: int = 10):
    """ROC curves with their AUC: per class (one-vs-rest) plus micro and macro averages.

    Args:
        y_true: Class indices `(n,)` or one-hot rows (binary `{0, 1}` labels for one curve).
        y_score: Probability rows `(n, classes)` or positive-class scores `(n,)`.
        class_names: Names of the classes, in order.
        to_file: Optional image path to write.
        figsize: `(width, height)` in inches.
        max_classes: Draw the per-class curves only up to this many classes
            (the averages are always drawn).

    Returns:
        The matplotlib `Figure`.
    """
    curves = roc_curves(y_true, y_score)
    fig = new_figure(*figsize)
    ax = fig.add_subplot(1, 1, 1)
    per_class = [c for c in curves if c not in ("micro", "macro")]
    for c in per_class if len(per_class) <= max_classes or len(curves) == 1 else []:
        fpr, tpr, area = curves[c]
        label = "ROC" if len(curves) == 1 else class_name(class_names, c)
        ax.plot(fpr, tpr, linewidth=1.2, label=f"{label} (AUC {area:.3f})")
    for name, style in (("micro", ":"), ("macro", "--")):
        if name in curves:
            fpr, tpr, area = curves[name]
            ax.plot(fpr, tpr, style, linewidth=2.5, label=f"{name} average (AUC {area:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="-.", label="chance")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curves" if len(curves) > 1 else "ROC curve")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    return save(fig, to_file)
