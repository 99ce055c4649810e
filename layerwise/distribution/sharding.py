"""Sharded weights: FSDP2 (`torch.distributed.fsdp.fully_shard`) under Keras `Variable`s.

`shard(model)` applies `fully_shard` to every layer that owns weights, then to the
model: each weight becomes a `DTensor` split along its first axis over the ranks,
gathered for a layer's forward pass and freed after it, its gradient
reduce-scattered (averaged) back into shards. The optimizer updates the `DTensor`
shards (its `torch._foreach_*` and fused Adam kernels accept them), so each rank
holds 1/N of the weights and of the optimizer state.

The Keras `Variable`s stay the model's weights for everything else: while the
model is sharded each one aliases its rank's shard (its `.data` is the shard's
local tensor, so it costs no memory), and `gathered(model)` puts the full values
back into them (and the layers' own classes back) for `get_weights`, `save` and
`get_config`. Gathering is a collective: every rank must enter `gathered` together.

Imported on first use (`runtime.sharding()`): `torch.distributed.tensor` is slow to import.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.tensor import DTensor, Replicate

from layerwise.distribution import runtime

# The Keras attributes of a `Variable` that its `DTensor` shard carries too (the
# optimizer reads `name`/`path` for weight-decay exclusion and applies `constraint`).
_KERAS_ATTRS = ("_keras_name", "path", "trainable", "regularizer", "constraint")


@dataclass
class _Sharded:
    module: torch.nn.Module
    attr: str
    variable: torch.nn.Parameter
    param: DTensor


@dataclass
class _State:
    weights: list  # _Sharded, in `model.weights` order
    classes: dict  # id(module) -> (module, its own class, its FSDP class)
    mesh: object  # the 1-D DeviceMesh of the shards
    views: dict  # id(replicated Variable) -> its `Replicate` DTensor view (`trained_params`)


def shard(model, select=None) -> None:
    """Splits the model's weights over the ranks of the process group (once).

    Args:
        model: A built layerwise model.
        select: `fn(layer) -> bool`, the layers to shard (default: every layer with
            weights); the others stay replicated (their gradients are all-reduced).
    """
    if runtime.is_sharded(model):
        return
    world = runtime.world_size()
    device = "cuda" if next(model.parameters()).is_cuda else "cpu"
    mesh = init_device_mesh(device, (world,))
    with_weights = [layer for layer in model._flatten_layers(include_self=False)
                    if any(p is not None for p in layer._parameters.values())]
    owners = [layer for layer in with_weights if select is None or select(layer)]
    replicated = {p for layer in with_weights if layer not in owners
                  for p in layer._parameters.values() if p is not None}
    before = {}
    for module in [*owners, model]:
        before[id(module)] = (module, type(module),
                              {k: p for k, p in module._parameters.items() if p is not None})
    for module in owners:
        fully_shard(module, mesh=mesh)
        module.register_forward_hook(_unshard_for_logits)
    fully_shard(model, mesh=mesh, ignored_params=replicated or None)
    model.register_forward_hook(_unshard_for_logits)
    weights, classes = [], {}
    for module, cls, params in before.values():
        classes[id(module)] = (module, cls, type(module))
        for attr, variable in params.items():
            param = module._parameters[attr]
            if not isinstance(param, DTensor):
                continue
            _copy_keras_attrs(variable, param)
            variable.data = param.to_local().detach()
            weights.append(_Sharded(module, attr, variable, param))
    model.__dict__["_fsdp_state"] = _State(weights, classes, mesh, {})


def _unshard_for_logits(module, args, output) -> None:
    """A crossentropy reads a softmax/sigmoid output's logits (`activations/logits.py`),
    whose gradient skips the output that FSDP hooks to gather the weights again for
    the backward pass: the logits get the same hook."""
    logits = getattr(output, "_keras_logits", None)
    if isinstance(logits, torch.Tensor) and logits.requires_grad:
        module._get_fsdp_state()._register_pre_backward_hook(logits)


def _copy_keras_attrs(variable, tensor) -> None:
    for name in _KERAS_ATTRS:
        if name in variable.__dict__:
            tensor.__dict__[name] = variable.__dict__[name]
    tensor.__dict__["name"] = variable.name
    tensor.__dict__["_keras_variable"] = variable


def trained_params(model, variables) -> tuple[list, list]:
    """What the optimizer updates for `variables`, and the gradient hooks to remove later.

    Sharded weights: their `DTensor` shards. Replicated ones (layers a `layout_map`
    leaves out): `Replicate` `DTensor` views of the same storage, so that the
    optimizer's fused kernels get one kind of tensor; a hook averages each
    replicated weight's gradient over the ranks and hands it to its view.
    """
    state = model.__dict__["_fsdp_state"]
    variables = [v.__dict__.get("_keras_variable", v) for v in variables]  # a later `fit`
    params = sharded_params(model, variables)
    hooks = []
    for i, (variable, param) in enumerate(zip(variables, params, strict=True)):
        if isinstance(param, DTensor):
            continue
        view = state.views.get(id(variable))
        if view is None:
            view = torch.nn.Parameter(DTensor.from_local(
                variable.detach(), state.mesh, [Replicate()], run_check=False))
            _copy_keras_attrs(variable, view)
            state.views[id(variable)] = view
        params[i] = view
        hooks.append(variable.register_post_accumulate_grad_hook(_averaged_into(view)))
    return params, hooks


def _averaged_into(view):
    world = runtime.world_size()

    def hook(variable):
        torch.distributed.all_reduce(variable.grad)
        view.grad = DTensor.from_local(variable.grad.div_(world), view.device_mesh,
                                       [Replicate()], run_check=False)
        variable.grad = None

    return hook


def sharded_params(model, variables) -> list:
    """The `DTensor` shards standing for `variables` (unsharded ones are kept as they are)."""
    state = model.__dict__["_fsdp_state"]
    by_variable = {id(w.variable): w.param for w in state.weights}
    return [by_variable.get(id(v), v) for v in variables]


class FullPenalty:
    """A regularizer of a sharded weight whose penalty comes back as a plain tensor
    (the sum over every rank's shard; its gradient flows back to each shard)."""

    def __init__(self, regularizer):
        self.regularizer = regularizer

    def __call__(self, weight):
        penalty = self.regularizer(weight)
        return penalty.full_tensor() if isinstance(penalty, DTensor) else penalty


def local_and_full_numel(model) -> tuple[int, int]:
    """Elements of the weights this rank holds, and of the whole model."""
    state = model.__dict__["_fsdp_state"]
    local = sum(w.param.to_local().numel() for w in state.weights)
    return local, sum(w.param.numel() for w in state.weights)


@contextlib.contextmanager
def gathered(model):
    """Inside the block, the model is a plain Keras model with its full weights on every rank.

    A collective (every rank enters it); a no-op for a model that is not sharded.
    The optimizer's sharded state reads back whole too (`optimizer.variables`).
    """
    state = model.__dict__.get("_fsdp_state")
    if state is None:
        yield model
        return
    optimizer_lists = _gather_lists(getattr(model, "optimizer", None))
    for w in state.weights:
        w.variable.data = w.param.full_tensor().detach()
        w.module._parameters[w.attr] = w.variable
    for module, cls, _ in state.classes.values():
        module.__class__ = cls
    try:
        yield model
    finally:
        for module, _, fsdp_cls in state.classes.values():
            module.__class__ = fsdp_cls
        for w in state.weights:
            w.module._parameters[w.attr] = w.param
            w.variable.data = w.param.to_local().detach()
        for owner, key, value in optimizer_lists:
            owner.__dict__[key] = value


def _gather_lists(optimizer) -> list:
    """Replaces the optimizer's lists of sharded tensors (its slots) by full copies;
    returns `(owner, attribute, original list)` to put back."""
    replaced = []
    for key, value in list(vars(optimizer).items()) if optimizer is not None else []:
        if isinstance(value, list) and any(isinstance(v, DTensor) for v in value):
            optimizer.__dict__[key] = [v.full_tensor().detach() if isinstance(v, DTensor)
                                       else v for v in value]
            replaced.append((optimizer, key, value))
    return replaced
