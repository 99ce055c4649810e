"""The `layerwise` command: help, exit codes, one-line errors, and each subcommand."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import layerwise as keras
from layerwise.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
COMMANDS = [[], ["demo"], ["summary"], ["evaluate"], ["predict"], ["convert"], ["datasets"],
            ["datasets", "download"], ["datasets", "path"]]


def run_module(*args, module="layerwise"):
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          env=env, cwd=str(REPO), timeout=300)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_on_each_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: layerwise")
    assert len(out.splitlines()) > 3


def test_usage_errors_exit_2(capsys):
    for argv in ([], ["fly"], ["evaluate", "m.keras"], ["evaluate", "m.keras", "--dataset", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_python_dash_m_entry_points():
    top = run_module("--help")
    assert top.returncode == 0 and "demo" in top.stdout and "convert" in top.stdout
    missing = run_module("summary", "missing.keras", module="layerwise.cli")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "layerwise summary: error: no such file: missing.keras"
    assert missing.stdout == ""


def digits_model_file(tmp_path, loss="sparse_categorical_crossentropy"):
    (x, y), _ = keras.datasets.digits.load_data()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", loss, metrics=["accuracy"])
    targets = y if "sparse" in loss else keras.utils.to_categorical(y, 10)
    model.fit(x.reshape(-1, 64) / 16.0, targets, epochs=2, batch_size=64, verbose=0)
    path = tmp_path / "digits.keras"
    model.save(path)
    return model, path


def test_demo_report_accuracy_matches_evaluate(tmp_path, capsys):
    report = tmp_path / "report.html"
    code = main(["demo", "--epochs", "1", "--verbose", "0", "--report", str(report)])
    out = capsys.readouterr().out
    evaluated = re.search(r"Test accuracy: ([0-9.]+)", out).group(1)
    assert code == (0 if float(evaluated) > 0.95 else 1)
    page = report.read_text(encoding="utf-8")
    card = re.search(r'<div class="card">accuracy<b>([0-9.]+)</b>', page).group(1)
    assert card == evaluated
    assert f"Report: {report} (accuracy {evaluated})" in out


def test_summary_and_evaluate(tmp_path, capsys):
    model, path = digits_model_file(tmp_path, loss="categorical_crossentropy")
    assert main(["summary", str(path)]) == 0
    assert "Trainable params: 650" in capsys.readouterr().out
    report = tmp_path / "eval.html"
    assert main(["evaluate", str(path), "--dataset", "digits", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    _, (xt, yt) = keras.datasets.digits.load_data()
    _, accuracy = model.evaluate(xt.reshape(-1, 64) / 16.0, keras.utils.to_categorical(yt, 10),
                                 verbose=0)
    assert f"Accuracy: {accuracy:.4f}" in out
    assert "digits.keras on digits" in report.read_text(encoding="utf-8")
    small = keras.Sequential([keras.Input((32,)), keras.layers.Dense(10, activation="softmax")])
    small.save(tmp_path / "small.keras")
    assert main(["evaluate", str(tmp_path / "small.keras"), "--dataset", "digits"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("layerwise evaluate: error: the model expects inputs of shape (32,)")
    assert len(err.strip().splitlines()) == 1


def test_predict_images(tmp_path, capsys):
    pytest.importorskip("PIL")
    model, path = digits_model_file(tmp_path)
    _, (xt, _) = keras.datasets.digits.load_data()
    files = []
    for i in range(2):
        files.append(tmp_path / f"digit{i}.png")
        keras.utils.save_img(files[-1], (xt[i] * 16).astype("uint8")[..., None], scale=False)
    assert main(["predict", str(path), *map(str, files), "--top", "2", "--classes", "digits"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    batch = np.stack([keras.utils.img_to_array(keras.utils.load_img(
        f, color_mode="grayscale", target_size=(8, 8))).reshape(64) / 255.0 for f in files])
    expected = model.predict(batch, verbose=0).argmax(axis=1)
    for line, best in zip(lines, expected):
        assert re.match(rf".*digit\d\.png: {best} \(", line)
    assert main(["predict", str(path), str(tmp_path / "none.png")]) == 1


def test_convert_between_formats(tmp_path, capsys):
    model, path = digits_model_file(tmp_path)
    x = np.random.default_rng(0).random((4, 64)).astype("float32")
    h5 = tmp_path / "m.h5"
    back = tmp_path / "back.keras"
    assert main(["convert", str(path), str(h5)]) == 0
    assert main(["convert", str(h5), str(back)]) == 0
    reloaded = keras.models.load_model(back)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    assert main(["convert", str(path), str(h5)]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert main(["convert", str(h5), str(tmp_path / "m.txt")]) == 1
    if pytest.importorskip("onnx"):
        onnx_file = tmp_path / "m.onnx"
        assert main(["convert", str(path), str(onnx_file)]) == 0
        assert onnx_file.stat().st_size > 1000
        assert main(["convert", str(onnx_file), str(tmp_path / "x.keras")]) == 1
        assert "cannot be read back" in capsys.readouterr().err


def test_datasets_path_and_download(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAYERWISE_DATASETS", str(tmp_path / "data"))
    assert main(["datasets", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "data")
    assert main(["datasets", "download", "digits"]) == 0
    assert "embedded" in capsys.readouterr().out
    shared = next((p / "shared" / "datasets" for p in REPO.parents
                   if (p / "shared" / "datasets" / "mnist").is_dir()), None)
    if shared is None:
        pytest.skip("no local MNIST files to stand in for the download")
    monkeypatch.setenv("LAYERWISE_DATASETS", str(shared))
    assert main(["datasets", "download", "mnist"]) == 0
    assert "mnist: ready" in capsys.readouterr().out


def test_parser_lists_every_dataset_choice():
    help_text = build_parser().format_help()
    assert "datasets" in help_text
