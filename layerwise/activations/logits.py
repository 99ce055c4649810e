"""The logits a softmax or sigmoid output remembers, for stable crossentropies.

`softmax(x)` and `sigmoid(x)` return probabilities that carry the tensor they
were computed from (`_keras_logits`, the attribute Keras uses), plus which
activation made them (`_keras_logits_kind`: `("softmax", axis)` or
`("sigmoid", None)`). A crossentropy given such probabilities computes from the
logits instead (`log_softmax`, `binary_cross_entropy_with_logits`): finite and
exact where the probabilities saturate to 0 or 1 in float32.

The kind is checked, so a sigmoid output fed to a categorical crossentropy (or
a softmax output over another axis) falls back to Keras' clipped formula
instead of using the wrong logits. An output that lost its kind (for example
one copied with only `_keras_logits`) also takes the clipped formula.

Example:

>>> import torch
>>> from layerwise.activations import softmax
>>> from layerwise.activations.logits import logits_of
>>> x = torch.tensor([[0.0, 100.0]])
>>> logits_of(softmax(x), "softmax", axis=-1) is x
True
>>> logits_of(softmax(x), "sigmoid") is None
True
"""

from __future__ import annotations

from collections.abc import Callable

import torch

_LOGITS = "_keras_logits"
_KIND = "_keras_logits_kind"


def remember_logits(output: torch.Tensor, logits: torch.Tensor, kind: str,
                    axis: int | None = None) -> torch.Tensor:
    """Marks `output` as `kind(logits)` (`"softmax"` over `axis`, or `"sigmoid"`).

    Args:
        output: The activation's output (probabilities).
        logits: Its input.
        kind: `"softmax"` or `"sigmoid"`.
        axis: The softmax axis (ignored for `"sigmoid"`).

    Returns:
        `output`, with the two attributes set.
    """
    if axis is not None and output.ndim:
        axis = axis % output.ndim
    try:
        setattr(output, _LOGITS, logits)
        setattr(output, _KIND, (kind, axis if kind == "softmax" else None))
    except (AttributeError, RuntimeError):  # Tensors that refuse attributes.
        pass
    return output


def logits_of(output, kind: str, axis: int | None = -1) -> torch.Tensor | None:
    """Returns the logits `output` was computed from by `kind`, or `None`.

    Args:
        output: A tensor, possibly produced by `softmax`/`sigmoid`.
        kind: The activation the caller needs (`"softmax"` or `"sigmoid"`).
        axis: For `"softmax"`, the class axis the caller reduces over.

    Returns:
        The logits when `output` is `kind(logits)` over `axis`, else `None`.
    """
    logits = getattr(output, _LOGITS, None)
    marker = getattr(output, _KIND, None)
    if logits is None or marker is None or marker[0] != kind:
        return None
    if not isinstance(logits, torch.Tensor) or logits.shape != output.shape:
        return None
    if kind == "softmax":
        if axis is None or marker[1] is None or not output.ndim:
            return None
        if axis % output.ndim != marker[1]:
            return None
    return logits


def copy_logits(destination: torch.Tensor, source, transform: Callable | None = None):
    """Makes `destination` remember the logits of `source` (after `transform`).

    Used when a probability tensor is cast, detached or moved: the copy keeps
    its stable crossentropy. `transform` (for example `torch.Tensor.detach`)
    is applied to the logits.

    Returns:
        `destination`.
    """
    logits = getattr(source, _LOGITS, None)
    marker = getattr(source, _KIND, None)
    if logits is None or marker is None or destination is source:
        return destination
    if transform is not None:
        logits = transform(logits)
    try:
        setattr(destination, _LOGITS, logits)
        setattr(destination, _KIND, marker)
    except (AttributeError, RuntimeError):
        pass
    return destination


def elementwise_copy(destination: torch.Tensor, source, transform: Callable) -> torch.Tensor:
    """Like `copy_logits`, for shape changes: only sigmoid logits follow them.

    A softmax depends on its axis, so a reshaped softmax output forgets its
    logits (and its crossentropy takes Keras' clipped formula).
    """
    marker = getattr(source, _KIND, None)
    if marker is None or marker[0] != "sigmoid":
        return destination
    return copy_logits(destination, source, transform)
