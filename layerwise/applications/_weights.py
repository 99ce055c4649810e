"""Where the applications' official files are found, and how they load.

Lookup order for an official file (weights or the ImageNet class index):

1. `$LAYERWISE_HOME/models/<file>` (`~/.layerwise/models` by default);
2. the copy Keras already downloaded, `$KERAS_HOME/models/<file>`
   (`~/.keras/models`);
3. a download with `get_file` from Keras' URL into `$LAYERWISE_HOME/models`.

Every copy is checked against Keras' published hash. Offline, the error names
the URL and the path where the file can be placed by hand.

Both layouts of the official weight files load through `saving`'s readers: the
legacy order-based HDF5 layout (`layer_names`, per-layer `weight_names`, with
Keras 1 dataset names such as `block1_conv1_W_1:0`) and Keras 3's
`.weights.h5` layout. The files store kernels in Keras' layout, which is also
the layout layerwise keeps its variables in, so loading copies arrays as they
are; the one place a Keras kernel becomes a torch kernel is
`keras_kernel_to_torch` below (a view used inside the convolution layers' `call`).
"""

from __future__ import annotations

import os

import torch

from layerwise.backend import settings
from layerwise.layers.convolutional._ops import torch_kernel
from layerwise.saving.saving_api import load_weights
from layerwise.utils.file_utils import DownloadError, get_file, layerwise_home, validate_file


def keras_kernel_to_torch(kernel: torch.Tensor) -> torch.Tensor:
    """A Keras convolution kernel `(*spatial, in, out)` in torch's `(out, in, *spatial)`.

    Keras' depthwise kernels `(*spatial, in, multiplier)` become
    `(multiplier, in, *spatial)`; reshape to `(in * multiplier, 1, *spatial)` for
    a grouped torch convolution. The result is a view; `.contiguous()` copies it.

    Example:

    >>> import torch
    >>> keras_kernel_to_torch(torch.zeros(3, 3, 16, 32)).shape
    torch.Size([32, 16, 3, 3])
    """
    return torch_kernel(kernel)


def models_dir() -> str:
    """`$LAYERWISE_HOME/models` (`~/.layerwise/models` by default)."""
    return os.path.join(layerwise_home(), "models")


def keras_models_dir() -> str:
    """Keras' cache of application files: `$KERAS_HOME/models` or `~/.keras/models`."""
    home = settings.keras_home()
    return os.path.join(os.path.expanduser(home), "models")


def weights_file(fname: str, origin: str, file_hash: str | None = None) -> str:
    """Returns a verified local copy of an official file, downloading it if needed.

    Args:
        fname: Keras' file name, e.g. `"vgg16_weights_tf_dim_ordering_tf_kernels.h5"`.
        origin: Keras' URL of the file.
        file_hash: Keras' published md5 or sha256 of the file (`None`: unchecked,
            as Keras does for the MobileNet files).

    Raises:
        DownloadError: The file is not cached and cannot be downloaded; the
            message says which file to put where.
    """
    keras_copy = os.path.join(keras_models_dir(), fname)
    if not os.path.exists(os.path.join(models_dir(), fname)) and os.path.isfile(keras_copy) \
            and (file_hash is None or validate_file(keras_copy, file_hash)):
        return keras_copy
    try:
        return get_file(fname, origin, cache_subdir="models", file_hash=file_hash)
    except DownloadError as error:
        raise DownloadError(
            f"Could not download {fname} from {origin} ({error}). Offline, download it "
            f"elsewhere and place it at {os.path.join(models_dir(), fname)} (or at "
            f"{keras_copy}, where Keras keeps it)"
            + (f"; it must match the hash {file_hash}." if file_hash else ".")
        ) from None


def load_application_weights(model, path, argument: str = "weights") -> None:
    """Loads a weights file into an application model, all or nothing.

    Args:
        model: The built application model.
        path: A legacy `.h5` or a `.weights.h5` file.
        argument: The argument the path came from, for error messages.

    Raises:
        ValueError: The file is corrupt or does not match the model; the model's
            weights are unchanged.
    """
    before = [w.detach().clone() for w in model.weights]
    try:
        load_weights(model, path)
    except (ValueError, OSError, KeyError, TypeError) as error:
        with torch.no_grad():
            for w, value in zip(model.weights, before, strict=True):
                w.copy_(value)
        raise ValueError(
            f"Could not load `{argument}`={os.fspath(path)!r} into model '{model.name}': "
            f"{error}. Pass the official weight file of this architecture (same "
            "`include_top`, `alpha` and size options), or `weights=None`. The model's "
            "weights are unchanged."
        ) from error
