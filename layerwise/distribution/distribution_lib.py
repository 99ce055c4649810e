"""Keras 3's distribution API (`keras.distribution`) on PyTorch's distributed engine.

`DataParallel` replicates the model on every process and trains it with
`torch.nn.parallel.DistributedDataParallel`: each process computes its share of
every global batch, gradients are averaged by DDP's all-reduce, and metrics are
summed across processes at the end of each epoch. A script launched with
`torchrun --nproc-per-node N script.py` needs no change at all: `fit` finds the
process group and does this by itself. See `docs/distribution.md`.
"""

from __future__ import annotations

import contextlib
import os
import re

import numpy as np
import torch

from layerwise.backend import settings
from layerwise.distribution import runtime


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices of this process group, as Keras names them (`"cpu:0"`, `"cuda:1"`).

    Args:
        device_type: `"cpu"`, `"gpu"`/`"cuda"`, or `None` (GPUs when there are some).
    """
    kind = (device_type or ("gpu" if torch.cuda.is_available() else "cpu")).lower()
    if kind in ("gpu", "cuda"):
        count = torch.cuda.device_count()
        if count == 0:
            raise ValueError("`device_type='gpu'`: no CUDA device is available here.")
        return [f"cuda:{i}" for i in range(count)]
    if kind != "cpu":
        raise ValueError(f"`device_type` must be 'cpu', 'gpu' or None. Received: {device_type!r}")
    runtime.ensure_process_group()  # under torchrun: the group's processes, before any `fit`
    return [f"cpu:{i}" for i in range(runtime.world_size())]


def get_device_count(device_type: str | None = None) -> int:
    """How many devices `list_devices(device_type)` lists."""
    return len(list_devices(device_type))


def initialize(job_addresses=None, num_processes=None, process_id=None, backend=None,
               timeout=None) -> None:
    """Joins the process group (what `fit` otherwise does by itself under `torchrun`).

    Args:
        job_addresses: `"host:port"` of the first process (sets `MASTER_ADDR`/`MASTER_PORT`).
        num_processes: Number of processes (`WORLD_SIZE`).
        process_id: This process's rank (`RANK`).
        backend: `"gloo"` or `"nccl"` (default: nccl with CUDA, else gloo).
        timeout: Seconds before a collective waiting for a dead rank fails.
    """
    if job_addresses:
        first = job_addresses.split(",")[0]
        host, _, port = first.rpartition(":")
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = host or first, port or "29500"
    if num_processes is not None:
        os.environ["WORLD_SIZE"] = str(int(num_processes))
    if process_id is not None:
        os.environ["RANK"] = str(int(process_id))
    if not runtime.ensure_process_group(backend, timeout):
        raise ValueError(
            "`initialize()` needs several processes: launch the script with `torchrun "
            "--nproc-per-node N`, or pass `num_processes` and `process_id` (received "
            f"WORLD_SIZE={settings.env_text('WORLD_SIZE')!r}, RANK={settings.env_text('RANK')!r})."
        )


class DeviceMesh:
    """A grid of devices with named axes (Keras' `DeviceMesh`).

    Args:
        shape: Mesh shape, e.g. `(2,)` or `(2, 4)`.
        axis_names: One name per axis, e.g. `["batch"]`.
        devices: Device names (default: `list_devices()`).
    """

    def __init__(self, shape, axis_names, devices=None):
        shape, axis_names = tuple(int(s) for s in shape), list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError("`shape` and `axis_names` must have the same length. Received: "
                             f"shape={shape}, axis_names={axis_names}")
        devices = list(list_devices() if devices is None else devices)
        if int(np.prod(shape)) != len(devices):
            raise ValueError(f"A mesh of shape {shape} needs {int(np.prod(shape))} devices; "
                             f"received {len(devices)}: {devices}")
        self.shape, self.axis_names = shape, axis_names
        self.devices = np.asarray(devices).reshape(shape)

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor's axes map onto mesh axes (`None`: replicated along that axis)."""

    def __init__(self, axes, device_mesh=None):
        self.axes = tuple(axes)
        self.device_mesh = device_mesh


class LayoutMap(dict):
    """Weight-path patterns (regexes) to `TensorLayout`s, for `ModelParallel`."""

    def __init__(self, device_mesh):
        super().__init__()
        self.device_mesh = device_mesh

    def __setitem__(self, key, layout):
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout, self.device_mesh)
        super().__setitem__(key, layout)


class Distribution:
    """Base class: the device mesh a model is distributed on."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True):
        self.device_mesh = device_mesh
        self.batch_dim_name = batch_dim_name
        self.auto_shard_dataset = auto_shard_dataset

    @contextlib.contextmanager
    def scope(self):
        """Sets this distribution as the current one inside the `with` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield self
        finally:
            set_distribution(previous)


class DataParallel(Distribution):
    """Replicates the model on every process; each computes a share of every batch.

    Args:
        device_mesh: A 1-D `DeviceMesh` (default: every device of the process group).
        devices: Device names, instead of `device_mesh`.
        auto_shard_dataset: Split each global batch between the processes (default).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        elif len(device_mesh.shape) != 1:
            raise ValueError("`DataParallel` needs a 1-D device mesh. Received a mesh of "
                             f"shape {device_mesh.shape}; use `ModelParallel` for 2-D meshes.")
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)


class ModelParallel(Distribution):
    """Splits the weights over the processes (FSDP2): each holds 1/N of every sharded weight.

    Each process computes a share of every global batch, as with `DataParallel`; the
    weights of each layer are gathered for its forward pass and freed after it, the
    gradients reduce-scattered, and the optimizer updates this process's shards only
    (`torch.distributed.fsdp.fully_shard`; see `docs/distribution.md`).

    Args:
        layout_map: `LayoutMap`: the layers owning a weight whose path matches one of
            its keys (regexes, as in Keras) are sharded, the others replicated.
            Default: every layer is sharded.
        device_mesh: A 1-D `DeviceMesh` (default: `layout_map`'s, else every device).
        batch_dim_name: The mesh axis the batch is split along (default: the only one).
        auto_shard_dataset: Split each global batch between the processes (default).

    Example (under `torchrun --nproc-per-node 2`):

    >>> keras.distribution.set_distribution(keras.distribution.ModelParallel())  # doctest: +SKIP
    >>> model.fit(x, y, batch_size=64)  # doctest: +SKIP
    """

    def __init__(self, layout_map=None, device_mesh=None, batch_dim_name=None,
                 auto_shard_dataset=True):
        if layout_map is not None and not isinstance(layout_map, LayoutMap):
            raise ValueError("`layout_map` must be a `LayoutMap` or None. Received: "
                             f"{type(layout_map).__name__}")
        if device_mesh is None:
            device_mesh = layout_map.device_mesh if layout_map is not None else None
        if device_mesh is None:
            devices = list_devices()
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        if len(device_mesh.shape) != 1:
            raise ValueError(
                "`ModelParallel` shards weights FSDP-style over a 1-D device mesh; received a "
                f"mesh of shape {device_mesh.shape}. Use a 1-D mesh such as "
                "`DeviceMesh((N,), ['batch'])` (2-D tensor parallel layouts are not supported).")
        super().__init__(device_mesh, batch_dim_name or device_mesh.axis_names[0],
                         auto_shard_dataset)
        self.layout_map = layout_map

    def shards_layer(self, layer) -> bool:
        """Whether `layer`'s weights are sharded (see `layout_map`)."""
        if self.layout_map is None:
            return True
        paths = [getattr(w, "path", "") for w in layer.weights]
        return any(key == path or re.search(key, path)
                   for key in self.layout_map for path in paths)


@contextlib.contextmanager
def gathered(model):
    """Inside the block, a model sharded by `ModelParallel` has its full weights.

    `get_weights()`, `get_config()` and the optimizer's `variables` read the whole
    values on every rank (`model.save` does this by itself). A collective: call it on
    every rank. A model that is not sharded is yielded as it is.

    >>> with keras.distribution.gathered(model):  # doctest: +SKIP
    ...     weights = model.get_weights()
    """
    if not runtime.is_sharded(model):
        yield model
        return
    with runtime.sharding().gathered(model):
        yield model


_CURRENT: list = [None]


def distribution() -> Distribution | None:
    """The current distribution (`None`: one process, unless launched by torchrun)."""
    return _CURRENT[0]


def set_distribution(value: Distribution | None) -> None:
    """Sets the distribution that `fit` uses (`None` resets it)."""
    if value is not None and not isinstance(value, Distribution):
        raise ValueError("`value` must be a `Distribution` (e.g. `DataParallel()`) or None. "
                         f"Received: {type(value).__name__}")
    _CURRENT[0] = value
