"""Unit tests for the benchmark harness's bookkeeping (no timing assertions).

    python -m pytest benchmarks/test_harness.py
"""

from __future__ import annotations

import numpy as np
import pytest

import report
import run
import timing
import workloads


def test_should_stop_respects_max_and_min_epochs():
    assert not timing.should_stop([], max_epochs=4)
    assert not timing.should_stop([100.0, 100.0], max_epochs=4)  # below MIN_EPOCHS
    assert timing.should_stop([100.0] * timing.MIN_EPOCHS, max_epochs=10)  # over budget
    assert not timing.should_stop([0.1] * timing.MIN_EPOCHS, max_epochs=10)
    assert timing.should_stop([0.1] * 4, max_epochs=4)


def test_summarize_uses_median_of_steady_epochs():
    summary = timing.summarize([9.0, 1.0, 3.0, 2.0], epoch_samples=100)
    assert summary["first_epoch_s"] == 9.0
    assert summary["steady_median_s"] == 2.0
    assert summary["samples_per_s"] == 50.0
    assert timing.summarize([9.0], 100)["samples_per_s"] is None


@pytest.mark.parametrize("workload", workloads.WORKLOADS, ids=lambda w: w.name)
def test_quick_data_shapes_and_determinism(workload):
    small = workload.scaled(workloads.QUICK_FACTOR * 10)
    x, y = workloads.make_data(small)
    assert x.shape == (small.samples, *workload.sample_shape)
    assert x.dtype == (np.int32 if workload.is_text else np.float32)
    if workload.loss == "sparse_categorical_crossentropy":
        assert y.shape == (small.samples,) and y.max() < workload.outputs
    elif workload.loss == "binary_crossentropy":
        assert y.shape == (small.samples, 1)
    else:
        assert y.shape == (small.samples, workload.outputs)
        np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    x2, y2 = workloads.make_data(small)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_select_splits_workloads_and_frameworks():
    wls, fws = run.select("w1, tf,torch")
    assert [w.name for w in wls] == ["W1"]
    assert [f.name for f in fws] == ["keras-tensorflow", "torch"]
    wls, fws = run.select("")
    assert len(wls) == len(workloads.WORKLOADS) and fws[0].name == "layerwise"
    with pytest.raises(SystemExit):
        run.select("W9")


def test_markdown_reports_failures_and_ratios():
    ok = {"ok": True, "samples_per_s": 200.0, "first_epoch_s": 1.0, "epochs": 3,
          "final_logs": {"loss": 0.5, "accuracy": 0.9}}
    results = {"W1": {
        "layerwise": dict(ok, samples_per_s=100.0),
        "torch": ok,
        "keras-jax": {"ok": False, "error": "ModuleNotFoundError: No module named 'jax'"},
    }}
    meta = {"command": "run.py", "date": "today", "quick": True,
            "machine": {"cpu_model": "CPU", "cpu_count": 2, "threads": 2, "memory_gib": 1.0,
                        "platform": "Linux", "python": "3.11", "versions": {"torch": "2"}}}
    text = report.render_markdown(meta, [workloads.WORKLOADS[0]],
                                  ["layerwise", "keras-jax", "torch"], results)
    assert "n/a (ModuleNotFoundError: No module named 'jax')" in text
    assert "0.50x" in text  # layerwise / PyTorch loop
    assert report.ratio(results["W1"], "keras-jax") is None
    assert "QUICK" in text


def test_best_run_keeps_the_fastest_and_every_throughput():
    slow = {"ok": True, "samples_per_s": 100.0, "epochs": 3}
    fast = {"ok": True, "samples_per_s": 150.0, "epochs": 3}
    failed = {"ok": False, "error": "boom"}
    best = run.best_run(run.best_run(None, slow), fast)
    assert best["samples_per_s"] == 150.0 and best["runs_samples_per_s"] == [100.0, 150.0]
    best = run.best_run(best, slow)
    assert best["samples_per_s"] == 150.0 and best["runs_samples_per_s"] == [100.0, 150.0, 100.0]
    best = run.best_run(run.best_run(None, failed), slow)
    assert best["ok"] and best["runs_samples_per_s"] == [None, 100.0]
    assert not run.best_run(None, failed)["ok"]
