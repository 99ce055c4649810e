"""`fit` with plain SGD: Dense kernels updated by one GEMM each, gradients never written.

`attach(model)` decides once per `fit` whether the built-in train step may use
the kernel-product path of `layers/kernel_grad_sink.py`, and if so gives every
eligible Dense layer one shared `KernelGradSink`; `detach(model)` removes it when
`fit` ends. The path is taken only when it is the same update rule as the
optimizer's own `step_from_grads`:

- the optimizer is `SGD` itself (not a subclass or a wrapper such as
  `LossScaleOptimizer`) with `supports_kernel_products()` (plain or momentum
  SGD; no Nesterov, clipping, weight decay, EMA, accumulation, loss scaling);
- the model trains on the CPU through the built-in train step, in one process,
  without `jit_compile`, every layer computing in float32;
- a Dense layer takes part when its kernel is float32, among the weights
  captured at `compile` (frozen layers keep the ordinary path), and has at least
  `MIN_KERNEL_ELEMENTS` entries.

The size floor: the path saves passes over kernel-sized memory but costs a Python
`autograd.Function` per layer and step. Measured with `fit` on 2 cores (MLP
784-N-10, batch 128, plain SGD, interleaved epochs): N=128 (100k entries) is
7-13% slower with the path, N=256 (200k) level, N=512 (401k) 8% faster; W2's
3072x1000 and 1000x500 kernels gain, its 500x100 one does not.

Results equal the ordinary path up to float32 rounding (one fused multiply-add
instead of a rounded gradient then an update): `tests/trainers/test_kernel_sgd.py`
compares weights after several epochs for every input kind.
"""

from __future__ import annotations

import torch

from layerwise.layers.core import Dense
from layerwise.layers.kernel_grad_sink import KernelGradSink
from layerwise.optimizers.sgd import SGD

# Smallest Dense kernel (entries; 1 MiB of float32) that takes the kernel-product path.
MIN_KERNEL_ELEMENTS = 262_144


def eligible_layers(model) -> list:
    """The Dense layers whose kernels may take the kernel-product path (may be empty)."""
    optimizer = model.optimizer
    if type(optimizer) is not SGD or not optimizer.supports_kernel_products():
        return []
    if (model._uses_custom_step("train") or model._jit_forward is not None
            or model._distributed or model._device().type != "cpu"):
        return []
    layers = list(model._flatten_layers(include_self=False))
    if any(getattr(layer, "compute_dtype", "float32") != "float32" for layer in layers):
        return []
    captured = {id(w) for w in model._trainable_params or ()}
    return [layer for layer in layers
            if isinstance(layer, Dense) and layer.built and id(layer.kernel) in captured
            and layer.kernel.dtype == torch.float32
            and layer.kernel.numel() >= MIN_KERNEL_ELEMENTS]


def attach(model) -> KernelGradSink | None:
    """Gives the eligible Dense layers one sink; returns it (`None`: ordinary path)."""
    layers = eligible_layers(model)
    if not layers:
        return None
    sink = KernelGradSink()
    for layer in layers:
        layer._kernel_grad_sink = sink
    model._kernel_grad_sink = sink
    return sink


def detach(model) -> None:
    """Removes the sink `attach` gave (no-op when none)."""
    if model._kernel_grad_sink is None:
        return
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, Dense):
            layer._kernel_grad_sink = None
    model._kernel_grad_sink = None


def step(optimizer, sink: KernelGradSink) -> None:
    """The optimizer step of a train step that ran with `sink` attached."""
    assert isinstance(optimizer, SGD)  # `attach` checked it
    optimizer.step_with_kernel_products(sink.take())
