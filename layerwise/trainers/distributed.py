"""`fit` / `evaluate` on several processes: data parallel training on torch DDP.

When a process group of several ranks is active (`torchrun`, or
`layerwise.distribution.initialize()`), `fit`:

- reads the same global batches on every rank (array shuffles use a seed broadcast
  from rank 0, so the order is the same everywhere and new each epoch) and keeps this
  rank's share of each: `batch_size` is the global batch, as in Keras' distribution
  API, so 2 ranks with `shuffle=False` reproduce a 1-process run;
- a torch `DataLoader` whose sampler is a `DistributedSampler` already gives each rank
  its own data: its batches are kept whole (and `set_epoch` is called each epoch);
- trains through `DistributedDataParallel`, which averages the gradients;
- sums every metric's state across ranks at the end of each epoch (and validation),
  so every rank's History holds the global values;
- prints from rank 0 only, and runs the callbacks that write files (`CSVLogger`,
  `TensorBoard`, `RemoteMonitor`) on rank 0 only; `ModelCheckpoint` runs everywhere
  and `model.save` writes once, from rank 0 (saving/_distributed.py);
- under `ModelParallel`, shards the weights with FSDP2 (distribution/sharding.py).

None of this runs in a single process: the fast path is unchanged there.
"""

from __future__ import annotations

import itertools

import torch
import torch.distributed as dist
from torch.utils.data.distributed import DistributedSampler

from layerwise.distribution import distribution_lib, runtime
from layerwise.metrics.metric import Metric
from layerwise.trainers.data_adapter_base import DataAdapter

# Callbacks that write files or talk to servers: run by rank 0 only. (`ModelCheckpoint`
# runs on every rank: `model.save` gathers sharded weights on all of them, then rank 0
# writes the file, see saving/_distributed.py.)
RANK_ZERO_CALLBACKS = ("CSVLogger", "TensorBoard", "RemoteMonitor")


def active() -> bool:
    """Whether `fit` runs on several processes (joining the group if torchrun started us)."""
    runtime.ensure_process_group()
    return runtime.is_distributed()


class ShardedAdapter(DataAdapter):
    """This rank's share of every global batch of another adapter."""

    def __init__(self, inner: DataAdapter, seed: int):
        self.inner = inner
        self.rank, self.world = runtime.rank(), runtime.world_size()
        self.seed = seed
        self._epoch = 0
        self.device = inner.device
        self._sampler = _distributed_sampler(inner)

    @property
    def steps(self):
        return self.inner.steps

    @property
    def exhausted(self):
        return self.inner.exhausted

    def sample_x(self):
        return self.inner.sample_x()

    def on_device(self, device):
        self.inner = self.inner.on_device(device)
        self.device = device
        return self

    def check(self, model, finite: bool = True) -> None:
        self.inner.check(model, finite)

    def epoch(self):
        if self._sampler is not None:
            self._sampler.set_epoch(self._epoch)
        batches = self.inner.epoch()
        with torch.random.fork_rng(devices=[]):
            # The same permutation on every rank: one seed, moved on each epoch.
            torch.manual_seed(self.seed + self._epoch)
            first = next(batches, None)
        self._epoch += 1
        if first is None:
            return
        for x, y, sw in itertools.chain([first], batches):
            if self._sampler is not None:
                yield x, y, sw
            else:
                yield self._share(x), self._share(y), self._share(sw)

    def _share(self, value):
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            return type(value)(self._share(v) for v in value)
        if isinstance(value, dict):
            return {k: self._share(v) for k, v in value.items()}
        n = value.shape[0]
        if n < self.world:
            raise ValueError(
                f"A batch of {n} samples cannot be shared by {self.world} processes: "
                f"`batch_size` is the global batch size; use at least {self.world}."
            )
        lo, hi = self.rank * n // self.world, (self.rank + 1) * n // self.world
        return value[lo:hi]


def _distributed_sampler(adapter):
    loader = getattr(adapter, "data", None)
    sampler = getattr(loader, "sampler", None)
    if isinstance(sampler, DistributedSampler):
        return sampler
    return None


def shard(adapter: DataAdapter) -> ShardedAdapter:
    """The adapter giving this rank its share (a seed for shuffles agreed with rank 0)."""
    seed = runtime.broadcast_int(int(torch.randint(0, 2**31 - 1, ()).item()))
    return ShardedAdapter(adapter, seed)


def wrap(model) -> list:
    """Trains `model` through DDP (its captured trainable weights are all-reduced), or
    with its weights sharded under `ModelParallel`; the gradient hooks to remove after."""
    current = distribution_lib.distribution()
    if isinstance(current, distribution_lib.ModelParallel):
        model.__dict__["_ddp_module"] = None
        return _train_sharded(model, current)
    wrapper = None
    if any(p.requires_grad for p in model.parameters()):
        wrapper = torch.nn.parallel.DistributedDataParallel(
            model, find_unused_parameters=False)
    # Kept out of `_modules`: the wrapper holds the model, not the reverse.
    model.__dict__["_ddp_module"] = wrapper
    return []


def _train_sharded(model, current) -> list:
    """Shards the model (once) and points the trainer and optimizer at the shards."""
    sharding = runtime.sharding()
    sharding.shard(model, current.shards_layer)
    model._trainable_params, hooks = sharding.trained_params(model, model._trainable_params)
    model._regularized = [
        (sharding.FullPenalty(r) if isinstance(p, sharding.DTensor) else r, p)
        for (r, _), p in zip(model._regularized, sharding.sharded_params(
            model, [w for _, w in model._regularized]), strict=True)]
    optimizer = model.optimizer
    if optimizer is not None and optimizer.built and not optimizer.is_built_for(
            model._trainable_params):
        optimizer.rebuild(model._trainable_params)
    return hooks


def unwrap(model) -> None:
    model.__dict__["_ddp_module"] = None


def global_logs(model) -> dict:
    """The model's logs with every metric's state summed over the ranks."""
    saved = []
    for metric in _leaf_metrics(model.metrics):
        local = [torch.as_tensor(v).detach().clone() for v in metric.variables]
        summed = []
        for value in local:
            total = value.to(torch.float64 if value.is_floating_point() else value.dtype,
                             copy=True)
            dist.all_reduce(total, op=dist.ReduceOp.SUM)
            summed.append(total.to(value.dtype))
        saved.append((metric, local))
        metric._load_state_values(summed)
    try:
        return model._logs()
    finally:
        for metric, local in saved:
            metric._load_state_values(local)


def _leaf_metrics(metrics) -> list:
    """The metrics that own state (inside containers such as the compiled metrics)."""
    leaves = []
    for metric in metrics:
        children = [v for v in vars(metric).values() if isinstance(v, Metric)]
        for value in vars(metric).values():
            if isinstance(value, (list, tuple)):
                children += [v for v in value if isinstance(v, Metric)]
            elif isinstance(value, dict):
                children += [v for v in value.values() if isinstance(v, Metric)]
        leaves += _leaf_metrics(children) if children else [metric]
    return leaves


def for_rank(callbacks, verbose):
    """The callbacks and verbosity of this rank: file writers and printing on rank 0 only."""
    if callbacks is None:
        return callbacks, verbose
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    if isinstance(distribution_lib.distribution(), distribution_lib.ModelParallel) and any(
            type(c).__name__ == "BackupAndRestore" for c in callbacks):
        raise ValueError(
            "`BackupAndRestore` does not support `ModelParallel` (sharded weights) yet: it "
            "would back up each rank's shards only. Use `ModelCheckpoint` (it saves the "
            "gathered model) or `DataParallel`.")
    if runtime.is_rank_zero():
        return callbacks, verbose
    kept = [c for c in callbacks if type(c).__name__ not in RANK_ZERO_CALLBACKS]
    for callback in kept:
        if type(callback).__name__ == "ModelCheckpoint":
            callback.verbose = 0  # it saves on every rank (a collective); rank 0 prints
    return kept, 0


def sync_gradients_hooks(params) -> list:
    """Averages gradients over the ranks as they are accumulated (custom `train_step`s,
    which call the model directly rather than through DDP); returns the hook handles."""
    world = runtime.world_size()

    def average(param):
        dist.all_reduce(param.grad, op=dist.ReduceOp.SUM)
        param.grad.div_(world)

    return [p.register_post_accumulate_grad_hook(average) for p in params]
