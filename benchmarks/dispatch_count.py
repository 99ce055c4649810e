"""Count the aten ops dispatched per training step: layerwise's ``fit`` against
the hand-written PyTorch loop (torch_worker.py), on W1 and W3 by default.

A ``TorchDispatchMode`` counts every aten op that reaches the kernels
(forward, the autograd engine's backward, optimizer, metrics, batch
gathering). Per-step numbers are marginal: the ops of an epoch of 2k
batches minus those of an epoch of k batches, divided by k, so per-epoch
work (shuffling, epoch-end metric reads, callbacks) is left out and reported
separately as the per-epoch constant. One warm-up epoch runs first, uncounted.

    python benchmarks/dispatch_count.py                 # W1, W3
    python benchmarks/dispatch_count.py --workloads W1,W2,W5 --top 15
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode

import keras_worker
import torch_worker
import workloads

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class OpCounter(TorchDispatchMode):
    """Counts aten ops by overload packet (``aten.addmm``, ``aten.mul_`` ...)."""

    def __init__(self):
        super().__init__()
        self.counts: collections.Counter = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))


def count_ops(run_epoch) -> collections.Counter:
    """The aten ops that ``run_epoch()`` dispatches."""
    with OpCounter() as counter:
        run_epoch()
    return counter.counts


def marginal(run_epoch_of, steps: int,
             counter=count_ops) -> tuple[float, float, collections.Counter]:
    """(ops per step, per-epoch constant, per-op counts per step) from epochs of
    ``steps`` and ``2 * steps`` batches; ``run_epoch_of(n)`` trains one epoch of n batches
    and ``counter(fn)`` counts the ops ``fn()`` dispatches."""
    run_epoch_of(steps)  # warm-up: lazy builds, first-call caches
    short = counter(lambda: run_epoch_of(steps))
    long = counter(lambda: run_epoch_of(2 * steps))
    per_step = (sum(long.values()) - sum(short.values())) / steps
    constant = sum(short.values()) - per_step * steps
    ops = collections.Counter({op: (long[op] - short[op]) / steps for op in long | short})
    return per_step, constant, ops


def layerwise_epochs(workload: workloads.Workload, x, y):
    """``run_epoch_of(n)``: one ``model.fit`` epoch of n batches with layerwise."""
    sys.path.insert(0, REPO_ROOT)
    import layerwise as keras  # lazily: after the repository root is on sys.path

    keras.utils.set_random_seed(workloads.SEED)
    model = keras_worker.build_model(keras, workload)
    model.compile(optimizer=keras_worker.make_optimizer(keras, workload.optimizer),
                  loss=workload.loss, metrics=["accuracy"])

    def run_epoch_of(steps: int):
        rows = steps * workload.batch_size
        model.fit(x[:rows], y[:rows], batch_size=workload.batch_size, epochs=1,
                  shuffle=True, verbose=0)

    return run_epoch_of


def torch_epochs(workload: workloads.Workload, x, y):
    """``run_epoch_of(n)``: one torch_worker.train_epoch of n batches."""
    torch.manual_seed(workloads.SEED)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if workload.is_cnn:
        xt = xt.permute(0, 3, 1, 2).contiguous()
    model = torch_worker.build_model(workload)
    optimizer = torch_worker.make_optimizer(workload.optimizer, model.parameters())

    def run_epoch_of(steps: int):
        rows = steps * workload.batch_size
        torch_worker.train_epoch(model, optimizer, workload.loss, xt[:rows], yt[:rows],
                                 workload.batch_size)

    return run_epoch_of


def measure(name: str, steps: int) -> dict:
    """Both implementations' counts on one workload."""
    workload = workloads.get_workload(name, quick=True)
    rows = 2 * steps * workload.batch_size  # the data of the longer epoch, no more
    workload = dataclasses.replace(workload, samples=rows, epoch_samples=rows)
    x, y = workloads.make_data(workload)
    return {"layerwise": marginal(layerwise_epochs(workload, x, y), steps),
            "torch": marginal(torch_epochs(workload, x, y), steps)}


def table(results: dict) -> str:
    """The Markdown table printed at the end."""
    lines = ["| workload | layerwise ops / step | PyTorch loop ops / step | layerwise ÷ loop "
             "| layerwise per-epoch constant | loop per-epoch constant |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, both in results.items():
        ours, theirs = both["layerwise"], both["torch"]
        ratio = f"{ours[0] / theirs[0]:.2f}x" if theirs[0] else "n/a"
        lines.append(f"| {name} | {ours[0]:.1f} | {theirs[0]:.1f} | {ratio} "
                     f"| {ours[1]:.0f} | {theirs[1]:.0f} |")
    return "\n".join(lines)


def top_ops(results: dict, top: int) -> str:
    """Per-op counts per step, the ``top`` most frequent of each implementation."""
    lines = []
    for name, both in results.items():
        for impl, (_, _, ops) in both.items():
            common = [(op, n) for op, n in ops.most_common(top) if n]
            lines.append(f"{name} {impl}: " + ", ".join(f"{op} {n:g}" for op, n in common))
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W3", help="comma-separated (default W1,W3)")
    parser.add_argument("--steps", type=int, default=8, help="k: epochs of k and 2k batches")
    parser.add_argument("--top", type=int, default=10, help="per-op counts shown (0: none)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {name.strip().upper(): measure(name.strip().upper(), args.steps)
               for name in args.workloads.split(",") if name.strip()}
    print(table(results))
    if args.top:
        print()
        print(top_ops(results, args.top))


if __name__ == "__main__":
    main()
