"""Where layerwise's VGG16 `predict` spends time that hand-written torch does not.

One process, the same weights in both (layerwise's copied into the torch peer, outputs
checked equal), timed passes interleaved, then one `torch.profiler` pass of each with
the per-op self-CPU table side by side.

    OMP_NUM_THREADS=1 python benchmarks/applications_profile.py --side 150 --batch 32
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import layerwise  # noqa: E402

import applications_torch as peers  # noqa: E402


def build(side: int):
    base = layerwise.applications.VGG16(weights=None, include_top=False,
                                        input_shape=(side, side, 3))
    features = peers.vgg16_features()
    convs = [m for m in features if isinstance(m, torch.nn.Conv2d)]
    for conv, layer in zip(convs, [la for la in base.layers if la.get_weights()], strict=True):
        kernel, bias = layer.get_weights()
        conv.weight.data = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
        conv.bias.data = torch.from_numpy(bias)
    return base, features


def op_table(prof, top: int) -> dict[str, tuple[float, int]]:
    """`{op: (self CPU ms, calls)}` of the `top` most expensive ops."""
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:top]
    return {e.key: (e.self_cpu_time_total / 1e3, e.count) for e in rows}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=150)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=14)
    args = parser.parse_args(argv)
    base, features = build(args.side)
    x = np.random.default_rng(0).uniform(0, 255, (args.batch, args.side, args.side, 3))
    x = x.astype("float32")
    ours = lambda: base.predict(x, batch_size=args.batch, verbose=0)  # noqa: E731
    theirs = peers.inference_case(features, x, args.batch)
    np.testing.assert_allclose(ours(), theirs().permute(0, 2, 3, 1).numpy(), rtol=1e-3,
                               atol=1e-3)
    times: dict[str, list[float]] = {"layerwise": [], "torch": []}
    for r in range(args.rounds):
        for name, run in (("layerwise", ours), ("torch", theirs))[:: 1 if r % 2 else -1]:
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    for name, t in times.items():
        print(f"{name:9s} best {min(t):.3f} s  all " + " ".join(f"{v:.3f}" for v in t))
    print(f"layerwise / torch speed (best): {min(times['torch']) / min(times['layerwise']):.3f}")
    tables = {}
    for name, run in (("layerwise", ours), ("torch", theirs)):
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            run()
        tables[name] = op_table(prof, args.top)
    print("\n| op | layerwise self ms (calls) | torch self ms (calls) |\n|---|---:|---:|")
    for op in dict.fromkeys([*tables["layerwise"], *tables["torch"]]):
        cells = [f"{tables[n][op][0]:.1f} ({tables[n][op][1]})" if op in tables[n] else "-"
                 for n in ("layerwise", "torch")]
        print(f"| {op} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
