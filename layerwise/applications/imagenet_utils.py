"""ImageNet input preprocessing, as `keras.applications.imagenet_utils`."""

from __future__ import annotations

import numpy as np
import torch

from layerwise import ops
from layerwise.backend.config import standardize_data_format
from layerwise.backend.keras_tensor import KerasTensor

_MEAN_RGB = np.array([0.485, 0.456, 0.406])
_STD_RGB = np.array([0.229, 0.224, 0.225])
_CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68])


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of RGB images with values in [0, 255].

    Args:
        x: Array of images, channels last (default) or first.
        data_format: `"channels_last"` or `"channels_first"` (default: global setting).
        mode: `"caffe"` (RGB to BGR, subtract the ImageNet mean), `"tf"` (scale to
            [-1, 1]) or `"torch"` (scale to [0, 1], normalize by ImageNet mean and std).

    Returns:
        Preprocessed float array.

    Example:

    >>> import numpy as np
import torch
    >>> from layerwise.applications.imagenet_utils import preprocess_input
    >>> preprocess_input(np.full((1, 1, 1, 3), 255.0), mode="tf")
    array([[[[1., 1., 1.]]]])
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"`mode` must be 'caffe', 'tf' or 'torch'. Received: mode={mode!r}")
    data_format = standardize_data_format(data_format)
    if isinstance(x, (KerasTensor, torch.Tensor)):
        return _preprocess_tensor(x, data_format, mode)
    x = np.array(x, dtype="float32" if np.asarray(x).dtype != np.float64 else "float64")
    axis = -1 if data_format == "channels_last" else (1 if x.ndim == 4 else 0)
    if mode == "tf":
        return x / 127.5 - 1.0
    shape = [1] * x.ndim
    shape[axis] = 3
    if mode == "torch":
        x = x / 255.0
        return (x - _MEAN_RGB.reshape(shape)) / _STD_RGB.reshape(shape)
    x = np.flip(x, axis=axis)
    return x - _CAFFE_MEAN_BGR.reshape(shape)


def _preprocess_tensor(x, data_format: str, mode: str):
    """Keras 3's tensor path, with `layerwise.ops`: on a `KerasTensor` (a model's input)
    it adds the same op layers as Keras (`GetItem`, `Stack`, `Add`, `TrueDivide`)."""
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    if mode == "torch":
        x = x / 255.0
        mean, std = _MEAN_RGB, _STD_RGB
    else:
        if data_format == "channels_first":
            x = ops.stack([x[i, ...] for i in (2, 1, 0)], axis=0) if ndim == 3 else \
                ops.stack([x[:, i, :] for i in (2, 1, 0)], axis=1)
        else:
            x = ops.stack([x[..., i] for i in (2, 1, 0)], axis=-1)
        mean, std = _CAFFE_MEAN_BGR, None
    shape = [1] * ndim
    shape[0 if data_format == "channels_first" and ndim == 3 else
          (1 if data_format == "channels_first" else -1)] = 3
    x = x + torch.tensor(-mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x = x / torch.tensor(std, dtype=x.dtype).reshape(shape)
    return x
