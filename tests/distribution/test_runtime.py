"""The process-group logic without a second process: backend choice (nccl with CUDA,
mocked here since no GPU is available; gloo without), timeouts, rank helpers."""

from __future__ import annotations

import datetime

import pytest
import torch
import torch.distributed as dist

from layerwise.distribution import runtime


@pytest.fixture
def launched(monkeypatch):
    """The environment torchrun gives rank 0 of 2; `init_process_group` recorded, not run."""
    calls = []
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda **kw: calls.append(kw))
    return calls


@pytest.mark.parametrize("cuda, backend", [(True, "nccl"), (False, "gloo")])
def test_backend_follows_the_device(launched, monkeypatch, cuda, backend):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setenv("LAYERWISE_DIST_TIMEOUT", "42")
    assert runtime.ensure_process_group() is True
    assert launched == [{"backend": backend, "timeout": datetime.timedelta(seconds=42)}]


def test_explicit_backend_and_timeout_win(launched):
    runtime.ensure_process_group("gloo", 7.5)
    assert launched == [{"backend": "gloo", "timeout": datetime.timedelta(seconds=7.5)}]


def test_one_process_joins_nothing(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    assert runtime.ensure_process_group() is False
    assert runtime.rank() == 0 and runtime.world_size() == 1 and runtime.is_rank_zero()
    assert runtime.broadcast_int(5) == 5
    runtime.barrier()  # nothing to wait for


def test_is_sharded_reads_the_model_state():
    model = torch.nn.Linear(2, 2)
    assert not runtime.is_sharded(model)
    model.__dict__["_fsdp_state"] = object()
    assert runtime.is_sharded(model)
