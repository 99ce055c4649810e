"""The applications benchmark's bookkeeping and its hand-written torch peers (no timing
assertions): the peers are the same networks as layerwise's, the report adds up.

    .venv/bin/python -m pytest benchmarks/test_applications_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import layerwise  # noqa: E402

import applications_bench as bench  # noqa: E402
import applications_torch as peers  # noqa: E402


def test_torch_vgg16_is_layerwise_vgg16():
    """Same parameter count and, with layerwise's weights copied in, the same features."""
    base = layerwise.applications.VGG16(weights=None, include_top=False,
                                        input_shape=(32, 32, 3))
    features = peers.vgg16_features()
    assert peers.count_params(features) == base.count_params() == 14_714_688
    convs = [m for m in features if isinstance(m, torch.nn.Conv2d)]
    layers = [layer for layer in base.layers if layer.get_weights()]
    assert len(convs) == len(layers) == 13
    assert layers[10].name == "block5_conv1"
    assert features[peers.FINE_TUNE_FROM] is convs[10]
    for conv, layer in zip(convs, layers, strict=True):
        kernel, bias = layer.get_weights()
        conv.weight.data = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
        conv.bias.data = torch.from_numpy(bias)
    x = np.random.default_rng(0).uniform(0, 1, (2, 32, 32, 3)).astype("float32")
    got = peers.inference_case(features, x, batch=1)()
    expected = base.predict(x, verbose=0)
    np.testing.assert_allclose(got.permute(0, 2, 3, 1).numpy(), expected, rtol=1e-4,
                               atol=1e-4)


def test_torch_resnet50_has_keras_parameter_count():
    assert peers.count_params(peers.resnet50()) == 25_636_712
    out = peers.inference_case(peers.resnet50(), np.zeros((1, 32, 32, 3), "float32"), 1)()
    assert out.shape == (1, 1000)


def test_torch_fine_tune_trains_only_block5_and_head():
    x = np.random.default_rng(0).uniform(0, 1, (4, 32, 32, 3)).astype("float32")
    run = peers.fine_tune_case(x, np.array([[0.0], [1.0], [1.0], [0.0]], "float32"), 2)
    assert np.isfinite(run())


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**{"quick": False, "rounds": 3, "threads": 0, **kw})


def test_report_ratios_and_targets():
    row = {"layerwise": bench.summarize([2.0, 1.0, 4.0], 100, 0.5),
           "keras-torch": bench.summarize([2.0, 3.0, 2.5], 100, 0.5),
           "torch": bench.summarize([1.0, 1.0, 1.0], 100, 0.1),
           "keras-jax": {"error": "ModuleNotFoundError: No module named 'jax'"}}
    assert row["layerwise"]["best_img_s"] == 100.0 and row["layerwise"]["median_img_s"] == 50.0
    assert bench.ratio(row, "keras-torch") == pytest.approx(2.0)
    assert bench.ratio(row, "torch") == pytest.approx(1.0)
    assert bench.ratio(row, "keras-jax") is None
    text = bench.render({"A1": row}, _args(), {"cpu_model": "cpu", "versions": {}})
    case_line = next(line for line in text.splitlines() if line.startswith("| A1"))
    assert "100.0 (50.0)" in case_line and "n/a (ModuleNotFoundError" in case_line
    assert "2.00x ✓" in case_line and "1.00x ✓" in case_line
    assert "- A1 layerwise: warm-up 0.50 s; 2.000, 1.000, 4.000" in text


def test_select_rejects_unknown_names():
    assert bench.select("A2,torch") == (["A2"], ["torch"])
    assert bench.select("") == (list(bench.CASES), list(bench.FRAMEWORKS))
    with pytest.raises(SystemExit, match="unknown.*'A9'"):
        bench.select("A9")


def test_quick_sizes_are_tiny():
    for case in bench.CASES:
        side, batch, images = bench.case_sizes(case, quick=True)
        assert side <= 64 and images <= 8 and batch <= images
