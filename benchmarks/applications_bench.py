"""Pretrained-network speed: layerwise vs Keras 3 (torch, JAX) vs hand-written PyTorch.

Three cases from the transfer-learning tutorial, random weights (speed does not
depend on their values), the same synthetic images for every framework:

| case | what | batch |
|---|---|---:|
| A1 | VGG16 without top at 150x150: `predict` (feature extraction) | 32 |
| A2 | ResNet50 with top at 224x224: `predict` | 32 |
| A3 | one fine-tuning epoch: VGG16 base frozen up to `block5_conv1`, Flatten, Dense(256), Dense(1), RMSprop(1e-5), binary cross-entropy | 20 |

Each framework runs in its own subprocess (the Keras backend is chosen at
import). One warm-up pass, then the best of `--repeats` timed passes.

    python benchmarks/applications_bench.py                  # all, writes nothing
    python benchmarks/applications_bench.py --quick          # tiny sizes: smoke test
    python benchmarks/applications_bench.py --only A1,layerwise,torch --out APPS.md

Targets (issue 14): >= 1.5x Keras 3 on torch, >= 1.0x the hand-written loop.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from report import write_text_atomic

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMEWORKS = ("layerwise", "keras-torch", "keras-jax", "torch")
CASES = {  # name -> (side, batch, samples, quick side, quick samples)
    "A1": (150, 32, 320, 48, 16),
    "A2": (224, 32, 160, 64, 8),
    "A3": (150, 20, 200, 48, 8),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny images and sample counts")
    parser.add_argument("--only", default="", help="cases and/or frameworks, comma separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CASE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def case_sizes(case: str, quick: bool) -> tuple[int, int, int]:
    side, batch, samples, q_side, q_samples = CASES[case]
    return (q_side, min(batch, q_samples), q_samples) if quick else (side, batch, samples)


def data(case: str, quick: bool):
    side, _, samples = case_sizes(case, quick)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (samples, side, side, 3)).astype("float32")
    y = rng.integers(0, 2, (samples, 1)).astype("float32")
    return x, y


# ------------------------------------------------------------------ Keras-API workers
def keras_module(framework: str):
    if framework == "layerwise":
        import layerwise as keras
    else:
        os.environ["KERAS_BACKEND"] = framework.split("-")[1]
        import keras
    return keras


def keras_case(keras, case: str, quick: bool):
    """`(run_once, samples)` for a case written against the Keras API."""
    side, batch, _ = case_sizes(case, quick)
    x, y = data(case, quick)
    apps = keras.applications
    if case == "A1":
        base = apps.VGG16(weights=None, include_top=False, input_shape=(side, side, 3))
        return (lambda: base.predict(x, batch_size=batch, verbose=0)), len(x)
    if case == "A2":
        model = apps.ResNet50(weights=None, include_top=True, input_shape=(side, side, 3))
        return (lambda: model.predict(x, batch_size=batch, verbose=0)), len(x)
    base = apps.VGG16(weights=None, include_top=False, input_shape=(side, side, 3))
    model = keras.Sequential([keras.Input((side, side, 3)), base, keras.layers.Flatten(),
                              keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    trainable = False
    for layer in base.layers:
        trainable = trainable or layer.name == "block5_conv1"
        layer.trainable = trainable
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-5),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return (lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)), len(x)


# ------------------------------------------------------------------ hand-written torch
def torch_case(case: str, quick: bool):
    import torch
    from torch import nn

    side, batch, _ = case_sizes(case, quick)
    x, y = data(case, quick)
    xs = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    if case == "A2":
        model = torch_resnet50().to(memory_format=torch.channels_last).eval()
    else:
        model = torch_vgg16_features().to(memory_format=torch.channels_last).eval()
    if case in ("A1", "A2"):
        def run():
            with torch.inference_mode():
                return [model(xs[i:i + batch]) for i in range(0, len(xs), batch)]
        return run, len(x)
    features = model
    for i, layer in enumerate(features):
        for p in layer.parameters():
            p.requires_grad_(i >= 24)  # block5_conv1 is module 24 of the VGG16 features
    head = nn.Sequential(nn.Flatten(), nn.LazyLinear(256), nn.ReLU(), nn.Linear(256, 1))
    net = nn.Sequential(features, head)
    net(xs[:1])
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.RMSprop(params, lr=1e-5, alpha=0.9, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    ys = torch.from_numpy(y)

    def run():
        net.train()
        for i in torch.randperm(len(xs)).split(batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xs[i]), ys[i])
            loss.backward()
            opt.step()
    return run, len(x)


def torch_vgg16_features():
    from torch import nn

    mods, cin = [], 3
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(convs):
            mods += [nn.Conv2d(cin, filters, 3, padding=1), nn.ReLU(inplace=True)]
            cin = filters
        mods.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*mods)


def torch_resnet50():
    from torch import nn

    class Bottleneck(nn.Module):
        def __init__(self, cin, filters, stride, shortcut):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(cin, filters, 1, stride), nn.BatchNorm2d(filters, eps=1.001e-5),
                nn.ReLU(inplace=True), nn.Conv2d(filters, filters, 3, padding=1),
                nn.BatchNorm2d(filters, eps=1.001e-5), nn.ReLU(inplace=True),
                nn.Conv2d(filters, 4 * filters, 1), nn.BatchNorm2d(4 * filters, eps=1.001e-5))
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, 4 * filters, 1, stride),
                nn.BatchNorm2d(4 * filters, eps=1.001e-5)) if shortcut else nn.Identity()

        def forward(self, x):
            return (self.shortcut(x) + self.body(x)).relu_()

    mods = [nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.BatchNorm2d(64, eps=1.001e-5),
            nn.ReLU(inplace=True), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)]
    cin = 64
    for filters, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            mods.append(Bottleneck(cin, filters, stride if b == 0 else 1, b == 0))
            cin = 4 * filters
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000), nn.Softmax(-1)]
    return nn.Sequential(*mods)


# ------------------------------------------------------------------ driver
def worker(framework: str, case: str, args) -> None:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if framework == "torch":
        run, samples = torch_case(case, args.quick)
    else:
        run, samples = keras_case(keras_module(framework), case, args.quick)
    run()  # warm-up
    times = []
    for _ in range(max(1, args.repeats)):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": min(times), "samples": samples, "all": times}))


def run_worker(framework: str, case: str, args) -> dict | str:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", framework, case,
           "--repeats", str(args.repeats), "--threads", str(args.threads)]
    if args.quick:
        cmd.append("--quick")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                              env={**os.environ, "PYTHONPATH": os.path.dirname(HERE)})
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1][:80]
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict) -> list[str]:
    lines = ["| case | " + " | ".join(FRAMEWORKS) + " | layerwise vs keras-torch | "
             "layerwise vs torch |", "|---" * (len(FRAMEWORKS) + 3) + "|"]
    for case, row in results.items():
        cells, speed = [], {}
        for fw in FRAMEWORKS:
            r = row.get(fw)
            if isinstance(r, dict):
                speed[fw] = r["samples"] / r["seconds"]
                cells.append(f"{speed[fw]:.1f} img/s")
            else:
                cells.append(r or "-")
        ratio = [f"{speed['layerwise'] / speed[o]:.2f}x" if "layerwise" in speed and o in speed
                 else "-" for o in ("keras-torch", "torch")]
        lines.append(f"| {case} | " + " | ".join(cells + ratio) + " |")
    return lines


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker(*args.worker, args)
        return
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    cases = [c for c in CASES if not only & set(CASES) or c in only]
    frameworks = [f for f in FRAMEWORKS if not only & set(FRAMEWORKS) or f in only]
    results: dict = {}
    for case in cases:
        results[case] = {}
        for fw in frameworks:
            results[case][fw] = run_worker(fw, case, args)
            print(case, fw, results[case][fw], flush=True)
    lines = table(results)
    print("\n".join(lines))
    if args.out:
        write_text_atomic(args.out, "# Applications benchmark\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
