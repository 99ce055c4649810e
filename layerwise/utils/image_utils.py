"""Image file and array helpers: `load_img`, `img_to_array`, `array_to_img`, `save_img`,
`smart_resize`.

Pillow is an optional dependency, imported inside the functions that need it:
`import layerwise` never imports PIL.
"""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np
import torch

from layerwise.backend.config import floatx, standardize_data_format

_PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    """Returns `PIL.Image`, or raises an ImportError that says how to install it."""
    try:
        from PIL import Image  # optional library, loaded only when images are read or written
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "This function needs Pillow to read or write images. Install it with "
            "`pip install pillow`."
        ) from e
    return Image


def pil_resample(interpolation: str):
    """Maps an interpolation name (`"nearest"`, `"bilinear"`, ...) to Pillow's constant."""
    image = _pil()
    resampling = getattr(image, "Resampling", image)
    if interpolation not in _PIL_INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation method {interpolation!r}. Supported methods are "
            f"{', '.join(_PIL_INTERPOLATIONS)}."
        )
    return getattr(resampling, interpolation.upper())


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D NumPy array to a PIL Image instance.

    Args:
        x: Image array of rank 3 (anything `np.asarray` accepts, torch tensors included).
        data_format: `"channels_last"` or `"channels_first"` (default: the global
            `image_data_format()`).
        scale: Whether to rescale the values so that the minimum is 0 and the maximum 255.
        dtype: Dtype used for the intermediate array (default: `floatx()`).

    Returns:
        A PIL Image: `"RGB"` for 3 channels, `"RGBA"` for 4, `"L"` (or `"I"` when
        values exceed 255) for 1.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> img = keras.utils.array_to_img(np.random.random((8, 8, 3)))
    >>> img.size
    (8, 8)
    """
    image = _pil()
    data_format = standardize_data_format(data_format)
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(
            f"Expected image array to have rank 3 (single image). Got array with shape: "
            f"{x.shape}. Pass one image, e.g. `batch[0]`."
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"Unsupported channel number: {channels}. Images must have 1, 3 or 4 channels "
        "(check `data_format`)."
    )


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """Converts a PIL Image instance to a 3D NumPy array.

    Args:
        img: PIL Image.
        data_format: `"channels_last"` (height, width, channels) or `"channels_first"`.
        dtype: Dtype of the array (default: `floatx()`).

    Returns:
        A 3D NumPy array; grayscale images get a channels axis of size 1.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> img = keras.utils.array_to_img(np.zeros((4, 6, 3)))
    >>> keras.utils.img_to_array(img).shape
    (4, 6, 3)
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if data_format == "channels_first":
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}. Expected a 2D or 3D image.")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs) -> None:
    """Saves an image stored as a NumPy array to a path or file object.

    Args:
        path: Path or file object.
        x: Image array of rank 3.
        data_format: `"channels_last"` or `"channels_first"`.
        file_format: Format override (`"png"`, `"jpeg"`...); required for file objects.
            By default the format comes from the file extension.
        scale: Whether to rescale the values to `[0, 255]`.
        **kwargs: Passed to `PIL.Image.Image.save()` (e.g. `quality=95`).

    Example:

    >>> import numpy as np, os, tempfile, layerwise as keras
    >>> path = os.path.join(tempfile.mkdtemp(), "img.png")
    >>> keras.utils.save_img(path, np.random.random((8, 8, 3)))
    """
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image into PIL format.

    Args:
        path: Path to the image file (str, `pathlib.Path`, bytes) or an `io.BytesIO`.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: `None` (original size) or `(height, width)`.
        interpolation: Resampling used when resizing: `"nearest"` (default),
            `"bilinear"`, `"bicubic"`, `"lanczos"`, `"box"`, `"hamming"`.
        keep_aspect_ratio: Crop the largest centered box with the target aspect ratio
            before resizing, so the image is not distorted.

    Returns:
        A PIL Image.

    Example:

    >>> import numpy as np, os, tempfile, layerwise as keras
    >>> path = os.path.join(tempfile.mkdtemp(), "img.png")
    >>> keras.utils.save_img(path, np.random.random((8, 10, 3)))
    >>> keras.utils.load_img(path, target_size=(4, 5)).size
    (5, 4)
    """
    image = _pil()
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"`path` should be path-like or io.BytesIO, not {type(path).__name__}.")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError(
            f"`color_mode` must be 'grayscale', 'rgb', or 'rgba'. Received: {color_mode!r}"
        )
    if target_size is not None:
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            resample = pil_resample(interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height
                crop_height = min(height, (width * target_height) // target_width)
                crop_width = min(width, (height * target_width) // target_height)
                h0 = (height - crop_height) // 2
                w0 = (width - crop_width) // 2
                img = img.resize(width_height, resample,
                                 box=[w0, h0, w0 + crop_width, h0 + crop_height])
            else:
                img = img.resize(width_height, resample)
    return img


# As Keras' torch backend: "nearest" is torch's "nearest-exact" (pixel centres).
_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic",
                 "area": "area"}


def resize_images(images: torch.Tensor, size, interpolation="bilinear", antialias=False,
                  data_format="channels_last", crop_to_aspect_ratio=False,
                  pad_to_aspect_ratio=False, fill_value=0.0) -> torch.Tensor:
    """Resizes a batch (rank 4) or one image (rank 3) with `torch.nn.functional.interpolate`,
    as Keras' torch backend does (`ops.image.resize`).

    `crop_to_aspect_ratio` first takes the largest centred crop with the target aspect
    ratio; `pad_to_aspect_ratio` first pads with `fill_value` to it. Integer images are
    resized in float32 and rounded back to their dtype.
    """
    if interpolation not in _RESIZE_MODES:
        raise ValueError(
            f"Invalid `interpolation` {interpolation!r}: expected one of "
            f"{sorted(_RESIZE_MODES)} (Lanczos is not available on the torch backend)."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    if len(size) != 2:
        raise ValueError(f"`size` must be `(height, width)`. Received: size={size}")
    squeeze = images.ndim == 3
    if squeeze:
        images = images.unsqueeze(0)
    if images.ndim != 4:
        raise ValueError(
            "Expected images of rank 3 (one image) or 4 (a batch). Received shape "
            f"{tuple(images.shape)}."
        )
    dtype = images.dtype
    if dtype not in (torch.float32, torch.float64):
        images = images.to(torch.float32)
    if data_format == "channels_last":
        images = images.permute(0, 3, 1, 2)
    height, width = images.shape[-2], images.shape[-1]
    target_height, target_width = (int(s) for s in size)
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
        crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
        h0, w0 = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        images = images[:, :, h0:h0 + crop_h, w0:w0 + crop_w]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(float(width * target_height) / target_width))
        pad_w = max(width, int(float(height * target_width) / target_height))
        dh, dw = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        if dh or dw:
            images = torch.nn.functional.pad(images, (dw, dw, dh, dh), value=float(fill_value))
    mode = _RESIZE_MODES[interpolation]
    align = False if mode in ("bilinear", "bicubic") else None
    out = torch.nn.functional.interpolate(
        images, size=(target_height, target_width), mode=mode, align_corners=align,
        antialias=bool(antialias) and mode in ("bilinear", "bicubic"))
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    if out.dtype != dtype:
        if not dtype.is_floating_point:
            if dtype == torch.uint8:
                out = out.clamp(0, 255)
            out = out.round()
        out = out.to(dtype)
    return out[0] if squeeze else out


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes images to `size` without aspect ratio distortion.

    Takes the largest centered crop with the aspect ratio of `size`, then resizes it.

    Args:
        x: Image `(height, width, channels)` or batch `(batch, height, width, channels)`,
            as a NumPy array or torch tensor.
        size: `(height, width)`.
        interpolation: `"bilinear"` (default), `"nearest"` or `"bicubic"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The resized images, a NumPy array for NumPy input, a tensor for tensor input.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> keras.utils.smart_resize(np.zeros((340, 500, 3)), (200, 200)).shape
    (200, 200, 3)
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    data_format = standardize_data_format(data_format)
    img = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if img.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect rank, of "
            f"shape {tuple(img.shape)}."
        )
    if data_format == "channels_last":
        height, width = img.shape[-3], img.shape[-2]
    else:
        height, width = img.shape[-2], img.shape[-1]
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    h0 = int(float(height - crop_height) / 2)
    w0 = int(float(width - crop_width) / 2)
    if data_format == "channels_last":
        img = img[..., h0:h0 + crop_height, w0:w0 + crop_width, :]
    else:
        img = img[..., h0:h0 + crop_height, w0:w0 + crop_width]
    out = resize_images(img, size, interpolation, data_format=data_format)
    if isinstance(x, torch.Tensor):
        return out
    return out.numpy()
