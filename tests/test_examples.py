"""The example scripts run end to end (on small stand-in data) and write their report."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import layerwise as keras

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def images(shape, classes, n_train=96, n_test=48, label_shape=()):
    rng = np.random.default_rng(0)

    def split(n):
        return (rng.integers(0, 256, (n, *shape)).astype("uint8"),
                rng.integers(0, classes, (n, *label_shape)).astype("int64"))

    return lambda *a, **k: (split(n_train), split(n_test))


def reviews(*args, num_words=10000, **kwargs):
    rng = np.random.default_rng(1)

    def split(n):
        data = np.empty(n, dtype=object)
        data[:] = [list(rng.integers(1, num_words, rng.integers(5, 40))) for _ in range(n)]
        return data, rng.integers(0, 2, n)

    return split(64), split(32)


CASES = {
    "fashion_mnist_mlp.py": ("fashion_mnist", images((28, 28), 10)),
    "cifar100_mlp.py": ("cifar100", images((32, 32, 3), 100, 200, 200, (1,))),
    "imdb_multihot.py": ("imdb", reviews),
    "mnist_cnn.py": ("mnist", images((28, 28), 10)),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_and_writes_its_report(script, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    dataset, fake = CASES[script]
    module = getattr(keras.datasets, dataset)
    monkeypatch.setattr(module, "load_data", fake)
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "report.html"
    argv = [script, "--epochs", "1"]
    argv += [] if script == "mnist_cnn.py" else ["--report", str(report)]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    out = capsys.readouterr().out
    assert "Evaluation report:" in out and "weighted avg" in out
    written = report if script != "mnist_cnn.py" else tmp_path / "mnist_cnn_report.html"
    assert "<h2>Confusion matrix</h2>" in written.read_text(encoding="utf-8")


def test_every_example_is_linked_from_the_readme():
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for script in EXAMPLES.glob("*.py"):
        assert f"examples/{script.name}" in readme, script.name
