"""The report as one self-contained HTML page: inline CSS, figures as base64 PNG, no scripts."""

from __future__ import annotations

import base64
import html
import os

import numpy as np

from layerwise.reports._figure import png_bytes
from layerwise.reports.image_plots import plot_predictions
from layerwise.reports.plots import plot_confusion_matrix, plot_history, plot_roc
from layerwise.utils.atomic import atomic_write

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;
max-width:1100px;padding:12px;color:#222;line-height:1.4}
h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.2em;margin-top:1.4em;border-bottom:1px solid #ddd}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#f3f6fb;border-radius:8px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:1.5em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.9em;margin:6px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
img{max-width:100%;height:auto;display:block;margin:8px 0}
.right{color:#1f5fbf}.wrong{color:#c62828}.note{color:#666;font-size:.9em}
"""


def _figure_tag(fig, alt: str) -> str:
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header, rows) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f'<div class="scroll"><table><tr>{head}</tr>{body}</table></div>'


def _looks_like_images(x) -> bool:
    if x is None or not hasattr(x, "shape"):
        return False
    if len(x.shape) in (3, 4):
        return len(x.shape) == 3 or x.shape[-1] in (1, 3, 4)
    # Flat rows count as images when they are small squares (digits 8x8 ... MNIST 28x28).
    side = int(round(np.sqrt(x.shape[1]))) if len(x.shape) == 2 else 0
    return 8 <= side <= 64 and side * side == x.shape[1]


def _figures(report) -> list[tuple[str, str]]:
    """`(section title, <img> tag)` for each figure, or a note when matplotlib is missing."""
    k = len(report.class_names)
    makers = []
    if report.history is not None:
        makers.append(("Training curves", lambda: plot_history(report.history)))
    makers.append(("Confusion matrix", lambda: plot_confusion_matrix(
        report.confusion, report.class_names)))
    if report.roc_auc:
        score = report.y_prob[:, 1] if k == 2 else report.y_prob
        makers.append(("ROC curves", lambda: plot_roc(report.y_true, score, report.class_names)))
    if report.worst_mistakes and _looks_like_images(report.x):
        index = [m["index"] for m in report.worst_mistakes[:9]]
        x = np.asarray(report.x)[index]
        makers.append(("Most confident mistakes", lambda: plot_predictions(
            x, report.y_true[index], report.y_prob[index], report.class_names, n=len(index),
            show_bars=k <= 20)))
    out = []
    for title, make in makers:
        try:
            fig = make()
        except ImportError as error:
            return [("Figures", f'<p class="note">{html.escape(str(error))}</p>')]
        out.append((title, _figure_tag(fig, title)))
    return out


def report_body(report) -> str:
    """The report's HTML without the page around it (also the notebook view)."""
    cards = [("accuracy", f"{report.accuracy:.4f}"), ("samples", f"{len(report.y_true)}")]
    cards += [(f"evaluate {k}", f"{v:.4f}") for k, v in report.metrics.items()]
    cards += [(f"ROC AUC {k}", f"{v:.4f}") for k, v in report.roc_auc.items()
              if k in ("micro", "macro", "binary")]
    parts = ['<div class="cards">' + "".join(
        f'<div class="card">{html.escape(n)}<b>{v}</b></div>' for n, v in cards) + "</div>"]
    if report.from_logits:
        parts.append('<p class="note">The model returns logits; a softmax gave the '
                     "probabilities below.</p>")
    figures = dict(_figures(report))
    for title in ("Training curves", "Figures"):
        if title in figures:
            parts += [f"<h2>{title}</h2>", figures[title]]
    rows = []
    for name in report.class_names + ["macro avg", "weighted avg"]:
        s = report.per_class[name]
        rows.append([name, f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1-score']:.4f}",
                     f"{s['support']:g}", f"{report.roc_auc[name]:.4f}" if name in report.roc_auc
                     else ""])
    parts += ["<h2>Per class</h2>",
              _table(["class", "precision", "recall", "f1-score", "support", "ROC AUC"], rows)]
    if "Confusion matrix" in figures:
        parts += ["<h2>Confusion matrix</h2>", figures["Confusion matrix"]]
    if len(report.class_names) <= 20:
        parts.append(_table(["true \\ predicted", *report.class_names],
                            [[n, *r] for n, r in zip(report.class_names, report.confusion.tolist())]))
    if "ROC curves" in figures:
        parts += ["<h2>ROC curves</h2>", figures["ROC curves"]]
    parts += ["<h2>Most confused classes</h2>", _table(
        ["true", "predicted", "count", "share of true class"],
        [[p["true"], p["predicted"], p["count"], f"{100 * p['share_of_true']:.1f}%"]
         for p in report.confused_pairs]) if report.confused_pairs else "<p>No mistakes.</p>"]
    if report.worst_mistakes:
        parts += ["<h2>Most confident mistakes</h2>", _table(
            ["sample", "true", "predicted", "confidence", "probability of true class"],
            [[m["index"], m["true"], m["predicted"], f"{100 * m['confidence']:.1f}%",
              f"{100 * m['prob_true']:.1f}%"] for m in report.worst_mistakes])]
        if "Most confident mistakes" in figures:
            parts += ['<p class="note">Predicted class, confidence and (true class); '
                      '<span class="wrong">red</span> marks the predicted bar, '
                      '<span class="right">blue</span> the true one.</p>',
                      figures["Most confident mistakes"]]
    parts += ["<h2>Classification report</h2>", f"<pre>{html.escape(report.text)}</pre>"]
    return "\n".join(parts)


def render_report(report, path=None, title: str = "layerwise evaluation report") -> str:
    """The full page; written atomically to `path` when given."""
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>\n{report_body(report)}\n</body></html>\n")
    if path is not None:
        path = os.fspath(path)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with atomic_write(path, "w", encoding="utf-8") as handle:
            handle.write(page)
    return page
