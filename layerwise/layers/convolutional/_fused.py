"""Inference-only fused convolution: conv + bias + ReLU in one oneDNN kernel.

Outside autograd (`predict`, `evaluate`, `torch.no_grad()`, or a training step
through frozen layers whose input needs no gradient, such as the base of a
fine-tuned network below its first trainable layer), a 2D (or lifted 1D)
float32 CPU convolution whose activation is ReLU runs as one oneDNN primitive with
a ReLU post-op (`torch.ops.mkldnn._convolution_pointwise`), instead of the conv
followed by a separate `relu` pass that reads and writes the whole activation
again. The convolution is the same oneDNN kernel `F.conv2d` dispatches to for
channels-last float32 CPU inputs, so outputs are bit-identical (checked by
`tests/layers/test_conv_fused_inference.py`); ReLU itself is exact.

Measured on the W5 CNN of `benchmarks/` (1 thread, CPU time, 256 images):
the 1 -> 32 channel 3x3 conv + ReLU 8.0-11.4 ms -> 5.0-6.3 ms; 32 -> 64: 20-23 ms ->
18-19.5 ms. A convolution that autograd records (its input, kernel or bias needs a
gradient) always takes the unfused path: oneDNN's fused primitive has no backward.
"""

from __future__ import annotations

import torch

from layerwise import activations as activations_module
from layerwise.backend import foreach

_POINTWISE = getattr(getattr(torch.ops, "mkldnn", None), "_convolution_pointwise", None)
_AVAILABLE = _POINTWISE is not None and torch.backends.mkldnn.is_available()


def fusable_activation(activation) -> str | None:
    """The oneDNN post-op name for `activation`, or `None` when it is not fused."""
    if activation is activations_module.relu:
        return "relu"
    return None


def needs_grad(inputs: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None) -> bool:
    """Whether autograd would record a convolution of these tensors, in reverse mode or
    in forward mode (a dual level is open: `torch.func.jvp`, `forward_ad.dual_level`;
    `no_grad` does not stop forward mode, and the fused kernel has no tangent rule)."""
    if foreach.forward_mode_active():
        return True
    return torch.is_grad_enabled() and (
        inputs.requires_grad or kernel.requires_grad
        or (bias is not None and bias.requires_grad))


def plain_eager() -> bool:
    """Whether torch runs this eagerly: not while `torch.jit.trace` (the ONNX exporter),
    `torch.export` or `torch.compile` records it, so that a traced or exported graph
    keeps the plain convolution."""
    return not (torch.jit.is_tracing() or torch.compiler.is_compiling())


def can_fuse(inputs: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None,
             post_op: str | None) -> bool:
    """Whether this call may take the fused inference kernel."""
    return (
        post_op is not None
        and _AVAILABLE
        and not needs_grad(inputs, kernel, bias)
        and plain_eager()
        and inputs.device.type == "cpu"
        and inputs.dtype == torch.float32
        and kernel.dtype == torch.float32
        and inputs.ndim == 4
        and inputs.is_contiguous(memory_format=torch.channels_last)
    )


def conv2d_pointwise(inputs, weight, bias, strides, padding, dilation, groups: int,
                     post_op: str) -> torch.Tensor:
    """`post_op(conv2d(inputs, weight, bias))` as one oneDNN primitive (NCHW-shaped, channels_last)."""
    if isinstance(padding, int):
        padding = (padding, padding)
    return _POINTWISE(inputs, weight, bias, list(padding), list(strides), list(dilation),
                      groups, post_op, [None], "")
