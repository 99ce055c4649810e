"""What the Keras-API worker and the PyTorch worker share: their flags, the
workload as the flags shape it, peak memory, stage timestamps and the
pass-timing loop used for predict throughput.

Kept free of heavy imports (numpy only, through workloads) so that a worker's
start-up time and memory are its framework's own.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable

import timing
import workloads

# Predict: after one warm-up pass, at least MIN passes are timed, and more
# until PREDICT_BUDGET_S seconds or MAX passes.
PREDICT_MIN_PASSES = 3
PREDICT_MAX_PASSES = 20
PREDICT_BUDGET_S = 3.0


def harness_parser(doc: str, quick_help: str) -> argparse.ArgumentParser:
    """The parser of a harness script (run.py, scaling.py): its docstring's first line as
    the description, the rest as the epilog, and `--quick` (default `$BENCH_QUICK`)."""
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(doc.splitlines()[2:]))
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                        help=quick_help)
    return parser


def parse_worker_args(description: str, argv=None, keras_api: bool = False):
    """The flags every worker takes (run.py passes them)."""
    parser = argparse.ArgumentParser(description=description)
    if keras_api:
        parser.add_argument("--impl", choices=("layerwise", "keras"), required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-epochs", type=int, default=0,
                        help="cap on the workload's epochs (0: the workload's own)")
    parser.add_argument("--budget", type=float, default=timing.TIME_BUDGET_S,
                        help="stop early once another epoch would pass this many seconds")
    parser.add_argument("--predict", action="store_true",
                        help="after training, time model.predict (workloads with predict_batch)")
    parser.add_argument("--startup", action="store_true",
                        help="one epoch only, no predict: the whole-process start-up run")
    return parser.parse_args(argv)


def effective_workload(args) -> workloads.Workload:
    """The workload with ``--quick``, ``--max-epochs`` and ``--startup`` applied."""
    workload = workloads.get_workload(args.workload, args.quick)
    epochs = 1 if args.startup else workload.epochs
    if args.max_epochs > 0:
        epochs = min(epochs, args.max_epochs)
    return dataclasses.replace(workload, epochs=epochs)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


class Stages:
    """Wall-clock timestamps (``time.time()``) of a worker's stages.

    The driver records the time it spawned the worker, so import, build,
    compile and first-epoch costs can be told apart from the whole process's.
    """

    def __init__(self):
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> None:
        self.marks[name] = time.time()


def time_passes(one_pass: Callable[[], object], min_passes: int = PREDICT_MIN_PASSES,
                max_passes: int = PREDICT_MAX_PASSES,
                budget_s: float = PREDICT_BUDGET_S) -> list[float]:
    """Seconds of each timed call of ``one_pass`` (after one untimed warm-up)."""
    one_pass()
    times: list[float] = []
    while len(times) < max_passes and (len(times) < min_passes or sum(times) < budget_s):
        start = time.perf_counter()
        one_pass()
        times.append(time.perf_counter() - start)
    return times


def predict_summary(pass_times: list[float], rows: int, batch_size: int) -> dict:
    """Predict throughput from the timed passes: rows / median pass."""
    median = statistics.median(pass_times)
    return {
        "predict_batch": batch_size,
        "predict_rows": rows,
        "predict_pass_times_s": [round(t, 6) for t in pass_times],
        "predict_samples_per_s": rows / median if median > 0 else None,
    }


def write_result(path: str, result: dict, stages: Stages) -> None:
    """Add peak memory and the stage timestamps, then write the worker's JSON."""
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["stages"] = stages.marks
    with open(path, "w") as f:
        json.dump(result, f)
