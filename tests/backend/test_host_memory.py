"""glibc keeps freed training buffers for reuse once `fit`/`evaluate`/`predict` ran."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from layerwise.backend import host_memory

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc tuning applies to glibc only")

# Six rounds of allocating, filling and freeing eight 12 MB tensors together (96 MB,
# like a CNN step's activations); prints the fewest page faults of rounds 2-6 (round 1
# always touches new memory). The fewest, not the sum: a host can add minor faults to
# any one round on its own (the kernel's NUMA balancing unmaps a process' pages every
# second or so to sample them), while a round served by fresh `mmap`s faults in full.
PROBE = textwrap.dedent("""
    import ctypes, resource, sys, torch
    import layerwise
    if sys.argv[1] == "none":
        # The control: glibc's static defaults (mmap above 128 KiB, trim above 128 KiB), so
        # its dynamic threshold, moved by whatever the imports allocated, cannot blur it.
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 * 1024)  # M_TRIM_THRESHOLD
    if sys.argv[1] == "fit":
        model = layerwise.Sequential([layerwise.Input((2,)), layerwise.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(torch.zeros(4, 2), torch.zeros(4, 1), verbose=0)
    faults = []
    for _ in range(6):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        buffers = [torch.empty(3 << 20).fill_(1.0) for _ in range(8)]
        del buffers
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    print(min(faults[1:]))
""")


def _faults(mode: str, tune: str) -> int:
    env = dict(os.environ, LAYERWISE_TUNE_MALLOC=tune, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", PROBE, mode], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return int(out.split()[-1])


@glibc_only
def test_fit_keeps_freed_buffers_in_the_process():
    round_pages = 8 * (12 << 20) // 4096
    assert _faults("fit", "1") < round_pages // 4  # reused after round 1
    assert _faults("none", "1") > round_pages // 2  # glibc's defaults: fresh pages each round


def test_tune_malloc_runs_once_and_honours_the_opt_out(monkeypatch):
    monkeypatch.setattr(host_memory, "_state", {"done": False, "applied": False})
    monkeypatch.setenv("LAYERWISE_TUNE_MALLOC", "0")
    assert host_memory.tune_malloc() is False
    monkeypatch.setenv("LAYERWISE_TUNE_MALLOC", "1")
    assert host_memory.tune_malloc() is False  # decided once per process


# Rounds of allocating, filling and freeing one large tensor: above glibc's largest
# mmap threshold (32 MB), so only `heap_only()` keeps it off `mmap`. Prints the fewest
# page faults of rounds 3-6 of 96 MB inside `heap_only()`, then of rounds 3-6 of 400 MB
# after it exited (more than the 256 MB of free heap the tuning keeps). The fewest: see
# PROBE.
HEAP_ONLY_PROBE = textwrap.dedent("""
    import resource, torch
    from layerwise.backend import host_memory

    def faults(floats):
        counts = []
        for _ in range(6):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            big = torch.empty(floats).fill_(1.0)
            del big
            counts.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        return min(counts[2:])  # rounds 3-6: the heap has settled

    with host_memory.heap_only("cpu"):
        with host_memory.heap_only(None):  # nested: the outer one restores mmap
            pass
        inside = faults(24 << 20)
    print(inside, faults(100 << 20))
""")


@glibc_only
def test_heap_only_serves_large_buffers_from_the_heap_and_restores_mmap():
    env = dict(os.environ, LAYERWISE_TUNE_MALLOC="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", HEAP_ONLY_PROBE], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    inside, after = (int(v) for v in out.split()[-2:])
    round_pages = (96 << 20) // 4096
    assert inside < round_pages // 4  # reused from the heap after round 1
    assert after > 2 * round_pages  # mmap is back: 400 MB of fresh pages in every round


def test_heap_only_does_nothing_for_a_gpu_model_or_when_opted_out(monkeypatch):
    calls = []
    monkeypatch.setattr(host_memory, "_libc", lambda: calls.append("libc"))
    with host_memory.heap_only("cuda"):
        pass
    monkeypatch.setattr(host_memory, "_state", {"done": True, "applied": False})
    with host_memory.heap_only("cpu"):
        pass
    assert calls == []
