"""Unit tests for the benchmark harness's bookkeeping (no timing assertions).

    python -m pytest benchmarks/test_harness.py
"""

from __future__ import annotations

import collections

import numpy as np
import pytest
import torch

import dispatch_count
import gemm_peak
import report
import report_sections as sections
import rounds
import run
import scaling
import scaling_worker
import timing
import worker_util
import workloads


def test_should_stop_respects_max_and_min_epochs():
    assert not timing.should_stop([], max_epochs=4)
    assert not timing.should_stop([100.0] * (timing.MIN_EPOCHS - 1), max_epochs=4)
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


def test_merge_takes_each_metrics_own_best_and_keeps_every_round():
    first = {"ok": True, "samples_per_s": 100.0, "predict_samples_per_s": 900.0,
             "peak_rss_mb": 300.0, "final_logs": {"loss": 1.0}}
    second = {"ok": True, "samples_per_s": 120.0, "predict_samples_per_s": 800.0,
              "peak_rss_mb": 310.0, "final_logs": {"loss": 2.0}}
    best = rounds.merge(rounds.merge(rounds.merge(None, first), second),
                        {"ok": False, "error": "x"})
    assert best["samples_per_s"] == 120.0 and best["final_logs"] == {"loss": 2.0}
    assert best["predict_samples_per_s"] == 900.0  # its own best round
    assert best["peak_rss_mb"] == 310.0  # memory: the largest
    assert best["runs"]["predict_samples_per_s"] == [900.0, 800.0, None]
    # lower is better (start-up seconds)
    fast, slow = {"ok": True, "process_wall_s": 2.0}, {"ok": True, "process_wall_s": 3.0}
    merged = rounds.merge(rounds.merge(None, slow, "process_wall_s", False, {}), fast,
                          "process_wall_s", False, {})
    assert merged["process_wall_s"] == 2.0 and merged["runs"] == {"process_wall_s": [3.0, 2.0]}
    assert rounds.entry_spread(merged, "process_wall_s", higher_is_better=False) == 0.5


def test_spread_and_its_summary():
    assert rounds.spread([100.0, 80.0, None, 90.0]) == pytest.approx(0.2)
    assert rounds.spread([2.0, 3.0], higher_is_better=False) == pytest.approx(0.5)
    assert rounds.spread([100.0, None]) is None
    line = rounds.spread_summary([0.1, None, 0.3, 0.02])
    assert "median 10.0%" in line and "largest 30.0%" in line and "3 cells" in line
    assert "no cell" in rounds.spread_summary([None])
    assert rounds.order_for_round([1, 2, 3], 0) == [1, 2, 3]
    assert rounds.order_for_round([1, 2, 3], 1) == [3, 2, 1]


def test_mlp_train_flops_formula():
    w2 = workloads.get_workload("W2").units  # 3072-1000-500-100
    gemms = 2 * (3072 * 1000 + 1000 * 500 + 500 * 100)
    assert gemm_peak.mlp_train_flops(w2) == 3 * gemms - 2 * 3072 * 1000 == 15_588_000
    assert gemm_peak.mlp_train_flops(w2, first_input_grad=True) == 21_732_000  # the issue's
    assert gemm_peak.gflops(1000, 2.0) == pytest.approx(1.0)
    gemm = {"torch": {"ok": True, "gflops": 200.0}, "jax": {"ok": True, "gflops": 440.0},
            "tensorflow": {"ok": False, "error": "missing"}}
    assert gemm_peak.best_peak(gemm) == ("jax", 440.0)
    assert gemm_peak.best_peak({"numpy": {"ok": False, "error": "x"}}) is None


def _meta(rounds_count=3):
    return {"command": "run.py", "date": "today", "quick": False, "rounds": rounds_count,
            "rounds_done": rounds_count, "elapsed_s": 600.0, "budget_s": 30.0,
            "machine": {"cpu_model": "CPU", "cpu_count": 2, "threads": 2, "memory_gib": 1.0,
                        "platform": "Linux", "python": "3.11", "versions": {"torch": "2"}}}


def test_markdown_new_sections():
    def entry(speed, predict=None, rss=500.0):
        return {"ok": True, "samples_per_s": speed, "first_epoch_s": 1.0, "epochs": 3,
                "predict_samples_per_s": predict, "predict_rows": 10_240, "peak_rss_mb": rss,
                "runs": {"samples_per_s": [speed, speed * 0.8, None],
                         "predict_samples_per_s": [predict, predict]}}
    w1, w2 = workloads.get_workload("W1"), workloads.get_workload("W2")
    results = {"W1": {"layerwise": entry(300.0, 1100.0), "torch": entry(150.0, 1000.0, 250.0)},
               "W2": {"layerwise": entry(10_000.0), "torch": {"ok": False, "error": "boom"}}}
    extra = {"gemm": {"torch": {"ok": True, "gflops": 200.0},
                      "jax": {"ok": True, "gflops": 400.0, "runs": {"gflops": [400.0, 300.0]}}},
             "startup": {"layerwise": {"ok": True, "process_wall_s": 2.5,
                                       "stages": {"imported": 1.25, "compiled": 1.5,
                                                  "trained": 2.0},
                                       "runs": {"process_wall_s": [2.5, 3.0]}}}}
    text = report.render_markdown(_meta(), [w1, w2], ["layerwise", "torch"], results, extra)
    assert "best of 3 interleaved rounds" in text and "10.0 min for 3 of 3 rounds" in text
    assert "| W1 | 20% | 20% |" in text  # training noise: (300 - 240) / 300
    assert "| W1 | 10,240 | 1,100 | 1,000 |" in text  # predict table
    assert "| W1 | 1.10x |" in text  # predict ratio layerwise / PyTorch loop
    assert "| W1 | 2.00x |" in text  # training ratio, outside the 20% noise
    assert sections.ratio_text(105.0, 100.0, noise=0.1) == "1.05x ~"  # within the noise
    assert sections.ratio_text(120.0, 100.0, noise=0.1) == "1.20x"
    assert sections.ratio_text(None, 100.0) == "n/a"
    assert sections.pair_noise(results["W1"], "torch") == pytest.approx(0.2)
    assert "| JAX (jit) | 400.0 | 25% |" in text  # GEMM with its noise
    # W2: 10,000 samples/s x 15.588 MFLOP / 400 GFLOP/s = 39%; 54% counting 21.732 MFLOP
    assert "| W2 | 15.59 | 39% | n/a | 54% |" in text
    assert "| layerwise | 1.25 | 1.50 | 2.00 | 2.50 | 20% |" in text  # start-up, (3 - 2.5) / 2.5
    assert "| PyTorch loop | not run | not run | not run | not run | n/a |" in text
    assert "| W1 | 500 | 250 |" in text  # peak RSS
    assert "SCALING.md" in text


def test_worker_flags_and_effective_workload():
    args = run.parse_args(["--max-epochs", "1", "--budget", "5", "--no-predict"])
    assert args.rounds == 3 and run.worker_flags(args) == ("--budget", "5.0", "--max-epochs", "2")
    assert run.parse_args(["--repeats", "4"]).rounds == 4  # the old spelling
    assert "--predict" in run.worker_flags(run.parse_args([]))
    parsed = worker_util.parse_worker_args("t", ["--workload", "W2", "--out", "o", "--startup"])
    assert worker_util.effective_workload(parsed).epochs == 1
    parsed = worker_util.parse_worker_args("t", ["--workload", "W1", "--out", "o",
                                                 "--max-epochs", "3", "--quick"])
    workload = worker_util.effective_workload(parsed)
    assert workload.epochs == 3 and workload.samples == 4_500
    assert workload.predict_rows(4_500) == 4_096  # whole batches of 1024
    assert workloads.get_workload("W5").predict_rows(30_000) == 10_240
    assert workloads.get_workload("W5").predict_rows(500) == 500  # less than one batch


def test_round_fits_the_time_limit():
    assert run.round_fits(0, elapsed_s=10_000, last_round_s=10_000, limit_min=1)
    assert run.round_fits(2, elapsed_s=20 * 60, last_round_s=10 * 60, limit_min=35)
    assert not run.round_fits(2, elapsed_s=26 * 60, last_round_s=13 * 60, limit_min=35)
    meta = dict(_meta(), rounds_done=2, stopped="stopped after 2 rounds")
    assert "**stopped after 2 rounds**" in report.render_markdown(meta, [], [], {})


def test_time_passes_counts_calls():
    calls = []
    times = worker_util.time_passes(lambda: calls.append(1), min_passes=3, budget_s=0.0)
    assert len(times) == 3 and len(calls) == 4  # one warm-up
    assert len(worker_util.time_passes(lambda: None, min_passes=5, max_passes=2)) == 2
    summary = worker_util.predict_summary([2.0, 1.0, 4.0], rows=100, batch_size=10)
    assert summary["predict_samples_per_s"] == 50.0
    assert worker_util.peak_rss_mb() > 1


def test_scaling_bookkeeping(tmp_path):
    assert scaling_worker.parse_configs("32x512, 128x4096") == [(32, 512), (128, 4096)]
    with pytest.raises(ValueError, match="BATCHxWIDTH"):
        scaling_worker.parse_configs("32-512")
    rows, epochs = scaling_worker.plan_epochs(rate=1000.0, batch=100, pool_rows=10_000,
                                              seconds=0.5)
    assert (rows, epochs) == (500, 3)
    rows, epochs = scaling_worker.plan_epochs(rate=1e6, batch=1000, pool_rows=4_500, seconds=1)
    assert rows == 4_000 and epochs == scaling_worker.MAX_EPOCHS  # pool-capped: more epochs
    args = scaling.parse_args(["--quick", "--out-dir", str(tmp_path)])
    assert scaling.configs(args) == [(32, 512), (256, 512), (128, 128), (128, 1024)]
    assert [f.name for f in scaling.select_frameworks("W1,tf,torch")] == [
        "keras-tensorflow", "torch"]
    sweep = {"layerwise": {"configs": [{"batch": 32, "width": 512, "samples_per_s": 3000.0},
                                       {"batch": 256, "width": 512, "error": "E: bad"}],
                           "error": None},
             "torch": {"configs": [{"batch": 32, "width": 512, "samples_per_s": 2000.0}],
                       "error": "timed out after 600 s"}}
    meta = {"command": "scaling.py", "date": "today", "machine": {"cpu_model": "CPU"}}
    text = scaling.render(meta, args, ["layerwise", "torch"], sweep)
    assert "| 32 | 3,000 | 2,000 | 1.50x |" in text
    assert "| 256 | n/a (E: bad) | n/a (timed out after 600 s) | n/a |" in text


def test_dispatch_marginal_separates_per_step_and_per_epoch_ops():
    log = []

    def run_epoch_of(steps):
        log.extend(["aten.ones", "aten.sum"])  # per epoch
        log.extend(["aten.add_"] * steps)

    def counter(fn):
        del log[:]
        fn()
        return collections.Counter(log)
    per_step, constant, ops = dispatch_count.marginal(run_epoch_of, steps=4, counter=counter)
    assert per_step == 1.0 and constant == 2.0
    assert ops["aten.add_"] == 1.0 and ops["aten.sum"] == 0.0
    text = dispatch_count.table({"W1": {"layerwise": (50.0, 20.0, ops),
                                        "torch": (100.0, 7.0, ops)}})
    assert "| W1 | 50.0 | 100.0 | 0.50x | 20 | 7 |" in text


@pytest.mark.slow  # entering the first TorchDispatchMode imports torch._dynamo (seconds)
def test_op_counter_counts_aten_ops():
    state = torch.zeros(3)
    counts = dispatch_count.count_ops(lambda: [state.add_(1) for _ in range(3)])
    assert counts["aten.add_"] == 3
