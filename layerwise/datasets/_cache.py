"""Where dataset files are looked for, verified, and downloaded to.

For dataset `<name>` and one of its official files, the lookup order is:

1. `$LAYERWISE_DATASETS/<name>/<file>` when `LAYERWISE_DATASETS` is set,
   otherwise `$LAYERWISE_HOME/datasets/<name>/<file>` (`~/.layerwise` by
   default);
2. the copy Keras already downloaded, under `$KERAS_HOME/datasets/`
   (`~/.keras/datasets/`), with Keras' own file name and sub-folder;
3. a download with `get_file` into `$LAYERWISE_HOME/datasets/<name>/`.

A file found in steps 1-2 is verified against the published checksum; a
mismatch raises `ValueError` naming the file. Step 3 verifies the download.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from layerwise.backend import settings
from layerwise.utils.file_utils import get_file, hash_file, layerwise_home


@dataclass(frozen=True)
class DataFile:
    """One official file of a dataset.

    Args:
        name: Official file name, also the name used in the layerwise cache.
        origin: URL to download it from.
        file_hash: Published sha256 (64 hex digits) or md5 (32 hex digits).
        keras_paths: Where Keras caches the same file, relative to
            `~/.keras/datasets/` (tried in order).
    """

    name: str
    origin: str
    file_hash: str
    keras_paths: tuple[str, ...] = ()


def datasets_dir() -> str:
    """Returns `$LAYERWISE_DATASETS`, else `$LAYERWISE_HOME/datasets`."""
    override = settings.datasets_dir()
    if override:
        return os.path.expanduser(override)
    return os.path.join(layerwise_home(), "datasets")


def keras_datasets_dir() -> str:
    """Returns Keras' dataset cache: `$KERAS_HOME/datasets` or `~/.keras/datasets`."""
    home = settings.keras_home()
    return os.path.join(os.path.expanduser(home), "datasets")


def verify(path: str, file_hash: str) -> None:
    """Raises `ValueError` naming `path` if its hash differs from `file_hash`."""
    algorithm = "sha256" if len(file_hash) == 64 else "md5"
    received = hash_file(path, algorithm)
    if received != file_hash.lower():
        raise ValueError(
            f"The dataset file {path} is corrupted or is not the official file: expected "
            f"{algorithm} {file_hash}, received {received}. Delete it (it will then be "
            "downloaded again) or replace it with the official file."
        )


def local_candidates(dataset: str, file: DataFile) -> list[str]:
    """Returns the cache paths tried, in order, before downloading `file`."""
    keras_dir = keras_datasets_dir()
    return [os.path.join(datasets_dir(), dataset, file.name)] + [
        os.path.join(keras_dir, *p.split("/")) for p in file.keras_paths
    ]


def find_local(dataset: str, file: DataFile) -> str | None:
    """Returns the first cached, verified copy of `file`, or `None` if none exists.

    Raises:
        ValueError: A cached copy exists but fails checksum verification.
    """
    for path in local_candidates(dataset, file):
        if os.path.isfile(path):
            verify(path, file.file_hash)
            return path
    return None


def download_path(dataset: str, file: DataFile) -> str:
    """Returns where `fetch` downloads `file` to (also a valid hand-placement path)."""
    return os.path.join(layerwise_home(), "datasets", dataset, file.name)


def fetch(dataset: str, file: DataFile) -> str:
    """Returns a verified local path for `file`, downloading it if no cache has it.

    Args:
        dataset: Dataset (module) name, e.g. `"mnist"`.
        file: The file to find.

    Returns:
        The path of the verified file.

    Raises:
        ValueError: A cached or downloaded copy fails checksum verification.
        DownloadError: The file is in no cache and cannot be downloaded; the
            message names the URL and where to place the file by hand.
    """
    local = find_local(dataset, file)
    if local is not None:
        return local
    return get_file(
        fname=file.name,
        origin=file.origin,
        file_hash=file.file_hash,
        cache_dir=layerwise_home(),
        cache_subdir=os.path.join("datasets", dataset),
    )
