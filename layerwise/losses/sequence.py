"""Sequence losses: CTC (Connectionist Temporal Classification)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.losses._utils import as_pred
from layerwise.losses.loss import FunctionLoss


def ctc(y_true, y_pred) -> torch.Tensor:
    """CTC loss between label sequences and per-step class logits.

    Args:
        y_true: Integer labels, shape `(batch, max_label_length)`; 0 is the
            blank/padding index and is not a class.
        y_pred: Logits (not softmax outputs), shape `(batch, steps, classes)`.

    Returns:
        One value per sequence, shape `(batch,)` (`inf` when no alignment exists).

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.ctc(torch.tensor([[1, 2]]), torch.zeros(1, 4, 3))
    >>> tuple(loss.shape)
    (1,)
    """
    y_pred = as_pred(y_pred)
    if not isinstance(y_true, torch.Tensor):
        y_true = torch.as_tensor(y_true)
    if y_true.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
            f"in integer format. Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape "
            f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    mask_index = 0
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    y_true = y_true.to(y_pred.device)
    input_length = torch.full((batch,), steps, dtype=torch.int32, device=y_pred.device)
    label_length = torch.sum(y_true != mask_index, dim=-1).to(torch.int32)
    log_probs = torch.log_softmax(torch.transpose(y_pred, 1, 0), dim=-1)
    return F.ctc_loss(log_probs, y_true.long(), input_length, label_length, blank=mask_index,
                      reduction="none")


class CTC(FunctionLoss):
    """CTC loss. See `ctc`.

    Args:
        reduction, name, dtype: See `Loss`.

    Example:

    >>> import torch, layerwise as keras
    >>> loss = keras.losses.CTC()(torch.tensor([[1, 2]]), torch.zeros(1, 4, 3))
    >>> bool(loss > 0)
    True
    """

    function, default_name = staticmethod(ctc), "ctc"
