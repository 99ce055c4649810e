"""Launching a distribution test worker: in one process, or under `torchrun` on 127.0.0.1
(gloo, 1 thread per process, a 20 s collective timeout); reading what each rank wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def run_worker(worker: Path, out, mode: str, nproc: int, timeout: float = 120):
    """Runs `worker out mode` in 1 process, or under torchrun with `nproc` processes."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
           "LAYERWISE_DIST_TIMEOUT": "20"}
    if nproc == 1:
        command = [sys.executable, str(worker), str(out), mode]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc-per-node={nproc}", str(worker), str(out), mode]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def rank_results(out: Path, rank: int):
    """The weights (in order) and the JSON record that rank `rank` wrote to `out`."""
    weights = np.load(out / f"rank{rank}.npz")
    record = json.loads((out / f"rank{rank}.json").read_text())
    ordered = sorted(weights.files, key=lambda k: int(k.split("_")[1]))
    return [weights[k] for k in ordered], record
