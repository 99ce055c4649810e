"""Benchmark driver: layerwise vs Keras 3 (torch / JAX / TF) vs a PyTorch loop.

Each (workload, framework) pair trains in its own subprocess, strictly one
at a time, and the results go to benchmarks/RESULTS.md and results.json.
Everything runs in ``--rounds`` interleaved rounds (default 3): a round
measures the GEMM peak of each library, the whole-process start-up of each
framework (import + build + compile + first epoch of W1), then every workload
on every framework (training, then predict for W1 / W5), the frameworks in
alternating order (A B C, C B A, ...). The best round is reported and the
spread between rounds ((max - min) / best) states the noise: on a shared
2-core VM a run can be 20-30% slower than the next for reasons outside the
process, and noise only ever slows a run down.

    python benchmarks/run.py                      # everything (make bench)
    python benchmarks/run.py --quick              # 10x fewer samples
    python benchmarks/run.py --only W1,torch,keras-jax --quick

``--only`` takes workload names (W1..W7) and framework names (layerwise,
keras-torch, keras-jax, keras-tensorflow or tf, torch); a kind not named
means all of that kind. Environment: BENCH_QUICK=1, BENCH_ONLY=...,
BENCH_THREADS=N, BENCH_ROUNDS=N (or BENCH_REPEATS), BENCH_EPOCHS=N,
BENCH_BUDGET=S stand in for the flags.
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

import gemm_peak
import machine
import report
import rounds
import timing
import workloads
from frameworks import FRAMEWORKS, Framework, find_framework
from worker_util import harness_parser

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
LOG_DIR = os.path.join(workloads.CACHE_DIR, "logs")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line flags, with BENCH_* environment variables as defaults."""
    env = os.environ
    parser = harness_parser(__doc__, "shrink sample counts 10x (smoke test)")
    parser.add_argument("--only", default=env.get("BENCH_ONLY", ""),
                        help="comma-separated workloads and/or frameworks to run")
    parser.add_argument("--threads", type=int,
                        default=int(env.get("BENCH_THREADS") or os.cpu_count() or 1),
                        help="threads per framework (default: all cores)")
    parser.add_argument("--rounds", "--repeats", dest="rounds", type=int,
                        default=int(env.get("BENCH_ROUNDS") or env.get("BENCH_REPEATS") or 3),
                        help="interleaved rounds of everything; the best is reported (>= 3 "
                             "for the noise to mean something)")
    parser.add_argument("--max-epochs", type=int, default=int(env.get("BENCH_EPOCHS") or 0),
                        help="cap on every workload's epochs (>= 2; 0: the workload's own)")
    parser.add_argument("--budget", type=float,
                        default=float(env.get("BENCH_BUDGET") or timing.TIME_BUDGET_S),
                        help="seconds of training after which a run stops early "
                             "(after at least 3 epochs)")
    parser.add_argument("--time-limit", type=float,
                        default=float(env.get("BENCH_TIME_LIMIT") or 38.0),
                        help="minutes: no further round is started when the last round's "
                             "duration would take the run past this (default 38)")
    parser.add_argument("--no-predict", dest="predict", action="store_false",
                        help="skip the predict throughput of W1 / W5")
    parser.add_argument("--no-startup", dest="startup", action="store_false",
                        help="skip the whole-process start-up runs")
    parser.add_argument("--no-gemm", dest="gemm", action="store_false",
                        help="skip the GEMM peak measurement")
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


def run_worker(fw: Framework, workload: workloads.Workload, args, tag: str,
               extra: tuple[str, ...]) -> dict:
    """Run one worker subprocess; its JSON entry, with the wall time from spawn to exit
    and its stage timestamps as seconds after the spawn."""
    os.makedirs(LOG_DIR, exist_ok=True)
    out = os.path.join(LOG_DIR, f"{workload.name}-{fw.name}{tag}.json")
    log = os.path.join(LOG_DIR, f"{workload.name}-{fw.name}{tag}.log")
    if os.path.exists(out):
        os.remove(out)
    cmd = fw.command(workload.name, out, args.threads, args.quick, extra)
    spawned, start = time.time(), time.perf_counter()
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
        stages = {k: round(v - spawned, 3) for k, v in (entry.get("stages") or {}).items()}
        entry.update(ok=True, process_wall_s=round(wall, 3), stages=stages, log=log)
        return entry
    reason = last_line(log) or f"exit status {proc.returncode}"
    if proc.returncode < 0:
        reason = f"killed by signal {-proc.returncode}; {reason}"
    return {"ok": False, "error": reason, "log": log}


def worker_flags(args) -> tuple[str, ...]:
    """The flags passed to every training worker."""
    flags = ["--budget", str(args.budget)]
    if args.max_epochs:
        flags += ["--max-epochs", str(max(args.max_epochs, 2))]
    if args.predict:
        flags.append("--predict")
    return tuple(flags)


def run_one(fw: Framework, workload: workloads.Workload, args) -> dict:
    """Train one workload on one framework in a subprocess; return its entry."""
    return run_worker(fw, workload, args, "", worker_flags(args))


def run_startup(fw: Framework, args) -> dict:
    """Whole process: import + data + build + compile + first epoch of W1."""
    workload = workloads.get_workload("W1", args.quick)
    return run_worker(fw, workload, args, "-startup", ("--startup",))


def best_run(previous: dict | None, entry: dict) -> dict:
    """The fastest of the rounds of one framework on one workload; every round kept."""
    return rounds.merge(previous, entry)


def progress_line(workload: str, fw: Framework, entry: dict) -> str:
    """One console line per finished framework/workload run."""
    if not entry["ok"]:
        return f"{workload}  {fw.name:<17} n/a: {entry['error']}"
    acc = (entry.get("final_logs") or {}).get("accuracy")
    acc_text = f", acc {acc:.3f}" if acc is not None else ""
    predict = entry.get("predict_samples_per_s")
    predict_text = f", predict {predict:,.0f}/s" if predict else ""
    return (f"{workload}  {fw.name:<17} {entry['samples_per_s'] or 0:>10,.0f} samples/s  "
            f"(first epoch {entry['first_epoch_s']:.2f} s, {entry['epochs']} epochs{acc_text}"
            f"{predict_text}, peak RSS {entry.get('peak_rss_mb') or 0:,.0f} MiB)")


def gemm_round(args, gemm: dict) -> None:
    """Measure every library's GEMM peak once more, folding it into ``gemm``."""
    for lib in gemm_peak.LIBRARIES:
        out = os.path.join(LOG_DIR, f"gemm-{lib}.json")
        entry = gemm_peak.run_library(lib, gemm_peak.GEMM_N, args.threads, out)
        gemm[lib] = rounds.merge(gemm.get(lib), entry, key="gflops", extras={})
        text = f"{entry['gflops']:,.1f} GFLOP/s" if entry["ok"] else f"n/a: {entry['error']}"
        print(f"GEMM  {lib:<17} {text}", flush=True)


def startup_round(args, fws: list[Framework], round_index: int, startup: dict) -> None:
    """Time every framework's whole-process W1 start-up once more."""
    for fw in rounds.order_for_round(fws, round_index):
        entry = run_startup(fw, args)
        startup[fw.name] = rounds.merge(startup.get(fw.name), entry, key="process_wall_s",
                                        higher_is_better=False, extras={})
        text = (f"{entry['process_wall_s']:.2f} s whole process" if entry["ok"]
                else f"n/a: {entry['error']}")
        print(f"start {fw.name:<17} {text}", flush=True)


def round_fits(round_index: int, elapsed_s: float, last_round_s: float,
               limit_min: float) -> bool:
    """Whether another round, as long as the last one, ends within ``limit_min``
    minutes (the first round always runs)."""
    return round_index == 0 or elapsed_s + last_round_s <= limit_min * 60


def main(argv=None) -> None:
    """Run every selected workload on every selected framework, in rounds."""
    args = parse_args(argv)
    wls, fws = select(args.only)
    wls = [workloads.get_workload(w.name, args.quick) for w in wls]
    meta = {
        "command": "python benchmarks/run.py " + " ".join(map(shlex.quote, sys.argv[1:])),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "rounds": max(args.rounds, 1),
        "rounds_done": 0,
        "budget_s": args.budget,
        "max_epochs": args.max_epochs or None,
        "machine": machine.describe(args.threads),
    }
    fw_names = [f.name for f in fws]
    os.makedirs(args.out_dir, exist_ok=True)
    os.makedirs(LOG_DIR, exist_ok=True)
    md_path = os.path.join(args.out_dir, "RESULTS.md")
    json_path = os.path.join(args.out_dir, "results.json")
    print(f"benchmarks: {', '.join(w.name for w in wls)} x {', '.join(fw_names)}"
          f"{' (quick)' if args.quick else ''}, {args.threads} threads, "
          f"{meta['rounds']} rounds", flush=True)
    results: dict = {}
    extra: dict = {"gemm": {}, "startup": {}}
    began = time.perf_counter()
    for workload in wls + ([workloads.get_workload("W1", args.quick)] if args.startup else []):
        workloads.ensure_data(workload)

    def write() -> None:
        meta["elapsed_s"] = round(time.perf_counter() - began, 1)
        report.write(md_path, json_path, meta, wls, fw_names, results, extra)

    round_began = began
    for round_index in range(meta["rounds"]):
        if not round_fits(round_index, time.perf_counter() - began,
                          time.perf_counter() - round_began, args.time_limit):
            meta["stopped"] = (f"stopped after {round_index} rounds: another would pass "
                               f"--time-limit {args.time_limit:g} min (raise it, or narrow "
                               f"the run with --only / --budget / --max-epochs)")
            print(meta["stopped"], flush=True)
            break
        round_began = time.perf_counter()
        print(f"-- round {round_index + 1} of {meta['rounds']}", flush=True)
        if args.gemm:
            gemm_round(args, extra["gemm"])
        if args.startup:
            startup_round(args, fws, round_index, extra["startup"])
        for workload in wls:
            for fw in rounds.order_for_round(fws, round_index):
                entry = run_one(fw, workload, args)
                runs = results.setdefault(workload.name, {})
                runs[fw.name] = best_run(runs.get(fw.name), entry)
                print(progress_line(workload.name, fw, entry), flush=True)
                write()
        meta["rounds_done"] = round_index + 1
        write()
    print(f"wrote {md_path} and {json_path} in {meta['elapsed_s'] / 60:.1f} min")


if __name__ == "__main__":
    main()
