"""`backend/settings.py`, `layerwise.config` and the private-torch module's version check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import layerwise
from layerwise.backend import device, foreach, host_memory, settings

REPO = Path(__file__).resolve().parents[2]


def test_every_variable_is_documented_in_settings_and_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in settings.ENVIRONMENT:
        assert f"`{name}`" in settings.__doc__, name
        assert name in readme, f"{name} is not documented in README.md"


def test_no_module_reads_the_environment_outside_settings():
    # distribution_lib writes torch.distributed's rendezvous variables (MASTER_ADDR, ...)
    # for torch to read; layerwise's own reads all go through settings.
    readers = sorted(str(p.relative_to(REPO)) for p in (REPO / "layerwise").rglob("*.py")
                     if re.search(r"os\.environ(?!\[\"\w+\"\](, os\.environ\[\"\w+\"\])? = )|"
                                  r"os\.getenv", p.read_text(encoding="utf-8")))
    assert readers == ["layerwise/backend/settings.py"]


def test_programmatic_switches_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("LAYERWISE_TUNE_MALLOC", "0")
    assert not layerwise.config.is_malloc_tuning_enabled()
    layerwise.config.set_malloc_tuning(True)
    try:
        assert layerwise.config.is_malloc_tuning_enabled()
    finally:
        layerwise.config.set_malloc_tuning(None)
    monkeypatch.setenv("LAYERWISE_DEVICE", "meta")
    assert device.default_device() == torch.device("meta")
    layerwise.config.set_device("cpu")
    try:
        assert device.default_device() == torch.device("cpu")
    finally:
        layerwise.config.set_device(None)


def test_malloc_tuning_is_never_applied_for_a_gpu_model():
    before = dict(host_memory._state)
    assert host_memory.tune_malloc(torch.device("meta")) is False
    assert host_memory._state == before  # a later CPU fit may still apply it


def test_malloc_switch_off_in_a_fresh_process():
    code = ("import layerwise as keras\nfrom layerwise.backend import host_memory\n"
            "keras.config.set_malloc_tuning(False)\nprint(host_memory.tune_malloc('cpu'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(REPO), timeout=120, check=True)
    assert out.stdout.strip() == "False"


def test_private_torch_version_check_matches_pyproject():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"torch>=(\d+)\.(\d+)"', pyproject)
    assert (int(pin.group(1)), int(pin.group(2))) == foreach.MIN_TORCH
    assert foreach.torch_version("2.13.0+cpu") == (2, 13)
    foreach.check_torch_version("2.2.0")
    with pytest.raises(ImportError, match=r"needs torch>=2\.2; torch 2\.1\.2 is installed"):
        foreach.check_torch_version("2.1.2")


def test_no_private_torch_call_outside_backend():
    callers = sorted(str(p.relative_to(REPO)) for p in (REPO / "layerwise").rglob("*.py")
                     if "backend" not in p.parts and re.search(
                         r"torch\._(foreach|fused)\w*\(", p.read_text(encoding="utf-8")))
    assert callers == []
