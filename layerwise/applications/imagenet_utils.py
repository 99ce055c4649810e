"""ImageNet input preprocessing, as `keras.applications.imagenet_utils`."""

from __future__ import annotations

import numpy as np

from layerwise.backend.config import standardize_data_format

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
    >>> from layerwise.applications.imagenet_utils import preprocess_input
    >>> preprocess_input(np.full((1, 1, 1, 3), 255.0), mode="tf")
    array([[[[1., 1., 1.]]]])
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"`mode` must be 'caffe', 'tf' or 'torch'. Received: mode={mode!r}")
    data_format = standardize_data_format(data_format)
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
