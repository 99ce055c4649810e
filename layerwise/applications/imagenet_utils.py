"""ImageNet helpers, as `keras.applications.imagenet_utils`.

`preprocess_input` (caffe / tf / torch modes), `decode_predictions` (the class
index JSON is downloaded once, with Keras' URL, file name and checksum, like
the weights), and the input-shape checks every application shares.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import torch

from layerwise import activations, ops
from layerwise.applications._weights import weights_file
from layerwise.backend.config import image_data_format, standardize_data_format
from layerwise.backend.keras_tensor import KerasTensor

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_MEAN_RGB = (0.485, 0.456, 0.406)
_MEAN_RGB_NP = np.array(_MEAN_RGB)
_STD_RGB_NP = np.array((0.229, 0.224, 0.225))
_CAFFE_MEAN_BGR_NP = np.array((103.939, 116.779, 123.68))
_STD_RGB = (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of RGB images with values in [0, 255].

    Args:
        x: NumPy array or torch tensor of images, 3D or 4D, channels last
            (default) or first.
        data_format: `"channels_last"` or `"channels_first"` (default: global setting).
        mode: `"caffe"` (RGB to BGR, subtract the ImageNet mean), `"tf"` (scale to
            [-1, 1]) or `"torch"` (scale to [0, 1], normalize by ImageNet mean and std).

    Returns:
        Preprocessed float array (a tensor for a tensor input). The input is not
        modified.

    Example:

    >>> import numpy as np
    >>> from layerwise.applications.imagenet_utils import preprocess_input
    >>> preprocess_input(np.full((1, 1, 1, 3), 255.0), mode="tf")
    array([[[[1., 1., 1.]]]])
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(
            f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}"
        )
    data_format = standardize_data_format(data_format)
    if isinstance(x, KerasTensor):
        return _preprocess_tensor(x, data_format, mode)
    if isinstance(x, torch.Tensor):
        x = x if x.is_floating_point() else x.float()
        const = x.new_tensor
        flip = torch.flip
    else:
        x = np.asarray(x)
        x = x if np.issubdtype(x.dtype, np.floating) else x.astype("float32")
        dtype = x.dtype

        def const(v):
            return np.asarray(v, dtype)

        def flip(a, dims):
            return np.flip(a, axis=dims)
    if mode == "tf":
        return x / const(127.5) - const(1.0)
    axis = x.ndim - 1 if data_format == "channels_last" else (1 if x.ndim == 4 else 0)
    shape = [1] * x.ndim
    shape[axis] = 3
    if mode == "torch":
        x = x / const(255.0)
        return (x - const(_MEAN_RGB).reshape(shape)) / const(_STD_RGB).reshape(shape)
    return flip(x, (axis,)) - const(_CAFFE_MEAN_BGR).reshape(shape)


def _preprocess_tensor(x, data_format: str, mode: str):
    """Keras 3's tensor path, with `layerwise.ops`: on a `KerasTensor` (a model's input)
    it adds the same op layers as Keras (`GetItem`, `Stack`, `Add`, `TrueDivide`)."""
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    if mode == "torch":
        x = x / 255.0
        mean, std = _MEAN_RGB_NP, _STD_RGB_NP
    else:
        if data_format == "channels_first":
            x = ops.stack([x[i, ...] for i in (2, 1, 0)], axis=0) if ndim == 3 else \
                ops.stack([x[:, i, :] for i in (2, 1, 0)], axis=1)
        else:
            x = ops.stack([x[..., i] for i in (2, 1, 0)], axis=-1)
        mean, std = _CAFFE_MEAN_BGR_NP, None
    shape = [1] * ndim
    shape[0 if data_format == "channels_first" and ndim == 3 else
          (1 if data_format == "channels_first" else -1)] = 3
    x = x + torch.tensor(-mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x = x / torch.tensor(std, dtype=x.dtype).reshape(shape)
    return x


def decode_predictions(preds, top=5):
    """Decodes the predictions of an ImageNet model.

    The class index (`imagenet_class_index.json`) is downloaded once with Keras'
    URL and checksum into `$LAYERWISE_HOME/models` (or read from
    `~/.keras/models` when Keras already has it).

    Args:
        preds: Array (or tensor) of predictions, shape `(samples, 1000)`.
        top: How many top guesses to return per sample. Defaults to `5`.

    Returns:
        One list per sample of `(class_name, class_description, score)` tuples,
        best first.

    Raises:
        ValueError: `preds` is not of shape `(samples, 1000)`.
    """
    global CLASS_INDEX

    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
            f"(samples, 1000)). Received array with shape: {tuple(preds.shape)}"
        )
    if CLASS_INDEX is None:
        path = weights_file("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_HASH)
        with open(path, encoding="utf-8") as f:
            CLASS_INDEX = json.load(f)
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    preds = np.asarray(preds)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda x: x[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """Computes and validates a model's input shape (Keras' rules and messages).

    Args:
        input_shape: `None` (the default shape) or the user's shape, no batch axis.
        default_size: Default input height and width of the model.
        min_size: Smallest height / width the model accepts.
        data_format: `"channels_last"` or `"channels_first"`.
        require_flatten: Whether the model ends in a classifier (`include_top`).
        weights: `None`, `"imagenet"` or a path.

    Returns:
        A shape tuple, possibly with `None` entries.
    """
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it was passed "
                f"an input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((channels, default_size, default_size) if channels_first
                         else (default_size, default_size, channels))
    else:
        default_shape = ((3, default_size, default_size) if channels_first
                         else (default_size, default_size, 3))
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  Received: "
                f"input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        _check_shape(tuple(input_shape), min_size, channels_first, weights)
    else:
        input_shape = default_shape if require_flatten else (
            (3, None, None) if channels_first else (None, None, 3))
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return tuple(input_shape)


def _check_shape(input_shape, min_size, channels_first, weights) -> None:
    if len(input_shape) != 3:
        raise ValueError(
            "`input_shape` must be a tuple of three integers. Received: "
            f"input_shape={input_shape}"
        )
    channels = input_shape[0] if channels_first else input_shape[-1]
    if channels != 3 and weights == "imagenet":
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    size = input_shape[1:] if channels_first else input_shape[:2]
    if any(d is not None and d < min_size for d in size):
        raise ValueError(
            f"Input size must be at least {min_size}x{min_size}; Received: "
            f"input_shape={input_shape}"
        )


def correct_pad(inputs, kernel_size):
    """The `ZeroPadding2D` padding that makes a strided convolution match TF's "same".

    Args:
        inputs: Symbolic input tensor.
        kernel_size: An int or a pair of ints.

    Returns:
        `((top, bottom), (left, right))`.
    """
    img_dim = 2 if image_data_format() == "channels_first" else 1
    input_size = inputs.shape[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Raises unless `classifier_activation` is `None` or softmax with pretrained weights."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, with "
            f"`include_top=True`; Received: classifier_activation={classifier_activation}"
        )
