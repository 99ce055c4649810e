"""Data parallel training of an unchanged script under `torchrun` (2 CPU processes, gloo
on 127.0.0.1), against the same script in one process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from distribution_launch import rank_results, run_worker

import layerwise

WORKER = Path(__file__).with_name("ddp_worker.py")


def run(out, mode, nproc, timeout=120):
    return run_worker(WORKER, out, mode, nproc, timeout)


def results(out, rank):
    return rank_results(out, rank)


def test_two_ranks_equal_one_process_and_write_files_once(tmp_path):
    # The one multi-process test of the default suite (about 10 s on an idle 2-core machine).
    single, double = tmp_path / "single", tmp_path / "double"
    single.mkdir(), double.mkdir()
    done = run(single, "ordered", 1)
    assert done.returncode == 0, done.stderr[-2000:]
    done = run(double, "ordered", 2)
    assert done.returncode == 0, done.stderr[-3000:]
    w1, h1 = results(single, 0)
    for rank in (0, 1):
        w2, h2 = results(double, rank)
        for a, b in zip(w1, w2):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert h2.keys() == h1.keys()
        for key in h1:  # global values: every rank's History equals the 1-process one
            np.testing.assert_allclose(h2[key], h1[key], rtol=1e-5, atol=1e-6)
    assert sorted(p.name for p in double.iterdir() if not p.name.startswith("rank")) == [
        "final.weights.h5", "log.csv", "model.keras"]  # written once, by rank 0, no temps
    assert done.stdout.count("Epoch 1/3") == 1  # printed by rank 0 only
    # Saved on 2 ranks (`save_weights` called by both), loaded in this one process.
    loaded = layerwise.models.load_model(double / "model.keras")
    loaded.load_weights(double / "final.weights.h5")
    for a, b in zip(w1, loaded.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_shuffled_epochs_agree_across_ranks(tmp_path):
    done = run(tmp_path, "shuffle", 2)
    assert done.returncode == 0, done.stderr[-3000:]
    (w0, h0), (w1, h1) = results(tmp_path, 0), results(tmp_path, 1)
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0 == h1 and h0["loss"][-1] < h0["loss"][0]


@pytest.mark.slow
def test_a_killed_rank_makes_the_others_fail_within_the_timeout(tmp_path):
    done = run(tmp_path, "die", 2, timeout=90)
    assert done.returncode != 0
    assert not (tmp_path / "rank0.npz").exists()


def test_distribution_api_in_one_process():
    dist = layerwise.distribution
    assert dist.list_devices("cpu") == ["cpu:0"] and dist.get_device_count("cpu") == 1
    mesh = dist.DeviceMesh((1,), ["batch"], ["cpu:0"])
    data_parallel = dist.DataParallel(device_mesh=mesh)
    assert data_parallel.batch_dim_name == "batch" and dist.distribution() is None
    with data_parallel.scope():
        assert dist.distribution() is data_parallel
    assert dist.distribution() is None
    with pytest.raises(ValueError, match="devices"):
        dist.DeviceMesh((2,), ["batch"], ["cpu:0"])
    with pytest.raises(ValueError, match="device_type"):
        dist.list_devices("tpu")
    with pytest.raises(ValueError, match="torchrun"):
        dist.initialize()
    layout_map = dist.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "batch")
    assert layout_map["dense.*kernel"].axes == (None, "batch")
