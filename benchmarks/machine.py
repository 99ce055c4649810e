"""Describe the machine and the installed package versions (without importing
the heavy frameworks: versions come from the installed distributions)."""

from __future__ import annotations

import importlib.metadata
import os
import platform

# Display name -> distribution names to try, first found wins.
PACKAGES = {
    "torch": ("torch",),
    "keras": ("keras",),
    "jax": ("jax",),
    "jaxlib": ("jaxlib",),
    "tensorflow": ("tensorflow-cpu", "tensorflow"),
    "numpy": ("numpy",),
    "layerwise": ("layerwise",),
}


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or platform's guess)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_gib() -> float | None:
    """Total RAM in GiB, from /proc/meminfo when available."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def package_version(name: str, dists: tuple[str, ...]) -> str | None:
    """Version of the first installed distribution among ``dists``, with the
    distribution's name appended when it differs from ``name``."""
    for dist in dists:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
        return version if dist == name else f"{version} ({dist})"
    return None


def describe(threads: int) -> dict:
    """Machine and software description for RESULTS.md / results.json."""
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "memory_gib": memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: package_version(name, d) for name, d in PACKAGES.items()},
    }
