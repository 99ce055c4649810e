"""Pretrained-network speed: layerwise vs Keras 3 (torch, JAX) vs hand-written PyTorch.

Three cases from the transfer-learning tutorial (issue 14), random weights (speed
does not depend on their values), the same synthetic images for every framework:

| case | what | batch | images |
|---|---|---:|---:|
| A1 | VGG16 without top at 150x150: `predict` (feature extraction) | 32 | 320 |
| A2 | ResNet50 with top at 224x224: `predict` | 32 | 160 |
| A3 | one fine-tuning epoch at 150x150: VGG16 frozen below `block5_conv1`, Flatten, Dense(256, relu), Dense(1, sigmoid), RMSprop(1e-5), binary cross-entropy | 20 | 200 |

Each framework runs in its own long-lived worker subprocess (the Keras backend is
chosen at import), which builds its model and runs one warm-up pass first. Then
`--rounds` interleaved rounds: in each round every worker runs one timed pass in
turn (the order rotates from round to round), never two at once, so a slow
spell of a shared machine hits every framework alike. Reported: images/s of the
best round and the median round; ratios use the best rounds.

    make -C benchmarks applications                 # -> benchmarks/APPLICATIONS.md
    python benchmarks/applications_bench.py --quick --out /tmp/a.md   # smoke test
    python benchmarks/applications_bench.py --only A1,layerwise,torch

Targets (issue 14): >= 1.5x Keras 3 on torch, >= 1.0x the hand-written torch loop.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
FRAMEWORKS = ("layerwise", "keras-torch", "keras-jax", "torch")
TARGETS = {"keras-torch": 1.5, "torch": 1.0}  # layerwise speed / peer speed
CASES = {  # name -> (side, batch, images, quick side, quick images)
    "A1": (150, 32, 320, 48, 8),
    "A2": (224, 32, 160, 64, 4),
    "A3": (150, 20, 200, 48, 8),
}
TITLES = {
    "A1": "VGG16 no top, 150x150, predict",
    "A2": "ResNet50 with top, 224x224, predict",
    "A3": "VGG16 fine-tune from block5_conv1, 150x150, 1 epoch",
}
MARK = "@@"  # prefix of the worker's protocol lines on stdout


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny images and image counts")
    parser.add_argument("--only", default="", help="cases and/or frameworks, comma separated")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timed rounds")
    parser.add_argument("--threads", type=int, default=0, help="threads per framework (0: all)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per worker step")
    parser.add_argument("--out", default=None, help="write the markdown report here")
    parser.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CASE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def case_sizes(case: str, quick: bool) -> tuple[int, int, int]:
    """`(side, batch, images)` of a case."""
    side, batch, images, q_side, q_images = CASES[case]
    return (q_side, min(batch, q_images), q_images) if quick else (side, batch, images)


def data(case: str, quick: bool) -> tuple[np.ndarray, np.ndarray]:
    side, _, images = case_sizes(case, quick)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (images, side, side, 3)).astype("float32")
    y = rng.integers(0, 2, (images, 1)).astype("float32")
    return x, y


# ------------------------------------------------------------------ cases
def keras_case(keras, case: str, quick: bool):
    """`run()` for a case written once against the Keras API (layerwise or Keras 3)."""
    side, batch, _ = case_sizes(case, quick)
    x, y = data(case, quick)
    apps = keras.applications
    if case == "A1":
        base = apps.VGG16(weights=None, include_top=False, input_shape=(side, side, 3))
        return lambda: base.predict(x, batch_size=batch, verbose=0)
    if case == "A2":
        model = apps.ResNet50(weights=None, include_top=True, input_shape=(side, side, 3))
        return lambda: model.predict(x, batch_size=batch, verbose=0)
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
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)


def torch_case(case: str, quick: bool):
    import applications_torch as peers

    _, batch, _ = case_sizes(case, quick)
    x, y = data(case, quick)
    if case == "A1":
        return peers.inference_case(peers.vgg16_features(), x, batch)
    if case == "A2":
        return peers.inference_case(peers.resnet50(), x, batch)
    return peers.fine_tune_case(x, y, batch)


def build(framework: str, case: str, quick: bool):
    if framework == "torch":
        return torch_case(case, quick)
    if framework == "layerwise":
        import layerwise as keras
    else:
        import keras  # the backend comes from KERAS_BACKEND, set by `environment`
    return keras_case(keras, case, quick)


# ------------------------------------------------------------------ worker process
def say(**message) -> None:
    print(MARK, json.dumps(message), flush=True)


def worker(framework: str, case: str, args: argparse.Namespace) -> None:
    """Builds, warms up, then times one pass per `run` line read from stdin."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    run = build(framework, case, args.quick)
    start = time.perf_counter()
    run()
    say(ready=True, warmup_s=time.perf_counter() - start)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        run()
        say(seconds=time.perf_counter() - start)


def environment(framework: str, threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(HERE), HERE, env.get("PYTHONPATH", "")])
    env.update(TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="")
    if framework.startswith("keras-"):
        env["KERAS_BACKEND"] = framework.split("-", 1)[1]
    if threads:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[var] = str(threads)
        if threads == 1:  # XLA's CPU thread pool ignores OMP_NUM_THREADS
            env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                                " intra_op_parallelism_threads=1").strip()
    return env


class Worker:
    """Driver side of one worker subprocess; `error` is set once it fails."""

    def __init__(self, framework: str, case: str, args: argparse.Namespace):
        self.framework, self.timeout, self.error = framework, args.timeout, None
        self.log = tempfile.TemporaryFile(mode="w+")
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", framework, case,
               "--threads", str(args.threads)] + (["--quick"] if args.quick else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True,
                                     env=environment(framework, args.threads))
        self.warmup_s = self._reply().get("warmup_s")

    def _reply(self) -> dict:
        if self.error:
            return {}
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:  # readline blocks; the timeout is best effort
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
        self.error = self._last_error()
        self.close()
        return {}

    def _last_error(self) -> str:
        self.log.seek(0)
        lines = [s for s in self.log.read().strip().splitlines() if s.strip()]
        return (lines[-1] if lines else "worker ended without a result")[:100]

    def time_pass(self) -> float | None:
        if self.error:
            return None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self._reply().get("seconds")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def measure(case: str, frameworks: list[str], args: argparse.Namespace) -> dict:
    """Interleaved rounds for one case: `{framework: {"times": [...], ...} | {"error"}}`."""
    workers = [Worker(fw, case, args) for fw in frameworks]  # built and warmed one by one
    times: dict[str, list[float]] = {fw: [] for fw in frameworks}
    for r in range(args.rounds):
        shift = r % len(workers)
        for w in workers[shift:] + workers[:shift]:
            seconds = w.time_pass()
            if seconds is not None:
                times[w.framework].append(seconds)
        print(case, f"round {r + 1}/{args.rounds}",
              {fw: round(t[-1], 3) for fw, t in times.items() if t}, flush=True)
    for w in workers:
        w.close()
    _, _, images = case_sizes(case, args.quick)
    return {w.framework: summarize(times[w.framework], images, w.warmup_s) if not w.error
            else {"error": w.error} for w in workers}


def summarize(times: list[float], images: int, warmup_s: float | None) -> dict:
    return {"times_s": times, "warmup_s": warmup_s, "images": images,
            "best_img_s": images / min(times), "median_img_s": images / statistics.median(times)}


# ------------------------------------------------------------------ report
def ratio(row: dict, peer: str, key: str = "best_img_s") -> float | None:
    """layerwise images/s over `peer`'s (> 1: layerwise is faster)."""
    ours, theirs = row.get("layerwise", {}), row.get(peer, {})
    if key in ours and key in theirs:
        return ours[key] / theirs[key]
    return None


def _cell(entry: dict | None) -> str:
    if not entry:
        return "-"
    if "error" in entry:
        return f"n/a ({entry['error']})"
    return f"{entry['best_img_s']:.1f} ({entry['median_img_s']:.1f})"


def _ratio_cell(value: float | None, target: float | None) -> str:
    if value is None:
        return "-"
    verdict = "" if target is None else (" ✓" if value >= target else f" ✗ (target {target}x)")
    return f"{value:.2f}x{verdict}"


def render(results: dict, args: argparse.Namespace, meta: dict) -> str:
    peers = [fw for fw in FRAMEWORKS if fw != "layerwise"]
    lines = ["# Applications benchmark", "",
             "Written by `benchmarks/applications_bench.py` (`make -C benchmarks applications`)."
             + (" **--quick run: tiny sizes, not for comparison.**" if args.quick else ""), "",
             f"Images/s, best of {args.rounds} interleaved rounds (median in parentheses), "
             "after one warm-up pass; ratios are layerwise over the peer, best rounds "
             "(> 1: layerwise is faster). Targets: >= 1.5x Keras 3 (torch), >= 1.0x "
             "hand-written torch.", "",
             "| case | " + " | ".join(FRAMEWORKS) + " | "
             + " | ".join(f"layerwise / {p}" for p in peers) + " |",
             "|---" * (1 + len(FRAMEWORKS) + len(peers)) + "|"]
    for case, row in results.items():
        side, batch, images = case_sizes(case, args.quick)
        title = f"{case}: {TITLES[case]} (batch {batch}, {images} images)"
        if args.quick:
            title += f" [quick: {side}x{side}]"
        cells = [_cell(row.get(fw)) for fw in FRAMEWORKS]
        cells += [_ratio_cell(ratio(row, p), TARGETS.get(p)) for p in peers]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items() if v)
    lines += ["", f"Machine: {meta.get('cpu_model')}, {meta.get('cpu_count')} cores, "
              f"threads {meta.get('threads') or 'all'}, Python {meta.get('python')}; {versions}.",
              "", "Seconds per timed pass, in round order:", ""]
    for case, row in results.items():
        for fw, entry in row.items():
            if "times_s" in entry:
                lines.append(f"- {case} {fw}: warm-up {entry['warmup_s']:.2f} s; "
                             + ", ".join(f"{t:.3f}" for t in entry["times_s"]))
    lines += ["", "Hand-written torch: `benchmarks/applications_torch.py` (nn.Conv2d etc., "
              "channels_last, `eval()` + `inference_mode()` for A1/A2; a plain RMSprop loop "
              "on logits for A3). Keras and layerwise run the same Keras-API code "
              "(`predict` / `fit`)."]
    return "\n".join(lines) + "\n"


def select(only: str) -> tuple[list[str], list[str]]:
    wanted = {s.strip() for s in only.split(",") if s.strip()}
    unknown = wanted - set(CASES) - set(FRAMEWORKS)
    if unknown:
        raise SystemExit(f"--only: unknown {sorted(unknown)}; expected cases {sorted(CASES)} "
                         f"and/or frameworks {list(FRAMEWORKS)}")
    cases = [c for c in CASES if not wanted & set(CASES) or c in wanted]
    frameworks = [f for f in FRAMEWORKS if not wanted & set(FRAMEWORKS) or f in wanted]
    return cases, frameworks


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker(*args.worker, args)
        return
    if args.rounds < 1:
        raise SystemExit(f"--rounds must be at least 1, got {args.rounds}")
    from machine import describe
    from report import write_text_atomic

    cases, frameworks = select(args.only)
    results = {case: measure(case, frameworks, args) for case in cases}
    text = render(results, args, describe(args.threads))
    print(text)
    if args.out:
        write_text_atomic(args.out, text)


if __name__ == "__main__":
    main()
