"""Benchmark driver: layerwise vs Keras 3 (torch / JAX / TF) vs a PyTorch loop.

Each (workload, framework) pair trains in its own subprocess, strictly one
at a time, and the results go to benchmarks/RESULTS.md and results.json.
Each pair runs ``--repeats`` times (default 2), the frameworks of a workload
interleaved in alternating order (A B C, C B A, ...), and the faster run is
reported: on a shared 2-core VM a run can be 20-30% slower than the next for
reasons outside the process, and noise only ever slows a run down.

    python benchmarks/run.py                      # everything (make bench)
    python benchmarks/run.py --quick              # 10x fewer samples
    python benchmarks/run.py --only W1,torch,keras-jax --quick

``--only`` takes workload names (W1..W5) and framework names (layerwise,
keras-torch, keras-jax, keras-tensorflow or tf, torch); a kind not named
means all of that kind. Environment: BENCH_QUICK=1, BENCH_ONLY=...,
BENCH_THREADS=N, BENCH_REPEATS=N stand in for the flags.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time

import machine
import report
import workloads
from frameworks import FRAMEWORKS, Framework, find_framework

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
LOG_DIR = os.path.join(workloads.CACHE_DIR, "logs")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line flags, with BENCH_* environment variables as defaults."""
    env = os.environ
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--quick", action="store_true",
                        default=env.get("BENCH_QUICK", "") not in ("", "0"),
                        help="shrink sample counts 10x (smoke test)")
    parser.add_argument("--only", default=env.get("BENCH_ONLY", ""),
                        help="comma-separated workloads and/or frameworks to run")
    parser.add_argument("--threads", type=int,
                        default=int(env.get("BENCH_THREADS") or os.cpu_count() or 1),
                        help="threads per framework (default: all cores)")
    parser.add_argument("--repeats", type=int,
                        default=int(env.get("BENCH_REPEATS") or 2),
                        help="runs per framework and workload; the fastest is reported")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before one framework/workload run is abandoned")
    parser.add_argument("--out-dir", default=BENCH_DIR,
                        help="where RESULTS.md and results.json are written")
    return parser.parse_args(argv)


def select(only: str) -> tuple[list[workloads.Workload], list[Framework]]:
    """Split ``--only`` tokens into the workloads and frameworks to run."""
    names = {w.name.lower(): w.name for w in workloads.WORKLOADS}
    chosen_w: list[str] = []
    chosen_f: list[str] = []
    for token in filter(None, (t.strip() for t in only.split(","))):
        if token.lower() in names:
            chosen_w.append(names[token.lower()])
        elif (fw := find_framework(token)) is not None:
            chosen_f.append(fw.name)
        else:
            sys.exit(f"--only: unknown workload or framework {token!r}")
    wls = [w for w in workloads.WORKLOADS if not chosen_w or w.name in chosen_w]
    fws = [f for f in FRAMEWORKS if not chosen_f or f.name in chosen_f]
    return wls, fws


def last_line(path: str) -> str:
    """The last non-empty line of a log file (the error, for a crash)."""
    try:
        with open(path, errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def run_one(fw: Framework, workload: workloads.Workload, args) -> dict:
    """Train one workload on one framework in a subprocess; return its entry."""
    os.makedirs(LOG_DIR, exist_ok=True)
    out = os.path.join(LOG_DIR, f"{workload.name}-{fw.name}.json")
    log = os.path.join(LOG_DIR, f"{workload.name}-{fw.name}.log")
    if os.path.exists(out):
        os.remove(out)
    cmd = fw.command(workload.name, out, args.threads, args.quick)
    start = time.perf_counter()
    with open(log, "w") as log_file:
        try:
            proc = subprocess.run(cmd, env=fw.environment(args.threads), cwd=BENCH_DIR,
                                  stdout=log_file, stderr=subprocess.STDOUT,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"timed out after {args.timeout:.0f} s", "log": log}
    wall = time.perf_counter() - start
    if proc.returncode == 0 and os.path.exists(out):
        with open(out) as f:
            entry = json.load(f)
        if not entry.get("epochs"):
            return {"ok": False, "error": "fit() returned without completing an epoch",
                    "log": log}
        entry.update(ok=True, process_wall_s=round(wall, 3), log=log)
        return entry
    reason = last_line(log) or f"exit status {proc.returncode}"
    if proc.returncode < 0:
        reason = f"killed by signal {-proc.returncode}; {reason}"
    return {"ok": False, "error": reason, "log": log}


def best_run(previous: dict | None, entry: dict) -> dict:
    """The faster of two runs of one framework on one workload; all throughputs kept."""
    speed = entry.get("samples_per_s") if entry["ok"] else None
    if previous is None:
        best = dict(entry)
        best["runs_samples_per_s"] = [speed]
        return best
    speeds = previous["runs_samples_per_s"] + [speed]
    old = previous.get("samples_per_s") if previous["ok"] else None
    best = dict(entry) if speed is not None and (old is None or speed > old) else previous
    best["runs_samples_per_s"] = speeds
    return best


def progress_line(workload: str, fw: Framework, entry: dict) -> str:
    """One console line per finished framework/workload run."""
    if not entry["ok"]:
        return f"{workload}  {fw.name:<17} n/a: {entry['error']}"
    acc = (entry.get("final_logs") or {}).get("accuracy")
    acc_text = f", acc {acc:.3f}" if acc is not None else ""
    return (f"{workload}  {fw.name:<17} {entry['samples_per_s'] or 0:>10,.0f} samples/s  "
            f"(first epoch {entry['first_epoch_s']:.2f} s, {entry['epochs']} epochs{acc_text})")


def main(argv=None) -> None:
    """Run every selected workload on every selected framework, in turn."""
    args = parse_args(argv)
    wls, fws = select(args.only)
    wls = [workloads.get_workload(w.name, args.quick) for w in wls]
    meta = {
        "command": "python benchmarks/run.py " + " ".join(map(shlex.quote, sys.argv[1:])),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeats": max(args.repeats, 1),
        "machine": machine.describe(args.threads),
    }
    fw_names = [f.name for f in fws]
    os.makedirs(args.out_dir, exist_ok=True)
    md_path = os.path.join(args.out_dir, "RESULTS.md")
    json_path = os.path.join(args.out_dir, "results.json")
    print(f"benchmarks: {', '.join(w.name for w in wls)} x {', '.join(fw_names)}"
          f"{' (quick)' if args.quick else ''}, {args.threads} threads", flush=True)
    results: dict = {}
    for workload in wls:
        workloads.ensure_data(workload)
        for repeat in range(max(args.repeats, 1)):
            for fw in (fws if repeat % 2 == 0 else fws[::-1]):
                entry = run_one(fw, workload, args)
                runs = results.setdefault(workload.name, {})
                runs[fw.name] = best_run(runs.get(fw.name), entry)
                print(progress_line(workload.name, fw, entry), flush=True)
                report.write(md_path, json_path, meta, wls, fw_names, results)
    print(f"wrote {md_path} and {json_path}")


if __name__ == "__main__":
    main()
