"""Gradient clipping, as Keras' `BaseOptimizer._clip_gradients`: `clipnorm` (each
gradient), else `global_clipnorm` (all together), else `clipvalue` (each entry).

Multi-tensor kernels over all gradients; nothing is read back to the host.
"""

from __future__ import annotations

import torch

from layerwise.backend import foreach


def clip_gradients(grads: list[torch.Tensor], clipnorm: float | None,
                   global_clipnorm: float | None,
                   clipvalue: float | None) -> list[torch.Tensor]:
    """The clipped gradients (new tensors), or `grads` itself when no clipping is set."""
    if clipnorm and clipnorm > 0:
        # Keras: g * clipnorm / max(||g||, clipnorm), per gradient.
        norms = [torch.sqrt(torch.sum(torch.square(g))) for g in grads]
        return foreach.div(foreach.mul(grads, clipnorm), foreach.clamp_min(norms, clipnorm))
    if global_clipnorm and global_clipnorm > 0:
        clip = global_clipnorm
        norm = torch.sqrt(torch.sum(torch.stack([torch.sum(torch.square(g)) for g in grads])))
        scale = torch.clamp(1.0 / norm, max=1.0 / clip) * clip + (norm - norm)
        return foreach.mul(grads, scale)
    if clipvalue and clipvalue > 0:
        clipped = foreach.clamp_min(grads, -clipvalue)
        foreach.clamp_max_(clipped, clipvalue)
        return clipped
    return grads
