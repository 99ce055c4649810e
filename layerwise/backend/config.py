"""Global configuration: float type, epsilon, image data format."""

from __future__ import annotations

import warnings

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_VALID_FLOATX = ("float16", "bfloat16", "float32", "float64")


def floatx() -> str:
    """Returns the default float type, as a string (`"float32"` by default)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type.

    Args:
        value: One of `"float16"`, `"bfloat16"`, `"float32"`, `"float64"`.
    """
    global _FLOATX
    value = str(value)
    if value not in _VALID_FLOATX:
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of {_VALID_FLOATX}.")
    _FLOATX = value


def epsilon() -> float:
    """Returns the fuzz factor used in numeric expressions (`1e-7` by default)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Returns the default image data format, `"channels_last"` unless changed."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default image data format.

    Args:
        data_format: `"channels_last"` or `"channels_first"`.
    """
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "`data_format` must be 'channels_first' or 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format: str | None) -> str:
    """Returns `data_format`, or the global default when it is `None`."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "`data_format` must be 'channels_first' or 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def backend() -> str:
    """Returns the name of the backend: always `"torch"`."""
    return "torch"


def to_torch_dtype(dtype) -> torch.dtype:
    """Converts a dtype name (`"float32"`), NumPy dtype or torch dtype to a torch dtype."""
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype is None:
        dtype = _FLOATX
    name = getattr(dtype, "name", None) or str(dtype)
    name = name.replace("torch.", "")
    try:
        result = getattr(torch, name)
    except AttributeError:
        result = None
    if not isinstance(result, torch.dtype):
        raise ValueError(f"Unknown dtype: {dtype!r}. Expected a name like 'float32' or 'int64'.")
    return result


def set_learning_phase(value) -> None:
    """Accepted for compatibility with old tutorials; has no effect.

    As in `tf.keras`, the training phase is decided per call (`training=`
    argument, `fit` vs `predict`), not globally.
    """
    warnings.warn(
        "`set_learning_phase` is deprecated and has no effect in layerwise: the "
        "training phase is set per call (`model(x, training=True)`, `fit`, `predict`).",
        DeprecationWarning,
        stacklevel=2,
    )


def learning_phase() -> int:
    """Returns 0: the global learning phase is not used (see `set_learning_phase`)."""
    return 0
