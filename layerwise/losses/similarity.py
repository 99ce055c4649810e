"""Metric-learning losses: Circle loss on L2-normalized embeddings."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.losses._utils import as_pred
from layerwise.losses.loss import LossFunctionWrapper, set_mask


def build_pos_neg_masks(query_labels, key_labels, remove_diagonal: bool = True):
    """Masks of the pairs with the same label (positive) and a different one (negative)."""
    if query_labels.ndim == 1:
        query_labels = query_labels.reshape(-1, 1)
    if key_labels.ndim == 1:
        key_labels = key_labels.reshape(-1, 1)
    positive_mask = torch.eq(query_labels, key_labels.T)
    negative_mask = torch.logical_not(positive_mask)
    if remove_diagonal:
        eye = torch.eye(query_labels.numel(), key_labels.numel(), dtype=torch.bool,
                        device=positive_mask.device)
        positive_mask = torch.logical_and(positive_mask, ~eye)
    return positive_mask, negative_mask


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss (Sun et al., 2020): pulls same-label embeddings together, pushes others apart.

    Args:
        y_true: Integer labels, shape `(batch,)`.
        y_pred: L2-normalized embeddings, shape `(batch, dim)`.
        ref_labels: Labels of the reference embeddings (default `y_true`).
        ref_embeddings: Reference embeddings (default `y_pred`).
        remove_diagonal: Whether self-similarities leave the positive pairs.
        gamma: Scale of the similarity scores.
        margin: Relaxation margin.

    Returns:
        One value per sample; samples with a zero loss are masked out of the mean.

    Example:

    >>> import torch, layerwise as keras
    >>> emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    >>> tuple(keras.losses.circle(torch.tensor([0, 0, 1]), emb).shape)
    (3,)
    """
    y_pred = as_pred(y_pred)
    y_true = torch.as_tensor(y_true).to(device=y_pred.device, dtype=torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else torch.as_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else torch.as_tensor(ref_labels).to(torch.int32)
    optim_pos, optim_neg = margin, 1 + margin
    delta_pos, delta_neg = margin, 1 - margin
    distances = 1 - torch.matmul(y_pred, ref_embeddings.T)
    distances = torch.clamp_min(distances, 0.0)
    positive_mask, negative_mask = build_pos_neg_masks(y_true, ref_labels, remove_diagonal)
    positive = positive_mask.to(distances.dtype)
    negative = negative_mask.to(distances.dtype)
    pos_weights = torch.clamp_min((optim_pos + distances) * positive, 0.0)
    neg_weights = torch.clamp_min((optim_neg - distances) * negative, 0.0)
    pos_wdists = -1 * gamma * pos_weights * (delta_pos - distances)
    neg_wdists = gamma * neg_weights * (delta_neg - distances)
    minus_inf = torch.tensor(float("-inf"), dtype=distances.dtype, device=distances.device)
    p_loss = torch.logsumexp(torch.where(positive.bool(), pos_wdists, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative.bool(), neg_wdists, minus_inf), dim=1)
    loss = F.softplus(p_loss + n_loss)
    set_mask(loss, loss > 0)
    return loss


class Circle(LossFunctionWrapper):
    """Circle loss. See `circle`.

    Args:
        gamma: Scale of the similarity scores (default 80).
        margin: Relaxation margin (default 0.4).
        remove_diagonal: Whether self-similarities leave the positive pairs.
        reduction, name, dtype: See `Loss`.

    Example:

    >>> import torch, layerwise as keras
    >>> emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    >>> bool(keras.losses.Circle()(torch.tensor([0, 0, 1]), emb) >= 0)
    True
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal
