"""Sharded training (`ModelParallel`, FSDP2 on gloo): 2 CPU processes under `torchrun`
against the same script in one process; saving on 2 ranks and loading on 1."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from distribution_launch import ROOT, rank_results, run_worker

import layerwise as keras
from layerwise.trainers import distributed

WORKER = Path(__file__).with_name("sharded_worker.py")


def run(out, mode, nproc, timeout=120):
    return run_worker(WORKER, out, mode, nproc, timeout)


def results(out, rank):
    return rank_results(out, rank)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def run_both(tmp_path, mode):
    """The worker in 1 process and on 2 ranks; checks the 2 ranks reproduce the 1 process."""
    single, double = tmp_path / "single", tmp_path / "double"
    single.mkdir(), double.mkdir()
    done = run(single, mode, 1)
    assert done.returncode == 0, done.stderr[-2000:]
    done = run(double, mode, 2)
    assert done.returncode == 0, done.stderr[-3000:]
    w1, r1 = results(single, 0)
    assert r1["held"][0] == r1["held"][1]  # one process: the whole model
    for rank in (0, 1):
        w2, r2 = results(double, rank)
        local, full = r2["held"]
        assert local < full  # this rank held its shard of the sharded weights only
        for a, b in zip(w1, w2, strict=True):
            close(a, b)
        assert r2["history"].keys() == r1["history"].keys()
        for key, values in r1["history"].items():
            close(r2["history"][key], values)
        close(r2["evaluate"], r1["evaluate"])  # evaluate and predict on the sharded model
        close(r2["predict"], r1["predict"])
    assert sorted(p.name for p in double.iterdir() if not p.name.startswith("rank")) == [
        "final.keras", "final.weights.h5", "log.csv", "model.keras"]  # one of each, no temps
    assert done.stdout.count("Epoch 1/3") == 1
    return single, double, r1


@pytest.mark.slow
def test_sharded_two_ranks_equal_one_process_save_on_two_load_on_one(tmp_path):
    single, double, r1 = run_both(tmp_path, "ordered")
    assert results(double, 0)[1]["held"][1] == r1["held"][1]  # every weight sharded

    # Saved on 2 ranks (gathered), loaded in this one process: the 1-process model.
    x = np.random.RandomState(1).rand(10, 6).astype("float32")
    for name in ("model.keras", "final.keras"):  # the checkpoint of fit 1, after fit 2
        reference = keras.models.load_model(single / name)
        loaded = keras.models.load_model(double / name)
        for a, b in zip(reference.get_weights(), loaded.get_weights(), strict=True):
            close(a, b)
        close(loaded.predict(x, verbose=0), reference.predict(x, verbose=0))
        # The optimizer's sharded state was gathered too (Adam's moments, full shapes).
        ref_state = [np.asarray(v) for v in reference.optimizer.variables]
        state = [np.asarray(v) for v in loaded.optimizer.variables]
        assert [s.shape for s in state] == [s.shape for s in ref_state]
        for a, b in zip(ref_state, state, strict=True):
            close(a, b)
    fresh = keras.models.load_model(single / "model.keras")
    fresh.load_weights(double / "final.weights.h5")
    close(fresh.predict(x, verbose=0), reference.predict(x, verbose=0))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_sharded_with_a_layout_map_and_a_regularizer(tmp_path):
    # The first layer (L2-regularized) sharded, the second replicated (its gradients
    # all-reduced, its optimizer state a `Replicate` DTensor view).
    single, double, r1 = run_both(tmp_path, "layout")
    local, full = results(double, 0)[1]["held"]
    assert full == 6 * 8 + 8 < r1["held"][1]  # only the first layer's weights are sharded


@pytest.mark.slow
def test_a_killed_rank_makes_the_other_fail_with_a_clear_error_within_the_timeout(tmp_path):
    # Launched without torchrun (whose agent would kill the survivor itself): the
    # surviving rank's collective must fail by itself, well within the timeout.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
           "LAYERWISE_DIST_TIMEOUT": "20", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(free_port()), "WORLD_SIZE": "2"}
    ranks = [subprocess.Popen([sys.executable, str(WORKER), str(tmp_path), "die"],
                              env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in (0, 1)]
    try:
        outputs = [p.communicate(timeout=90) for p in ranks]
    finally:
        for p in ranks:
            p.kill()
    assert ranks[1].returncode == 3  # the rank that died
    assert ranks[0].returncode not in (0, None)
    assert re.search(r"RuntimeError.*(Connection|timed out|Timeout)", outputs[0][1]), \
        outputs[0][1][-2000:]
    assert not (tmp_path / "rank0.npz").exists()


def test_model_parallel_api_in_one_process():
    dist = keras.distribution
    mesh = dist.DeviceMesh((1,), ["model"], ["cpu:0"])
    layout_map = dist.LayoutMap(mesh)
    layout_map["big.*kernel"] = ("model", None)
    parallel = dist.ModelParallel(layout_map=layout_map)
    assert parallel.device_mesh is mesh and parallel.batch_dim_name == "model"
    big, small = keras.layers.Dense(4, name="big"), keras.layers.Dense(4, name="small")
    big.build((None, 3)), small.build((None, 3))
    assert parallel.shards_layer(big) and not parallel.shards_layer(small)
    assert dist.ModelParallel().shards_layer(small)  # no layout map: every layer
    with pytest.raises(ValueError, match="1-D device mesh"):
        dist.ModelParallel(device_mesh=dist.DeviceMesh((1, 1), ["a", "b"], ["cpu:0"]))
    with pytest.raises(ValueError, match="layout_map"):
        dist.ModelParallel(layout_map={"kernel": (None,)})
    with dist.gathered(big) as same:  # not sharded: nothing to gather
        assert same is big


def test_one_process_under_model_parallel_trains_as_usual():
    keras.utils.set_random_seed(0)
    x = np.random.rand(16, 3).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with keras.distribution.ModelParallel().scope():
        model.fit(x, x[:, :2], epochs=1, batch_size=8, verbose=0)
    assert "_fsdp_state" not in model.__dict__ and model._ddp_module is None


def test_backup_and_restore_is_refused_with_sharded_weights(tmp_path):
    backup = keras.callbacks.BackupAndRestore(str(tmp_path))
    assert distributed.for_rank([backup], 1) == ([backup], 1)  # fine without sharding
    with keras.distribution.ModelParallel().scope():
        with pytest.raises(ValueError, match="BackupAndRestore.*ModelParallel"):
            distributed.for_rank([backup], 1)
