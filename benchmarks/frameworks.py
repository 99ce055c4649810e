"""The frameworks compared, and how to launch one worker subprocess for each."""

from __future__ import annotations

import dataclasses
import os
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclasses.dataclass(frozen=True)
class Framework:
    """A framework entry: its worker script and environment."""

    name: str  # used by --only and in results.json
    label: str  # column header in RESULTS.md
    script: str  # worker script in benchmarks/
    impl: str | None = None  # --impl for keras_worker.py
    keras_backend: str | None = None
    aliases: tuple[str, ...] = ()

    def command(self, workload: str, out: str, threads: int, quick: bool,
                extra: tuple[str, ...] = ()) -> list[str]:
        """The worker command line for one workload (``extra``: more worker flags)."""
        cmd = [sys.executable, os.path.join(BENCH_DIR, self.script),
               "--workload", workload, "--out", out, "--threads", str(threads)]
        if self.impl:
            cmd += ["--impl", self.impl]
        if quick:
            cmd.append("--quick")
        return cmd + list(extra)

    def environment(self, threads: int) -> dict[str, str]:
        """The worker's environment: same thread counts for every framework."""
        env = thread_environment(threads)
        env["KERAS_BACKEND"] = self.keras_backend or "torch"
        return env


def thread_environment(threads: int) -> dict[str, str]:
    """A subprocess environment with every library's thread count set to ``threads``."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = str(threads)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["JAX_PLATFORMS"] = "cpu"
    env["CUDA_VISIBLE_DEVICES"] = ""  # CPU benchmark everywhere
    if threads == 1:  # XLA's CPU thread pool ignores OMP_NUM_THREADS
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                            " intra_op_parallelism_threads=1").strip()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("layerwise", "layerwise", "keras_worker.py", impl="layerwise"),
    Framework("keras-torch", "Keras 3 (torch)", "keras_worker.py", impl="keras",
              keras_backend="torch"),
    Framework("keras-jax", "Keras 3 (JAX)", "keras_worker.py", impl="keras",
              keras_backend="jax", aliases=("jax",)),
    Framework("keras-tensorflow", "tf.keras (Keras 3, TF)", "keras_worker.py", impl="keras",
              keras_backend="tensorflow", aliases=("keras-tf", "tf", "tensorflow")),
    Framework("torch", "PyTorch loop", "torch_worker.py", aliases=("pytorch", "torch-loop")),
)

# RESULTS.md ratios: layerwise throughput divided by each of these.
RATIO_BASELINES = ("keras-torch", "torch", "keras-jax", "keras-tensorflow")


def find_framework(token: str) -> Framework | None:
    """The framework called ``token`` (name or alias, any case), if any."""
    token = token.lower()
    for fw in FRAMEWORKS:
        if token == fw.name or token in fw.aliases:
            return fw
    return None
