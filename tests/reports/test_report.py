"""`model.evaluate_report`: the numbers agree with evaluate and scikit-learn; text, dict, HTML."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

import layerwise as keras
from layerwise import reports

S = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    (x, y), (xt, yt) = keras.datasets.digits.load_data()
    x = x.reshape(len(x), 64).astype("float32") / 16
    xt = xt.reshape(len(xt), 64).astype("float32") / 16
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=64, validation_split=0.1, verbose=0)
    return model, history, xt, yt


def test_report_numbers_match_evaluate_and_sklearn(trained):
    model, history, xt, yt = trained
    names = [f"digit {i}" for i in range(10)]
    report = model.evaluate_report(xt, yt, class_names=names, history=history)
    _, accuracy = model.evaluate(xt, yt, verbose=0)
    assert report.accuracy == pytest.approx(accuracy, abs=1e-6)
    assert report.metrics["accuracy"] == pytest.approx(accuracy, abs=1e-6)
    prob = model.predict(xt, verbose=0)
    pred = prob.argmax(1)
    np.testing.assert_array_equal(report.confusion, S.confusion_matrix(yt, pred, labels=range(10)))
    assert report.text == S.classification_report(yt, pred, labels=range(10), target_names=names,
                                                  digits=4, zero_division=0.0)
    assert report.roc_auc["micro"] == pytest.approx(
        S.roc_auc_score(yt, prob, multi_class="ovr", average="micro"), abs=1e-6)
    assert report.roc_auc["macro"] == pytest.approx(
        S.roc_auc_score(yt, prob, multi_class="ovr", average="macro"), abs=1e-6)
    off = report.confusion - np.diag(np.diag(report.confusion))
    assert report.confused_pairs[0]["count"] == off.max()
    worst = report.worst_mistakes[0]
    wrong = pred != yt
    assert worst["confidence"] == pytest.approx(prob[wrong].max(axis=1).max(), abs=1e-6)
    assert pred[worst["index"]] != yt[worst["index"]]


def test_report_text_and_dict(trained):
    model, history, xt, yt = trained
    report = model.evaluate_report(xt, yt, history=history)
    one_hot = reports.EvaluationReport(keras.utils.to_categorical(yt, 10), report.y_prob)
    assert one_hot.accuracy == report.accuracy
    text = str(report)
    assert f"Accuracy: {report.accuracy:.4f}" in text
    assert "weighted avg" in text and "Most confused" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["accuracy"] == report.accuracy
    assert data["confusion_matrix"] == report.confusion.tolist()
    assert data["history"]["loss"] == pytest.approx(history.history["loss"])
    assert set(data["per_class"]) >= {"0", "9", "accuracy", "macro avg"}
    assert "accuracy=" in repr(report)


def test_report_from_logits_sigmoid_and_bad_input():
    y = np.array([0, 1, 1, 0, 1])
    logits = np.array([[2.0, -1.0], [-1.0, 3.0], [0.5, 0.1], [1.0, -2.0], [-3.0, 4.0]])
    report = reports.EvaluationReport(y, logits)
    assert report.from_logits and report.accuracy == pytest.approx(0.8)
    assert report.roc_auc["binary"] == pytest.approx(S.roc_auc_score(y, logits[:, 1] - logits[:, 0]))
    sigmoid = reports.EvaluationReport(y, np.array([[0.1], [0.8], [0.3], [0.2], [0.9]]))
    assert not sigmoid.from_logits and sigmoid.accuracy == pytest.approx(0.8)
    with pytest.raises(ValueError, match="class_names"):
        reports.EvaluationReport(y, logits, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="outside"):
        reports.EvaluationReport(np.array([0, 5, 1, 0, 1]), logits)


def test_html_is_self_contained(trained, tmp_path):
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    import io

    model, history, xt, yt = trained
    page = model.evaluate_report(xt, yt, history=history).to_html(tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
    assert 'name="viewport"' in page
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", page)   # nothing fetched
    assert "<script" not in page and "<link" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 4     # curves, confusion matrix, ROC, mistakes
    for data in images:
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.size[0] > 300
    assert "Confusion matrix" in page and "ROC curves" in page and "Training curves" in page


def test_html_without_matplotlib_keeps_the_tables(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    y = np.array([0, 1, 2, 2, 1, 0])
    prob = np.eye(3)[[0, 1, 1, 2, 1, 0]] * 0.8 + 0.2 / 3
    page = reports.EvaluationReport(y, prob, x=np.zeros((6, 8, 8))).to_html(tmp_path / "r.html")
    assert "pip install matplotlib" in page
    assert "data:image/png" not in page
    assert "<h2>Per class</h2>" in page and "true \\ predicted" in page
