"""Image grids: `plot_images` and `plot_predictions` (blue when right, red when wrong)."""

from __future__ import annotations

import numpy as np

from layerwise.reports._figure import (
    RIGHT,
    WRONG,
    as_images,
    class_name,
    grid_shape,
    new_figure,
    save,
)
from layerwise.reports._inputs import as_labels, to_numpy


def _show(ax, image) -> None:
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_images(images, labels=None, class_names=None, n: int = 25, cols: int | None = None,
                to_file=None, figsize=None):
    """A grid of the first `n` images, with their labels as titles.

    Args:
        images: Channels-last images `(n, h, w[, c])` or flat square rows.
        labels: Optional class indices or one-hot rows.
        class_names: Names of the classes, in order.
        n: How many images to show.
        cols: Columns of the grid (default: about square).
        to_file: Optional image path to write.
        figsize: `(width, height)` in inches (default: 1.6 per cell).

    Returns:
        The matplotlib `Figure`.
    """
    x = as_images(images)[:n]
    y = None if labels is None else as_labels(labels, "labels")[:n]
    rows, cols = grid_shape(len(x), cols)
    fig = new_figure(*(figsize or (1.6 * cols, 1.6 * rows + 0.2)))
    for i, image in enumerate(x):
        ax = fig.add_subplot(rows, cols, i + 1)
        _show(ax, image)
        if y is not None:
            ax.set_title(class_name(class_names, y[i]), fontsize=9)
    fig.tight_layout()
    return save(fig, to_file)


def plot_predictions(images, y_true, y_prob, class_names=None, n: int = 15, cols: int = 3,
                     to_file=None, figsize=None, show_bars: bool = True):
    """Images with the predicted class, its confidence and the true class, plus the bars.

    Titles read "predicted 97% (true)"; blue when right, red when wrong. Beside
    each image, the predicted probabilities of every class, the predicted bar
    in red and the true one in blue (the TensorFlow classification tutorial's
    figure).

    Args:
        images: Channels-last images `(n, h, w[, c])` or flat square rows.
        y_true: True class indices or one-hot rows.
        y_prob: Predicted probability rows `(n, classes)`.
        class_names: Names of the classes, in order.
        n: How many images to show.
        cols: Images per row.
        to_file: Optional image path to write.
        figsize: `(width, height)` in inches (default: 4.4 per column, 2.2 per row).
        show_bars: Draw the probability bars beside each image.

    Returns:
        The matplotlib `Figure`.
    """
    x = as_images(images)
    prob = to_numpy(y_prob, "y_prob").astype(np.float64)
    if prob.ndim != 2:
        raise ValueError(f"`y_prob` must be probability rows (n, classes), received shape "
                         f"{prob.shape}; pass `model.predict(x)`.")
    truth = as_labels(y_true, "y_true")
    count = min(n, len(x))
    if len(prob) < count or len(truth) < count:
        raise ValueError(f"`images` ({len(x)}), `y_true` ({len(truth)}) and `y_prob` "
                         f"({len(prob)}) must have the same number of samples.")
    rows, cols = grid_shape(count, min(cols, count))
    per = 2 if show_bars else 1
    fig = new_figure(*(figsize or ((4.4 if show_bars else 2.2) * cols, 2.3 * rows + 0.2)))
    for i in range(count):
        predicted, confidence = int(prob[i].argmax()), float(prob[i].max())
        color = RIGHT if predicted == int(truth[i]) else WRONG
        ax = fig.add_subplot(rows, cols * per, i * per + 1)
        _show(ax, x[i])
        ax.set_xlabel(f"{class_name(class_names, predicted)} {100 * confidence:.0f}% "
                      f"({class_name(class_names, truth[i])})", color=color, fontsize=9)
        if show_bars:
            bars_ax = fig.add_subplot(rows, cols * per, i * per + 2)
            bars = bars_ax.bar(range(prob.shape[1]), prob[i], color="#9e9e9e")
            bars[predicted].set_color(WRONG)
            if 0 <= int(truth[i]) < prob.shape[1]:
                bars[int(truth[i])].set_color(RIGHT)
            bars_ax.set_ylim(0, 1)
            bars_ax.set_xticks(range(prob.shape[1]) if prob.shape[1] <= 10 else [])
            bars_ax.tick_params(labelsize=7)
            bars_ax.set_yticks([])
    fig.tight_layout()
    return save(fig, to_file)
