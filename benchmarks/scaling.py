"""Scaling sweep: an MLP's training samples/s against batch size and width, per framework.

The MLP is 784-width-width-10 (ReLU, softmax, SGD, categorical CE, accuracy:
W1's set-up with two hidden layers). Sweep 1 varies the batch size at a fixed
width, sweep 2 the width at a fixed batch size. Each framework runs every
configuration in one subprocess (scaling_worker.py), the frameworks one after
the other; one round, so differences under ~10-20% are within noise.
Writes SCALING.md, scaling.json and the plot scaling.png (matplotlib, when
installed) to ``--out-dir``.

    python benchmarks/scaling.py                 # make -C benchmarks scaling
    python benchmarks/scaling.py --quick         # 2 batch sizes x 2 widths, short epochs
    python benchmarks/scaling.py --only layerwise,torch --seconds 1
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

import gemm_peak
import machine
import report
import report_sections as sections
from frameworks import FRAMEWORKS, Framework, find_framework
from worker_util import harness_parser

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
BATCHES = (16, 32, 64, 128, 256, 512, 1024)
WIDTHS = (128, 256, 512, 1024, 2048, 4096)
QUICK = {"batches": (32, 256), "widths": (128, 1024), "seconds": 0.1, "pool": 4096}


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.split(",") if t.strip())


def parse_args(argv=None) -> argparse.Namespace:
    env = os.environ
    parser = harness_parser(__doc__, f"smoke test: batches {QUICK['batches']}, widths "
                                     f"{QUICK['widths']}, {QUICK['seconds']} s epochs")
    parser.add_argument("--only", default="", help="comma-separated frameworks (default: all)")
    parser.add_argument("--batches", type=_ints, help=f"batch sizes (default {BATCHES})")
    parser.add_argument("--widths", type=_ints, help=f"hidden widths (default {WIDTHS})")
    parser.add_argument("--fixed-width", type=int, default=512,
                        help="width during the batch sweep")
    parser.add_argument("--fixed-batch", type=int, default=128,
                        help="batch size during the width sweep")
    parser.add_argument("--seconds", type=float,
                        default=float(env.get("SCALING_SECONDS") or 0) or None,
                        help="target seconds per timed epoch (default 0.5; "
                             "SCALING_SECONDS); about 3-4x this per configuration")
    parser.add_argument("--pool", type=int, help="rows of synthetic data (default 16384)")
    parser.add_argument("--threads", type=int,
                        default=int(env.get("BENCH_THREADS") or os.cpu_count() or 1))
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before one framework's sweep is abandoned")
    parser.add_argument("--out-dir", default=BENCH_DIR)
    args = parser.parse_args(argv)
    args.batches = args.batches or (QUICK["batches"] if args.quick else BATCHES)
    args.widths = args.widths or (QUICK["widths"] if args.quick else WIDTHS)
    args.seconds = args.seconds or (QUICK["seconds"] if args.quick else 0.5)
    args.pool = args.pool or (QUICK["pool"] if args.quick else 16384)
    return args


def configs(args) -> list[tuple[int, int]]:
    """(batch, width) pairs of both sweeps, each measured once."""
    pairs = [(b, args.fixed_width) for b in args.batches]
    pairs += [(args.fixed_batch, w) for w in args.widths]
    return list(dict.fromkeys(pairs))


def select_frameworks(only: str) -> list[Framework]:
    """Frameworks named in ``only`` (workload names are ignored), else all."""
    names = set()
    for token in filter(None, (t.strip() for t in only.split(","))):
        fw = find_framework(token)
        if fw is not None:
            names.add(fw.name)
        elif not (token[:1] in "wW" and token[1:].isdigit()):
            sys.exit(f"--only: unknown framework {token!r}")
    return [fw for fw in FRAMEWORKS if not names or fw.name in names]


def run_framework(fw: Framework, pairs: list[tuple[int, int]], args, log_dir: str) -> dict:
    """One framework's sweep in a subprocess: ``{(batch, width): entry}`` as a list."""
    out = os.path.join(log_dir, f"scaling-{fw.name}.json")
    log = os.path.join(log_dir, f"scaling-{fw.name}.log")
    if os.path.exists(out):
        os.remove(out)
    cmd = [sys.executable, os.path.join(BENCH_DIR, "scaling_worker.py"),
           "--impl", fw.impl or "torch", "--threads", str(args.threads), "--out", out,
           "--configs", ",".join(f"{b}x{w}" for b, w in pairs),
           "--seconds", str(args.seconds), "--pool", str(args.pool)]
    error = None
    with open(log, "w") as log_file:
        try:
            proc = subprocess.run(cmd, env=fw.environment(args.threads), cwd=BENCH_DIR,
                                  stdout=log_file, stderr=subprocess.STDOUT,
                                  timeout=args.timeout)
            if proc.returncode != 0:
                error = f"exit status {proc.returncode}"
        except subprocess.TimeoutExpired:
            error = f"timed out after {args.timeout:.0f} s"
    done = []
    if os.path.exists(out):
        with open(out) as f:
            done = json.load(f)["configs"]
    if error:
        with open(log, errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        error = lines[-1] if lines and "timed out" not in error else error
    return {"configs": done, "error": error}


def lookup(sweep: dict, fw: str, batch: int, width: int) -> dict | None:
    """The entry of ``fw`` for one configuration, or None."""
    for entry in (sweep.get(fw) or {}).get("configs", []):
        if entry["batch"] == batch and entry["width"] == width:
            return entry
    return None


def speed_cell(sweep: dict, fw: str, batch: int, width: int) -> str:
    entry = lookup(sweep, fw, batch, width)
    if entry is None:
        reason = (sweep.get(fw) or {}).get("error") or "not run"
        return sections.na({"error": reason}) if reason != "not run" else reason
    if "error" in entry:
        return sections.na(entry)
    return f"{entry['samples_per_s']:,.0f}"


def _ratio(sweep: dict, fws: list[str], batch: int, width: int) -> str:
    """layerwise ÷ the fastest other framework on one configuration."""
    speeds = {f: (lookup(sweep, f, batch, width) or {}).get("samples_per_s") for f in fws}
    ours = speeds.pop("layerwise", None)
    others = [v for v in speeds.values() if v]
    return sections.ratio_text(ours, max(others)) if others else "n/a"


def render(meta: dict, args, fws: list[str], sweep: dict) -> str:
    """SCALING.md."""
    labels = [sections.LABELS[f] for f in fws]
    ratio_head = ["layerwise / fastest other"] if "layerwise" in fws and len(fws) > 1 else []

    def ratio_cell(batch, width):
        return [_ratio(sweep, fws, batch, width)] if ratio_head else []

    lines = ["# Scaling sweep", "",
             f"Generated by `{meta['command']}` on {meta['date']}"
             + (" -- **QUICK smoke run: not representative**" if args.quick else "") + ".",
             f"MLP 784-width-width-10 (ReLU, softmax), SGD, categorical CE, accuracy metric; "
             f"training samples/s, median of epochs 2..E lasting about {args.seconds} s each "
             f"after a 2-epoch calibration fit; one round ({meta['machine']['cpu_model']}, "
             f"{args.threads} threads). Plot: [scaling.png](scaling.png).", "",
             f"## Samples/s against batch size (width {args.fixed_width})", ""]
    lines += sections.table(["batch"] + labels + ratio_head, [
        [str(b)] + [speed_cell(sweep, f, b, args.fixed_width) for f in fws]
        + ratio_cell(b, args.fixed_width) for b in args.batches])
    lines += ["", f"## Samples/s against width (batch {args.fixed_batch})", "",
              "MFLOP / sample: the training FLOPs of the Dense stack (see RESULTS.md's "
              "share-of-peak section for the formula).", ""]
    lines += sections.table(["width", "MFLOP / sample"] + labels + ratio_head, [
        [str(w), f"{gemm_peak.mlp_train_flops((784, w, w, 10)) / 1e6:.1f}"]
        + [speed_cell(sweep, f, args.fixed_batch, w) for f in fws]
        + ratio_cell(args.fixed_batch, w) for w in args.widths], left=1)
    return "\n".join(lines) + "\n"


def plot(path: str, args, fws: list[str], sweep: dict) -> bool:
    """scaling.png: two log-log panels; False when matplotlib is not installed."""
    try:  # optional: lazily imported, the tables do not need it
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, xs, key, fixed in ((axes[0], args.batches, "batch", args.fixed_width),
                               (axes[1], args.widths, "width", args.fixed_batch)):
        for f in fws:
            points = [(x, (lookup(sweep, f, x, fixed) if key == "batch"
                           else lookup(sweep, f, fixed, x)) or {}) for x in xs]
            points = [(x, e["samples_per_s"]) for x, e in points if e.get("samples_per_s")]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=sections.LABELS[f])
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(xs), [str(x) for x in xs])
        ax.minorticks_off()
        ax.set_yscale("log")
        ax.set_xlabel(key + (f" (width {fixed})" if key == "batch" else f" (batch {fixed})"))
        ax.set_ylabel("training samples/s")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("MLP 784-w-w-10, SGD: samples/s (higher is better)")
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)
    return True


def main(argv=None) -> None:
    args = parse_args(argv)
    fws = select_frameworks(args.only)
    pairs = configs(args)
    log_dir = os.path.join(BENCH_DIR, ".cache", "logs")
    os.makedirs(log_dir, exist_ok=True)
    os.makedirs(args.out_dir, exist_ok=True)
    shown = sys.argv[1:] if argv is None else argv
    meta = {"command": "python benchmarks/scaling.py " + " ".join(shown),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine.describe(args.threads), "seconds": args.seconds,
            "pool": args.pool, "configs": pairs}
    began = time.perf_counter()
    sweep: dict = {}
    for fw in fws:
        sweep[fw.name] = run_framework(fw, pairs, args, log_dir)
        print(f"scaling {fw.name:<17} {len(sweep[fw.name]['configs'])} configs"
              + (f", error: {sweep[fw.name]['error']}" if sweep[fw.name]["error"] else ""),
              flush=True)
    meta["elapsed_s"] = round(time.perf_counter() - began, 1)
    names = [fw.name for fw in fws]
    report.write_text_atomic(os.path.join(args.out_dir, "SCALING.md"),
                             render(meta, args, names, sweep))
    report.write_text_atomic(os.path.join(args.out_dir, "scaling.json"),
                      json.dumps({"meta": meta, "results": sweep}, indent=1) + "\n")
    png = os.path.join(args.out_dir, "scaling.png")
    drawn = plot(png, args, names, sweep)
    plotted = ", scaling.png" if drawn else " (matplotlib not installed: no plot)"
    print(f"wrote SCALING.md, scaling.json{plotted} in {meta['elapsed_s'] / 60:.1f} min")


if __name__ == "__main__":
    main()
