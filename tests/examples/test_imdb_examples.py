"""The IMDB examples run end to end on a tiny synthetic IMDB (no download)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import layerwise

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_imdb(num_words=None, **kwargs):
    """Reviews with a learnable signal: positive ones use the words 10-19."""
    rng = np.random.default_rng(0)

    def split(n):
        y = rng.integers(0, 2, size=n)
        x = [list(rng.integers(20 if label == 0 else 10, 30 if label == 0 else 20,
                               size=rng.integers(5, 40))) for label in y]
        return np.array([[1] + s for s in x], dtype=object), y

    return split(64), split(32)


@pytest.fixture
def tiny_imdb(monkeypatch):
    monkeypatch.setattr(layerwise.datasets.imdb, "load_data", _fake_imdb)


def test_imdb_lstm_example(tiny_imdb, monkeypatch):
    module = _load("imdb_lstm")
    monkeypatch.setattr(module, "MAXLEN", 40)
    history, acc = module.main(["--epochs", "2"])
    assert len(history.history["loss"]) == 2 and "val_acc" in history.history
    layer = module.build_model().layers[1]
    assert isinstance(layer, layerwise.layers.LSTM) and layer._fused_plan(None, True)


def test_imdb_bidirectional_example(tiny_imdb, monkeypatch, tmp_path, capsys):
    module = _load("imdb_bidirectional")
    monkeypatch.setattr(module, "MAXLEN", 30)
    index = {f"w{i}": i - 3 for i in range(4, 30)}
    (tmp_path / "imdb_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(layerwise.datasets.imdb, "get_word_index", lambda: index)
    history = module.main(["--epochs", "1", "--decode"])
    assert "[START] w" in capsys.readouterr().out
    assert history.history["loss"][0] > 0 and "val_accuracy" in history.history
    model = module.build_model()
    assert model.count_params() == 20000 * 128 + 2 * 4 * 64 * (128 + 64 + 1) \
        + 2 * 4 * 64 * (128 + 64 + 1) + 129


SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


@pytest.mark.skipif(not (SHARED / "imdb").is_dir(), reason="no shared IMDB copy beside the repo")
def test_tutorial_decoding_with_the_real_word_index(monkeypatch):
    # The first training review of Keras' imdb.npz starts [1, 14, 22, 16, ...]: the
    # tutorials' "this film was just brilliant".
    monkeypatch.setenv("LAYERWISE_DATASETS", str(SHARED.resolve()))
    module = _load("imdb_bidirectional")
    assert module.decode([1, 14, 22, 16, 2]) == "[START] this film was [OOV]"
