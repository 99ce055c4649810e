"""Before/after: layerwise at two checkouts on the same workloads, interleaved.

Runs each checkout's own `benchmarks/keras_worker.py --impl layerwise` (which
imports the `layerwise` of that checkout) on W1-W5, alternating the two
checkouts workload by workload for a few rounds so that machine noise hits both
alike, and prints the best steady-state throughput of each and the ratio.

    git worktree add /tmp/before <rev>
    .venv-bench/bin/python benchmarks/versions_ab.py /tmp/before . --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from frameworks import thread_environment  # noqa: E402


def run_worker(checkout: str, workload: str, threads: int, timeout: float) -> float | None:
    """Steady-state samples/s of layerwise at ``checkout`` on ``workload`` (None: failed)."""
    worker = os.path.join(os.path.abspath(checkout), "benchmarks", "keras_worker.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        cmd = [sys.executable, worker, "--impl", "layerwise", "--workload", workload,
               "--out", out, "--threads", str(threads)]
        done = subprocess.run(cmd, env=thread_environment(threads), capture_output=True,
                              text=True, timeout=timeout, check=False)
        if done.returncode != 0 or not os.path.exists(out):
            print(f"  {checkout} {workload} failed: {done.stderr.strip()[-300:]}")
            return None
        with open(out) as f:
            return json.load(f).get("samples_per_s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkout (folder) of the earlier revision")
    parser.add_argument("after", help="checkout (folder) of the later revision")
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    names = [w.strip() for w in args.workloads.split(",") if w.strip()]
    best: dict[tuple[str, str], float] = {}
    for round_index in range(args.rounds):
        for workload in names:
            order = (args.before, args.after) if round_index % 2 == 0 else (args.after,
                                                                          args.before)
            for checkout in order:
                rate = run_worker(checkout, workload, args.threads, args.timeout)
                print(f"round {round_index + 1} {workload} {checkout}: {rate}", flush=True)
                if rate is not None:
                    key = (checkout, workload)
                    best[key] = max(best.get(key, 0.0), rate)
    print("\n| workload | before (samples/s) | after (samples/s) | after / before |")
    print("|---|---:|---:|---:|")
    for workload in names:
        before, after = best.get((args.before, workload)), best.get((args.after, workload))
        ratio = f"{after / before:.2f}x" if before and after else "n/a"
        print(f"| {workload} | {before or 0:,.0f} | {after or 0:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
