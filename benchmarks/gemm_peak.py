"""The machine's fp32 GEMM peak, and how many FLOPs an MLP workload costs.

Each library multiplies two n x n float32 matrices (default 2048) in its own
subprocess, with the same thread settings as the training workers; GFLOP/s =
2 n^3 / (best call time). Libraries: torch's default ``torch.mm`` (MKL on
x86), torch through oneDNN (``torch.ops.mkldnn._linear_pointwise``, what a
oneDNN Dense layer would call), NumPy, TensorFlow and JAX (jitted) where
installed; a missing one is reported as n/a.

    python benchmarks/gemm_peak.py                  # all libraries, a table
    python benchmarks/gemm_peak.py --lib numpy --out r.json   # one worker
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time

from frameworks import thread_environment

LIBRARIES = ("torch", "torch-onednn", "numpy", "tensorflow", "jax")
LABELS = {"torch": "torch.mm (default)", "torch-onednn": "torch via oneDNN",
          "numpy": "NumPy", "tensorflow": "TensorFlow", "jax": "JAX (jit)"}
GEMM_N = 2048
MIN_CALLS, MAX_CALLS, BUDGET_S = 5, 30, 2.0


def mlp_train_flops(units: tuple[int, ...], first_input_grad: bool = False) -> int:
    """FLOPs of one trained sample of a Dense stack ``units[0] -> units[1] -> ...``.

    Each Dense layer of ``n_in x n_out`` runs three GEMMs a step, each
    2 * n_in * n_out FLOPs per sample: forward (x W), weight gradient (x^T dy)
    and input gradient (dy W^T); the first layer's input gradient is not
    needed (the data needs no gradient) unless ``first_input_grad``. Bias,
    activation, loss and optimizer work (O(n_out) per sample) is left out.
    """
    gemm = [2 * n_in * n_out for n_in, n_out in itertools.pairwise(units)]
    total = 3 * sum(gemm)
    return total if first_input_grad else total - gemm[0]


def gflops(n: int, seconds: float) -> float:
    """GFLOP/s of one n x n x n matrix product taking ``seconds``."""
    return 2 * n**3 / seconds / 1e9


def _matmul_for(lib: str, n: int, threads: int):
    """A zero-argument callable running one n x n fp32 product to completion."""
    if lib in ("torch", "torch-onednn"):
        import torch  # lazily: each worker imports only its own library

        torch.set_num_threads(threads)
        a, b = torch.randn(n, n), torch.randn(n, n)
        if lib == "torch":
            return lambda: torch.mm(a, b)
        linear = torch.ops.mkldnn._linear_pointwise  # computes a @ w.T
        w = b.t().contiguous()
        return lambda: linear(a, w, None, "none", [], "")
    if lib == "numpy":
        import numpy as np

        rng = np.random.default_rng(0)
        a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
        return lambda: a @ b
    if lib == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
        # Eager ops run in order: reading one element waits for the whole product.
        return lambda: tf.linalg.matmul(a, b)[0, 0].numpy()
    if lib == "jax":
        import jax
        import jax.numpy as jnp

        key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
        a, b = jax.random.normal(key_a, (n, n)), jax.random.normal(key_b, (n, n))
        matmul = jax.jit(jnp.matmul)
        return lambda: matmul(a, b).block_until_ready()
    raise ValueError(f"unknown library {lib!r}; expected one of {LIBRARIES}")


def measure(lib: str, n: int = GEMM_N, threads: int = 1) -> dict:
    """Time ``lib``'s product: 2 warm-up calls, then the best of 5-30 calls (2 s)."""
    call = _matmul_for(lib, n, threads)
    call(), call()
    times: list[float] = []
    while len(times) < MAX_CALLS and (len(times) < MIN_CALLS or sum(times) < BUDGET_S):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {"ok": True, "n": n, "call_times_s": [round(t, 6) for t in times],
            "gflops": gflops(n, min(times))}


def run_library(lib: str, n: int, threads: int, out: str, timeout: float = 120.0) -> dict:
    """Measure one library in a subprocess; ``{"ok": False, "error": ...}`` on failure."""
    cmd = [sys.executable, os.path.abspath(__file__), "--lib", lib, "--n", str(n),
           "--threads", str(threads), "--out", out]
    if os.path.exists(out):
        os.remove(out)
    try:
        proc = subprocess.run(cmd, env=thread_environment(threads), capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode == 0 and os.path.exists(out):
        with open(out) as f:
            return json.load(f)
    lines = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
    return {"ok": False, "error": lines[-1].strip() if lines else f"exit {proc.returncode}"}


def best_peak(gemm: dict) -> tuple[str, float] | None:
    """The fastest library's name and GFLOP/s among the ok entries of ``gemm``."""
    ok = [(lib, e["gflops"]) for lib, e in gemm.items() if e.get("ok") and e.get("gflops")]
    return max(ok, key=lambda item: item[1]) if ok else None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", choices=LIBRARIES, help="measure one library (worker mode)")
    parser.add_argument("--n", type=int, default=GEMM_N)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", help="worker mode: write the result here as JSON")
    args = parser.parse_args(argv)
    if args.lib:
        result = measure(args.lib, args.n, args.threads)
        if args.out:
            with open(args.out, "w") as f:
                json.dump(result, f)
        print(f"{args.lib}: {result['gflops']:.1f} GFLOP/s")
        return
    scratch = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
    os.makedirs(scratch, exist_ok=True)
    for lib in LIBRARIES:
        entry = run_library(lib, args.n, args.threads, os.path.join(scratch, f"gemm-{lib}.json"))
        text = f"{entry['gflops']:.1f} GFLOP/s" if entry["ok"] else f"n/a ({entry['error']})"
        print(f"{LABELS[lib]:<20} {text}", flush=True)


if __name__ == "__main__":
    main()
