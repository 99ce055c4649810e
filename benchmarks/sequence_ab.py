"""A/B timing of W6 / W7: layerwise `fit` and the hand-written torch loop, interleaved.

Both run in ONE process on the same data, alternating a few steps of each per
round, so machine noise hits both alike; CPU time (`process_time`, one thread)
rather than wall time, since the machine is shared; prints per-step medians and the ratio
(torch time / layerwise time: >= 1 means layerwise is as fast).

    OMP_NUM_THREADS=1 python benchmarks/sequence_ab.py --workload W7 --steps 4 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import layerwise as keras  # noqa: E402

import keras_worker  # noqa: E402
import sequence_models  # noqa: E402
import torch_worker  # noqa: E402
import workloads  # noqa: E402


def _data(workload, samples):
    vocabulary, maxlen = workload.text[0], workload.text[1]
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(1, vocabulary, (samples, maxlen), generator=generator)
    y = (torch.rand(samples, 1, generator=generator) > 0.5).float()
    return x, y


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="W7")
    parser.add_argument("--steps", type=int, default=4, help="steps per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=("layerwise", "torch"), default=None,
                        help="print torch.profiler's op table of one side instead")
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    workload = workloads.get_workload(args.workload)
    batch = workload.batch_size
    x, y = _data(workload, batch * args.steps)
    keras.utils.set_random_seed(0)
    model = keras_worker.build_text_model(keras, workload)
    model.compile(optimizer=keras_worker.make_optimizer(keras, workload.optimizer),
                  loss=workload.loss, metrics=["accuracy"])
    x_int = x.to(torch.int32).numpy()
    net = sequence_models.build_torch_text(workload)
    optimizer = torch_worker.make_optimizer(workload.optimizer, net.parameters())

    def run_layerwise():
        model.fit(x_int, y.numpy(), batch_size=batch, epochs=1, verbose=0, shuffle=True)

    def run_torch():
        torch_worker.train_epoch(net, optimizer, workload.loss, x, y, batch)

    run_layerwise()
    run_torch()  # warm-up
    if args.profile:
        fn = run_layerwise if args.profile == "layerwise" else run_torch
        with torch.profiler.profile(record_shapes=True) as prof:
            fn()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=40))
        print(prof.key_averages(group_by_input_shape=True).table(
            sort_by="self_cpu_time_total", row_limit=30))
        events = prof.key_averages()
        kernel = sum(e.self_cpu_time_total for e in events if "rnn_layer" in e.key)
        total = sum(e.self_cpu_time_total for e in events)
        calls = sum(e.count for e in events)
        print(f"per step: recurrent kernels {kernel / 1e3 / args.steps:.1f} ms, everything "
              f"else {(total - kernel) / 1e3 / args.steps:.1f} ms in {calls / args.steps:.0f} "
              "op calls")
        others = sorted((e for e in events if "rnn_layer" not in e.key),
                        key=lambda e: -e.self_cpu_time_total)[:8]
        print("  largest others:", ", ".join(
            f"{e.key} {e.self_cpu_time_total / 1e3 / args.steps:.1f} ms x{e.count / args.steps:g}"
            for e in others))
        return
    times = {"layerwise": [], "torch": []}
    for _ in range(args.rounds):
        for name, fn in (("layerwise", run_layerwise), ("torch", run_torch)):
            start = time.process_time()  # CPU time: robust to other processes' load
            fn()
            times[name].append((time.process_time() - start) / args.steps)
    lw, tt = statistics.median(times["layerwise"]), statistics.median(times["torch"])
    print(f"{args.workload}: layerwise {lw * 1000:.1f} ms/step, torch {tt * 1000:.1f} ms/step, "
          f"ratio (torch/layerwise) {tt / lw:.3f}")
    print("  layerwise", [round(t * 1000, 1) for t in times["layerwise"]])
    print("  torch    ", [round(t * 1000, 1) for t in times["torch"]])


if __name__ == "__main__":
    main()
