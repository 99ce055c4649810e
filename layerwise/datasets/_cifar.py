"""Reading the official CIFAR `python` tarballs without unrestricted unpickling.

Each batch in `cifar-10-python.tar.gz` / `cifar-100-python.tar.gz` is a
Python 2 pickle of a dict (`data`: a uint8 numpy array `(n, 3072)`, labels: a
list of ints, plus names). The batches are read straight from the tarball
(nothing is extracted to disk) with `RestrictedUnpickler`, which can rebuild
the numpy array but resolves no other global.
"""

from __future__ import annotations

import os
import tarfile
import zlib

import numpy as np

from layerwise.backend.config import image_data_format as configured_format
from layerwise.datasets._safe_pickle import PICKLE_ERRORS, restricted_loads

# The largest official batch (cifar-100 `train`, 50,000 images) is ~155 MB.
MAX_BATCH_BYTES = 512 << 20


def read_members(archive: str, folder: str, names: list[str]) -> dict[str, bytes]:
    """Returns the bytes of the regular files `folder/<name>` inside a tarball."""
    wanted = {f"{folder}/{n}": n for n in names}
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                key = wanted.get(member.name.lstrip("./"))
                if key is not None and member.isfile():
                    if member.size > MAX_BATCH_BYTES:
                        raise ValueError(
                            f"{archive}: {member.name} declares {member.size} bytes, more "
                            f"than a CIFAR batch ({MAX_BATCH_BYTES} at most)."
                        )
                    found[key] = tar.extractfile(member).read(MAX_BATCH_BYTES + 1)
    except (tarfile.TarError, OSError, EOFError, zlib.error, MemoryError) as e:
        raise ValueError(f"Could not read the CIFAR archive {archive}: {e}") from e
    missing = sorted(set(names) - set(found))
    if missing:
        raise ValueError(
            f"{archive} is not the official CIFAR archive: {folder}/{missing[0]} is missing."
        )
    return found


def load_batch(
    data: bytes, label_key: str = "labels", source: str = "<batch>"
) -> tuple[np.ndarray, list[int]]:
    """Parses one pickled CIFAR batch.

    Args:
        data: The batch file's bytes.
        label_key: Key of the labels (`"labels"`, `"fine_labels"`,
            `"coarse_labels"`).
        source: Name used in error messages.

    Returns:
        A tuple `(data, labels)`: uint8 images `(n, 3, 32, 32)` and the labels.
    """
    try:
        batch = restricted_loads(data, encoding="bytes", source=source)
    except PICKLE_ERRORS as e:
        raise ValueError(f"Could not read the CIFAR batch {source}: {type(e).__name__}: {e}") \
            from e
    if not isinstance(batch, dict):
        raise ValueError(f"The CIFAR batch {source} is not a dict.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    images, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2:
        raise ValueError(f"The CIFAR batch {source} has no uint8 `data` array.")
    if not isinstance(labels, list) or len(labels) != len(images):
        raise ValueError(f"The CIFAR batch {source} has no `{label_key}` list matching its images.")
    return images.reshape(images.shape[0], 3, 32, 32), labels


def image_data_format() -> str:
    """Returns layerwise's image data format if available, else `"channels_last"`."""
    try:
        return configured_format()
    except (ImportError, AttributeError):
        return "channels_last"


def to_image_format(x: np.ndarray) -> np.ndarray:
    """Converts `(n, 3, 32, 32)` to channels-last (contiguous) unless channels-first is set."""
    if image_data_format() == "channels_last":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x


def source_name(archive: str, folder: str, name: str) -> str:
    return f"{os.path.basename(archive)}:{folder}/{name}"
