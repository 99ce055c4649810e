"""The process group: started by `initialize()` or found from `torchrun`'s environment.

`torchrun --nproc-per-node N script.py` sets `RANK`, `WORLD_SIZE`, `MASTER_ADDR` and
`MASTER_PORT`; the first `fit` (or `initialize()`) then joins the group: gloo on CPU,
nccl when CUDA is available. Collectives time out (default 300 s, the
`LAYERWISE_DIST_TIMEOUT` environment variable or `initialize(timeout=)`), so a rank
that died is reported as an error on the others, never waited for forever.
"""

from __future__ import annotations

import datetime
import importlib

import torch
import torch.distributed as dist

from layerwise.backend import settings

DEFAULT_TIMEOUT_S = 300.0


def launched_by_torchrun() -> bool:
    """Whether this process was started as one rank of several (`torchrun` and the like)."""
    return int(settings.env_text("WORLD_SIZE") or "1") > 1 and bool(settings.env_text("RANK"))


def ensure_process_group(backend: str | None = None, timeout_s: float | None = None) -> bool:
    """Joins the process group when launched as several ranks; whether one is active."""
    if dist.is_available() and dist.is_initialized():
        return True
    if not (dist.is_available() and launched_by_torchrun()):
        return False
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if timeout_s is None:
        timeout_s = float(settings.env_text("LAYERWISE_DIST_TIMEOUT") or DEFAULT_TIMEOUT_S)
    dist.init_process_group(backend=backend, timeout=datetime.timedelta(seconds=timeout_s))
    return True


def is_distributed() -> bool:
    """Whether a process group of more than one rank is active."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def is_rank_zero() -> bool:
    return rank() == 0


def barrier() -> None:
    if is_distributed():
        dist.barrier()


def broadcast_int(value: int) -> int:
    """Rank 0's `value`, on every rank."""
    if not is_distributed():
        return int(value)
    tensor = torch.tensor([int(value)], dtype=torch.int64)
    dist.broadcast(tensor, src=0)
    return int(tensor.item())


def is_sharded(model) -> bool:
    """Whether `ModelParallel` training split the model's weights over the ranks."""
    return model.__dict__.get("_fsdp_state") is not None


def sharding():
    """`layerwise.distribution.sharding` (FSDP2), imported on first use: importing
    `torch.distributed.tensor` takes seconds, which a single process never pays."""
    return importlib.import_module("layerwise.distribution.sharding")
