"""Intersection-over-union metrics for segmentation, from an accumulated confusion matrix.

The state is a `(num_classes, num_classes)` confusion matrix of dtype
`int32` by default (as in Keras: float sample weights are truncated to
integers unless `dtype` is a float type).
"""

from __future__ import annotations

import warnings

import torch

from layerwise.backend.config import epsilon
from layerwise.metrics.metric import Metric, _detach, as_tensor
from layerwise.metrics.metrics_utils import confusion_matrix


class _IoUBase(Metric):
    """Accumulates the confusion matrix shared by the IoU metrics; a subclass lists the
    attributes its config holds, in Keras' order, as `_config_keys`."""

    _config_keys: tuple[str, ...]

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(name=name, dtype=dtype or "int")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.add_variable(shape=(num_classes, num_classes), dtype=self.dtype,
                          name="total_cm")

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the confusion matrix.

        Args:
            y_true: Class ids (or one-hot with `sparse_y_true=False`).
            y_pred: Class ids (or scores with `sparse_y_pred=False`).
            sample_weight: Optional weights, broadcastable to the flattened labels.
        """
        device = self._input_device(y_pred, y_true)
        self._follow(device)
        y_true = as_tensor(_detach(y_true), device=device)
        y_pred = as_tensor(_detach(y_pred), device=device)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        dtype = self.torch_dtype
        y_true = y_true.to(dtype)
        y_pred = y_pred.to(dtype)
        if y_pred.ndim > 1:
            y_pred = y_pred.reshape(-1)
        if y_true.ndim > 1:
            y_true = y_true.reshape(-1)
        if sample_weight is None:
            sample_weight = 1
        elif (hasattr(sample_weight, "dtype") and "float" in str(sample_weight.dtype)
              and not dtype.is_floating_point):
            warnings.warn(
                "You are passing weight as `float`, but dtype is `int`. This may result in "
                "an incorrect weight due to type casting Consider using integer weights.",
                stacklevel=2,
            )
        sample_weight = as_tensor(_detach(sample_weight), dtype=dtype, device=device)
        if sample_weight.ndim > 1:
            sample_weight = sample_weight.reshape(-1)
        sample_weight = torch.broadcast_to(sample_weight, y_true.shape)

        num_cls = self.num_classes
        bounds_mask = torch.logical_and(
            torch.logical_and(y_true >= 0, y_true < num_cls),
            torch.logical_and(y_pred >= 0, y_pred < num_cls),
        )
        if self.ignore_class is not None:
            bounds_mask = torch.logical_and(bounds_mask, y_true != self.ignore_class)
        zero = torch.zeros((), dtype=dtype, device=device)
        y_true = torch.where(bounds_mask, y_true, zero)
        y_pred = torch.where(bounds_mask, y_pred, zero)
        sample_weight = torch.where(bounds_mask, sample_weight, zero)
        current_cm = confusion_matrix(y_true, y_pred, self.num_classes, weights=sample_weight,
                                      dtype=dtype)
        self.total_cm.add_(current_cm)

    def get_config(self) -> dict:
        return {key: getattr(self, key) for key in self._config_keys}


class IoU(_IoUBase):
    """Intersection-over-union `TP / (TP + FP + FN)`, averaged over `target_class_ids`.

    Args:
        num_classes: Number of classes.
        target_class_ids: Classes whose IoU is averaged.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (default `int32`).
        ignore_class: Optional class id that is not counted.
        sparse_y_true: Whether labels are class ids (else one-hot, argmax'ed).
        sparse_y_pred: Whether predictions are class ids (else scores, argmax'ed).
        axis: The class axis of one-hot inputs.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    _config_keys = ("name", "dtype", "num_classes", "target_class_ids", "ignore_class",
                    "sparse_y_true", "sparse_y_pred", "axis")

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis,
                         dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is "
                f"[0, {num_classes})."
            )
        self.target_class_ids = list(target_class_ids)
        self._target_ids = torch.as_tensor(self.target_class_ids, dtype=torch.int64)

    def result(self) -> torch.Tensor:
        cm = self.total_cm.detach()
        dtype = self.torch_dtype
        sum_over_row = torch.sum(cm, dim=0).to(dtype)
        sum_over_col = torch.sum(cm, dim=1).to(dtype)
        true_positives = torch.diagonal(cm).to(dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        ids = self._target_ids.to(cm.device)
        true_positives = torch.take_along_dim(true_positives, ids, dim=-1).to(torch.float32)
        denominator = torch.take_along_dim(denominator, ids, dim=-1).to(torch.float32)
        valid_entries = (denominator > 1e-9).to(torch.float32)
        num_valid_entries = torch.sum(valid_entries)
        iou = true_positives / (denominator + epsilon())
        iou = torch.where(valid_entries.bool(), iou, torch.zeros_like(iou))
        return torch.sum(iou, dim=self.axis) / (num_valid_entries + epsilon())


class BinaryIoU(IoU):
    """IoU of binary predictions thresholded at `threshold` (`y_pred >= threshold` is 1).

    Args:
        target_class_ids: Classes (0 and/or 1) whose IoU is averaged.
        threshold: Predictions at or above it count as class 1.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (default `int32`).

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    >>> round(float(m.result()), 4)
    0.3333
    """

    _config_keys = ("target_class_ids", "threshold", "name", "dtype")

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Thresholds `y_pred`, then accumulates the 2x2 confusion matrix."""
        device = self._input_device(y_pred, y_true)
        y_true = as_tensor(_detach(y_true), dtype=self.dtype, device=device)
        y_pred = as_tensor(_detach(y_pred), dtype="float32", device=device)
        y_pred = (y_pred >= self.threshold).to(self.torch_dtype)
        super().update_state(y_true, y_pred, sample_weight)


class MeanIoU(IoU):
    """IoU averaged over all classes.

    Args:
        num_classes: Number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (default `int32`).
        ignore_class: Optional class id that is not counted.
        sparse_y_true: Whether labels are class ids (else one-hot).
        sparse_y_pred: Whether predictions are class ids (else scores).
        axis: The class axis of one-hot inputs.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    _config_keys = ("num_classes", "name", "dtype", "ignore_class", "sparse_y_true",
                    "sparse_y_pred", "axis")

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(name=name, num_classes=num_classes,
                         target_class_ids=list(range(num_classes)), axis=axis, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)


class OneHotIoU(IoU):
    """`IoU` for one-hot labels (and, by default, per-class scores as predictions).

    Args:
        num_classes: Number of classes.
        target_class_ids: Classes whose IoU is averaged.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (default `int32`).
        ignore_class: Optional class id that is not counted.
        sparse_y_pred: Whether predictions are class ids (default: scores).
        axis: The class axis.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1667
    """

    _config_keys = ("num_classes", "target_class_ids", "name", "dtype", "ignore_class",
                    "sparse_y_pred", "axis")

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels (and, by default, per-class scores as predictions).

    Args:
        num_classes: Number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (default `int32`).
        ignore_class: Optional class id that is not counted.
        sparse_y_pred: Whether predictions are class ids (default: scores).
        axis: The class axis.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.OneHotMeanIoU(num_classes=3)
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1111
    """

    _config_keys = ("num_classes", "name", "dtype", "ignore_class", "sparse_y_pred", "axis")

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred)
