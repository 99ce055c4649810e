"""Dense kernels whose gradient is never written out: SGD applies `x.T @ g` in place.

Plain SGD changes a Dense kernel by `-lr * x.T @ g`. Computing the gradient
`x.T @ g` into its own buffer and then running the update reads and writes the
kernel-sized memory three more times; for W2 of `benchmarks/` (a 3072 x 1000
kernel, batch 32) that traffic, not the arithmetic, is most of the step. With a
sink attached by the trainer (`trainers/kernel_sgd.py`), a Dense layer's 2-D
forward records `(kernel, x, g)` in the backward pass instead of producing the
kernel's gradient, and the optimizer then runs one GEMM per kernel,
`kernel.addmm_(x.T, g, alpha=-lr)` (or into the momentum buffer), after the whole
backward pass: every gradient still comes from the pre-update weights, exactly as
in Keras. The input and bias gradients are the ones `torch.addmm`'s own backward
computes.

Only `fit`'s built-in train step attaches a sink, and only while a batch trains
(`KernelGradSink.active`); everything else (custom loops, `train_step` overrides,
`evaluate`, `predict`) takes the ordinary path.
"""

from __future__ import annotations

import torch


class KernelGradSink:
    """Collects `(kernel, x, grad_output)` triples of one training step."""

    __slots__ = ("active", "pending")

    def __init__(self) -> None:
        self.active = False
        self.pending: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []

    def take(self) -> list:
        """Returns and forgets the triples collected since the last call."""
        pending, self.pending = self.pending, []
        return pending


class _SinkedLinear(torch.autograd.Function):
    """`x @ kernel + bias` whose backward hands the kernel's product to a sink."""

    @staticmethod
    def forward(ctx, x, kernel, bias, sink):
        ctx.save_for_backward(x, kernel)
        ctx.sink = sink
        ctx.has_bias = bias is not None
        return torch.addmm(bias, x, kernel) if bias is not None else torch.mm(x, kernel)

    @staticmethod
    def backward(ctx, grad):
        x, kernel = ctx.saved_tensors
        grad_x = grad.mm(kernel.t()) if ctx.needs_input_grad[0] else None
        grad_bias = grad.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        if ctx.needs_input_grad[1]:
            ctx.sink.pending.append((kernel, x, grad))
        return grad_x, None, grad_bias, None


def sinked_linear(x: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None,
                  sink: KernelGradSink) -> torch.Tensor:
    """`x @ kernel (+ bias)` for 2-D `x`, the kernel's gradient product going to `sink`."""
    return _SinkedLinear.apply(x, kernel, bias, sink)
