"""Each plot writes a PNG of the expected size with real content, and returns the Figure."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from layerwise import reports

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


def check_png(path, size):
    """The PNG has `size` pixels and is not blank (many colours, real contrast)."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == size
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 20, "the image is nearly uniform"
    assert pixels.std() > 10
    assert (pixels.sum(axis=2) < 600).mean() > 0.01, "almost nothing is drawn"
    return pixels


def history_dict():
    return {"loss": [1.0, 0.6, 0.4, 0.35], "accuracy": [0.6, 0.8, 0.88, 0.9],
            "val_loss": [0.9, 0.55, 0.5, 0.52], "val_accuracy": [0.65, 0.82, 0.86, 0.85]}


def test_plot_history_marks_the_best_epoch(tmp_path):
    fig = reports.plot_history(history_dict(), to_file=tmp_path / "h.png")
    check_png(tmp_path / "h.png", (1000, 360))
    loss_ax = fig.axes[1]
    labels = [line.get_label() for line in loss_ax.lines]
    assert "training" in labels and "validation" in labels
    assert any(label.startswith("best: epoch 3") for label in labels)   # lowest val_loss
    acc_labels = [line.get_label() for line in fig.axes[0].lines]
    assert any(label.startswith("best: epoch 3") for label in acc_labels)  # highest val_acc
    one = reports.plot_history(history_dict(), metrics="loss", figsize=(4, 3))
    assert len(one.axes) == 1


def test_history_plot_from_fit(tmp_path):
    import layerwise as keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    history = model.fit(x, (x[:, 0] > 0.5).astype(int), epochs=3, verbose=0,
                        validation_split=0.25)
    fig = history.plot(to_file=tmp_path / "fit.png")
    assert fig is not None
    check_png(tmp_path / "fit.png", (1000, 360))


def test_plot_history_rejects_unknown_metric():
    with pytest.raises(ValueError, match="auc"):
        reports.plot_history(history_dict(), metrics=["auc"])
    with pytest.raises(ValueError, match="History"):
        reports.plot_history([1, 2])


def test_plot_confusion_matrix(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    cm = reports.confusion_matrix(y, np.where(rng.random(200) < 0.7, y, rng.integers(0, 4, 200)))
    fig = reports.plot_confusion_matrix(cm, ["cat", "dog", "eel", "fox"], figsize=(5, 4),
                                        to_file=tmp_path / "cm.png")
    pixels = check_png(tmp_path / "cm.png", (500, 400))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert str(cm[0, 0]) in texts and len(texts) == 16
    assert (np.abs(pixels - [8, 48, 107]).sum(axis=2) < 60).any()    # dark "Blues" cells
    fig = reports.plot_confusion_matrix(cm, normalize=True)
    rows = np.array([float(t.get_text()) for t in fig.axes[0].texts]).reshape(4, 4)
    np.testing.assert_allclose(rows.sum(axis=1), 1, atol=0.03)
    with pytest.raises(ValueError, match="square"):
        reports.plot_confusion_matrix(np.ones((2, 3)))


def test_plot_roc_multiclass_and_binary(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 120)
    logits = np.eye(3)[y] * 2 + rng.normal(size=(120, 3))
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    fig = reports.plot_roc(y, prob, ["a", "b", "c"], to_file=tmp_path / "roc.png")
    check_png(tmp_path / "roc.png", (640, 560))
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert any(lab.startswith("micro average") for lab in labels)
    assert any(lab.startswith("macro average") for lab in labels)
    micro = reports.roc_auc_score(y, prob, average="micro")
    assert f"micro average (AUC {micro:.3f})" in labels
    assert any(lab.startswith("b (AUC") for lab in labels)
    fig = reports.plot_roc(y == 1, prob[:, 1], to_file=tmp_path / "bin.png")
    check_png(tmp_path / "bin.png", (640, 560))
    area = reports.roc_auc_score(y == 1, prob[:, 1])
    assert f"ROC (AUC {area:.3f})" in [line.get_label() for line in fig.axes[0].lines]


def test_plot_images_and_predictions(tmp_path):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 255, (12, 28, 28)).astype("uint8")
    reports.plot_images(images, labels=np.arange(12) % 3, class_names=["x", "y", "z"], n=12,
                        cols=4, to_file=tmp_path / "grid.png", figsize=(4, 3))
    check_png(tmp_path / "grid.png", (400, 300))
    flat = rng.random((6, 784))
    reports.plot_images(flat, to_file=tmp_path / "flat.png", figsize=(3, 2))
    check_png(tmp_path / "flat.png", (300, 200))
    colour = rng.random((6, 8, 8, 3))
    truth = np.array([0, 1, 2, 0, 1, 2])
    prob = rng.dirichlet(np.ones(3), 6)
    prob[0] = [0.9, 0.05, 0.05]      # right
    prob[1] = [0.9, 0.05, 0.05]      # wrong
    fig = reports.plot_predictions(colour, truth, prob, ["a", "b", "c"], n=6, cols=3,
                                   figsize=(9, 4), to_file=tmp_path / "pred.png")
    check_png(tmp_path / "pred.png", (900, 400))
    image_axes = fig.axes[0::2]
    assert image_axes[0].xaxis.label.get_text() == "a 90% (a)"
    assert image_axes[0].xaxis.label.get_color() == reports._figure.RIGHT
    assert image_axes[1].xaxis.label.get_text() == "a 90% (b)"
    assert image_axes[1].xaxis.label.get_color() == reports._figure.WRONG
    with pytest.raises(ValueError, match="images"):
        reports.plot_images(rng.random((3, 10)))


def test_to_file_formats_and_errors(tmp_path):
    fig = reports.plot_history(history_dict(), to_file=tmp_path / "sub" / "h.svg")
    assert (tmp_path / "sub" / "h.svg").read_text().lstrip().startswith("<?xml")
    assert fig.axes
    with pytest.raises(ValueError, match="to_file"):
        reports.plot_history(history_dict(), to_file=tmp_path / "h.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]   # nothing half-written


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        reports.plot_history(history_dict())
