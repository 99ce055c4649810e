"""Shared arithmetic of the thresholded confusion-matrix metrics (Keras `metrics_utils`).

`update_confusion_matrix_variables` is the one accumulator behind
`TruePositives`/`FalsePositives`/..., `Precision`, `Recall`, `AUC` and the
`*At*` metrics: it adds, in place on the state's device, the (weighted) counts
of true/false positives/negatives at every threshold. The arithmetic, including
the bucketed fast path for evenly spaced thresholds, is Keras 3's.
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np
import torch

from layerwise.backend.config import epsilon
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics.metric import as_tensor

NEG_INF = -1e10


class ConfusionMatrix(Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


def _member_from_str(enum: type[Enum], key, spellings, message: str):
    """The member of `enum` that `key` spells (one of `spellings(member.value)`), else a
    `ValueError` with `message` (formatted with `key`)."""
    for member in enum:
        if key in spellings(member.value):
            return member
    raise ValueError(message.format(key=key))


class AUCCurve(Enum):
    """Type of AUC curve: `ROC`, `PR` or `PRGAIN`."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key):
        return _member_from_str(
            AUCCurve, key, lambda value: (value.lower(), value),
            'Invalid AUC curve value: "{key}". Expected values are ["PR", "ROC", "PRGAIN"]')


class AUCSummationMethod(Enum):
    """Riemann summation of the AUC: `interpolation`, `majoring` or `minoring`."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        return _member_from_str(
            AUCSummationMethod, key, lambda value: (value, value.capitalize()),
            'Invalid AUC summation method value: "{key}". '
            'Expected values are ["interpolation", "majoring", "minoring"]')


def to_list(x) -> list:
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def assert_thresholds_range(thresholds) -> None:
    if thresholds is not None:
        invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")


def parse_init_thresholds(thresholds, default_threshold=0.5) -> list:
    if thresholds is not None:
        assert_thresholds_range(to_list(thresholds))
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """Whether `thresholds` are `[0, 1/(n-1), ..., 1]` (then the bucketed path is used)."""
    num_thresholds = len(thresholds)
    if num_thresholds < 3:
        return False
    even = np.arange(num_thresholds, dtype=np.float32) / (num_thresholds - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


def filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    """Keeps the top-`k` values of the last axis and sets the others to `NEG_INF`."""
    _, top_k_idx = torch.topk(x, k)
    mask = torch.zeros_like(x).scatter_(-1, top_k_idx, 1.0)
    return x * mask + NEG_INF * (1 - mask)


def _segment_sum(data: torch.Tensor, segment_ids: torch.Tensor, num_segments: int):
    """Sums `data` (..., n) into `num_segments` buckets along the last axis; ids out of range drop."""
    ids = torch.where(segment_ids >= 0, segment_ids, num_segments)
    ids = torch.where(ids < num_segments, ids, num_segments)
    shape = tuple(data.shape[:-1]) + (num_segments + 1,)
    out = torch.zeros(shape, dtype=data.dtype, device=data.device)
    out.scatter_add_(-1, ids, data)
    return out[..., :-1]


def _bucket_weights(y_true, y_pred, multi_label, sample_weights, label_weights):
    """The product of the sample and label weights, flattened unless `multi_label`
    (the number `1.0` when neither is given)."""
    if sample_weights is None:
        sample_weights = 1.0
    else:
        sample_weights = torch.broadcast_to(sample_weights.to(y_pred.dtype), y_pred.shape)
        if not multi_label:
            sample_weights = sample_weights.reshape(-1)
    if label_weights is None:
        label_weights = 1.0
    else:
        label_weights = torch.broadcast_to(label_weights.unsqueeze(0), y_pred.shape)
        if not multi_label:
            label_weights = label_weights.reshape(-1)
    weights = sample_weights * label_weights
    if isinstance(weights, torch.Tensor):
        weights = weights.to(y_true.dtype)
    return weights


def _counts_above(labels, bucket_indices, num_thresholds: int, multi_label: bool):
    """The weighted count of `labels` at each threshold: a reverse cumulative sum of the
    per-bucket sums (`labels` and `bucket_indices` transposed for `multi_label`)."""
    buckets = _segment_sum(labels, bucket_indices, num_thresholds)
    if multi_label:
        return torch.flip(torch.cumsum(torch.flip(buckets, [0, 1]), dim=1), [0, 1]).T
    return torch.flip(torch.cumsum(torch.flip(buckets, [0]), dim=0), [0])


def _update_optimized(variables, y_true, y_pred, num_thresholds, multi_label, sample_weights,
                      label_weights, thresholds_with_epsilon):
    """The O(T + N) path for evenly spaced thresholds: bucket, then reverse cumulative sum."""
    weights = _bucket_weights(y_true, y_pred, multi_label, sample_weights, label_weights)
    y_pred = torch.clip(y_pred, 0.0, 1.0)
    y_true = y_true.bool().to(y_true.dtype)
    if not multi_label:
        y_true = y_true.reshape(-1)
        y_pred = y_pred.reshape(-1)

    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights

    # `num_thresholds - 1` is exact in float32: the same product as Keras' tensor arithmetic,
    # without creating a device tensor from a host value (a synchronising copy on CUDA).
    bucket_indices = torch.ceil(y_pred * float(num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        bucket_indices = torch.relu(bucket_indices)
    bucket_indices = bucket_indices.to(torch.int64)

    if multi_label:
        true_labels = true_labels.T
        false_labels = false_labels.T
        bucket_indices = bucket_indices.T
    tp = _counts_above(true_labels, bucket_indices, num_thresholds, multi_label)
    fp = _counts_above(false_labels, bucket_indices, num_thresholds, multi_label)

    if ConfusionMatrix.TRUE_NEGATIVES in variables or ConfusionMatrix.FALSE_NEGATIVES in variables:
        if multi_label:
            total_true_labels = torch.sum(true_labels, dim=1)
            total_false_labels = torch.sum(false_labels, dim=1)
        else:
            total_true_labels = torch.sum(true_labels)
            total_false_labels = torch.sum(false_labels)

    if ConfusionMatrix.TRUE_POSITIVES in variables:
        variables[ConfusionMatrix.TRUE_POSITIVES].add_(tp)
    if ConfusionMatrix.FALSE_POSITIVES in variables:
        variables[ConfusionMatrix.FALSE_POSITIVES].add_(fp)
    if ConfusionMatrix.TRUE_NEGATIVES in variables:
        variables[ConfusionMatrix.TRUE_NEGATIVES].add_(total_false_labels - fp)
    if ConfusionMatrix.FALSE_NEGATIVES in variables:
        variables[ConfusionMatrix.FALSE_NEGATIVES].add_(total_true_labels - tp)


@torch.no_grad()
def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False,
                                      label_weights=None, thresholds_distributed_evenly=False,
                                      thresholds_with_epsilon=None):
    """Adds the weighted TP/FP/TN/FN counts at each threshold to `variables`, in place.

    A prediction is positive at threshold `t` when `y_pred > t`.

    Args:
        variables: Dict from `ConfusionMatrix` members to state tensors of shape
            `(num_thresholds,)` (or `(num_thresholds, num_labels)` with
            `multi_label=True`), updated in place.
        y_true: Labels, cast to `bool`.
        y_pred: Predictions in `[0, 1]`.
        thresholds: Python list / NumPy array / tensor of thresholds.
        top_k: Only the top-`k` predictions of the last axis count as positive.
        class_id: Only this class (index of the last axis) is counted.
        sample_weight: Weights broadcastable to `y_true` (rank 0 or same rank).
        multi_label: Keep the last axis as separate labels instead of flattening.
        label_weights: Per-label weights, applied when flattening (not `multi_label`).
        thresholds_distributed_evenly: Use the bucketed O(T + N) path.
        thresholds_with_epsilon: Whether the end thresholds lie outside `[0, 1]`
            (computed from `thresholds` when `None`).
    """
    _check_variables(variables, multi_label, label_weights)
    if not variables:
        return
    first = next(iter(variables.values()))
    dtype, device = first.dtype, first.device
    if thresholds_distributed_evenly and thresholds_with_epsilon is None:
        thresholds_with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    if isinstance(thresholds, torch.Tensor):
        thresholds = thresholds.to(dtype=dtype, device=device)
    else:
        thresholds = torch.as_tensor(np.asarray(thresholds, dtype=np.float64)).to(
            dtype=dtype, device=device)
    y_true, y_pred, sample_weight, label_weights = _prepare_inputs(
        y_true, y_pred, sample_weight, label_weights, top_k, class_id, dtype, device)
    if thresholds_distributed_evenly:
        return _update_optimized(variables, y_true, y_pred, thresholds.shape[0], multi_label,
                                 sample_weight, label_weights, thresholds_with_epsilon)
    _update_exact(variables, y_true, y_pred, thresholds, multi_label, sample_weight,
                  label_weights)


def _check_variables(variables, multi_label, label_weights) -> None:
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`update_confusion_matrix_variables` when `multi_label` is True."
        )
    invalid = [k for k in variables if not isinstance(k, ConfusionMatrix)]
    if invalid:
        raise ValueError(
            f'Invalid keys: "{invalid}". Valid variable key options are: '
            f'"{list(ConfusionMatrix)}"'
        )


def _prepare_inputs(y_true, y_pred, sample_weight, label_weights, top_k, class_id, dtype,
                    device):
    """Tensors of the state's dtype and device, of the same rank, `top_k` and `class_id`
    applied: `(y_true, y_pred, sample_weight, label_weights)`."""
    y_true = as_tensor(y_true, dtype=dtype, device=device)
    y_pred = as_tensor(y_pred, dtype=dtype, device=device)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype=dtype, device=device).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if label_weights is not None:
        label_weights = as_tensor(label_weights, dtype=dtype, device=device)

    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)

    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    return y_true, y_pred, sample_weight, label_weights


def _update_exact(variables, y_true, y_pred, thresholds, multi_label, sample_weight,
                  label_weights) -> None:
    """The O(T * N) path: compares every prediction with every threshold."""
    num_thresholds = thresholds.shape[0]
    num_labels = 1 if y_pred.ndim == 1 else math.prod(y_pred.shape[1:])
    if multi_label:
        preds = y_pred.unsqueeze(0)
        labels = y_true.bool().unsqueeze(0)
        thresh = thresholds.reshape((num_thresholds,) + (1,) * y_pred.ndim)
        weight_shape = (1,) + tuple(y_pred.shape)
    else:
        preds = y_pred.reshape(1, -1)
        labels = y_true.bool().reshape(1, -1)
        thresh = thresholds.reshape(num_thresholds, 1)
        weight_shape = (1, y_pred.shape[0] * num_labels if y_pred.ndim else 1)

    pred_is_pos = preds > thresh
    label_is_pos = labels

    weights = None
    if sample_weight is not None:
        weights = torch.broadcast_to(sample_weight.to(y_pred.dtype), y_pred.shape)
        weights = weights.reshape(weight_shape)
    if label_weights is not None and not multi_label:
        lw = torch.broadcast_to(label_weights.unsqueeze(0), y_pred.shape).reshape(weight_shape)
        weights = lw if weights is None else weights * lw

    def weighted_add(label, pred, var):
        label_and_pred = torch.logical_and(label, pred)
        if weights is not None:
            result = torch.where(label_and_pred, weights.to(var.dtype),
                                 torch.zeros((), dtype=var.dtype, device=var.device))
        else:
            result = label_and_pred.to(var.dtype)
        var.add_(torch.sum(result, dim=1))

    conditions = {ConfusionMatrix.TRUE_POSITIVES: (label_is_pos, pred_is_pos)}
    update_tn = ConfusionMatrix.TRUE_NEGATIVES in variables
    update_fp = ConfusionMatrix.FALSE_POSITIVES in variables
    update_fn = ConfusionMatrix.FALSE_NEGATIVES in variables
    if update_fn or update_tn:
        pred_is_neg = torch.logical_not(pred_is_pos)
        conditions[ConfusionMatrix.FALSE_NEGATIVES] = (label_is_pos, pred_is_neg)
    if update_fp or update_tn:
        label_is_neg = torch.logical_not(label_is_pos)
        conditions[ConfusionMatrix.FALSE_POSITIVES] = (label_is_neg, pred_is_pos)
        if update_tn:
            conditions[ConfusionMatrix.TRUE_NEGATIVES] = (label_is_neg, pred_is_neg)
    for cond, (label, pred) in conditions.items():
        if cond in variables:
            weighted_add(label, pred, variables[cond])




def confusion_matrix(labels, predictions, num_classes: int, weights=None, dtype="int32"):
    """The `(num_classes, num_classes)` matrix of label (rows) vs prediction (columns) counts."""
    labels = as_tensor(labels, dtype=dtype)
    predictions = as_tensor(predictions, dtype=dtype, device=labels.device)
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    if weights is None:
        values = torch.ones_like(predictions)
    else:
        values = as_tensor(weights, dtype=dtype, device=labels.device)
    values = torch.broadcast_to(values, predictions.shape)
    cm = torch.zeros((int(num_classes), int(num_classes)), dtype=values.dtype,
                     device=labels.device)
    cm.index_put_((labels.to(torch.int64).reshape(-1), predictions.to(torch.int64).reshape(-1)),
                  values.reshape(-1), accumulate=True)
    return cm
