"""`keras.utils.get_file`: download into the cache, verify, optionally extract.

The work is split into `layerwise.utils.download` (streaming, retries,
resume), `layerwise.utils.hashing` (sha256 / md5) and
`layerwise.utils.archives` (safe extraction); this module keeps the public
names importable from here. `fname` and `cache_subdir` cannot leave the cache
folder, and extraction is bounded in size.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.parse
import warnings
from collections.abc import Sequence
from typing import Any

from layerwise.backend import settings
from layerwise.utils.archives import MAX_EXTRACTED_BYTES, UnsafeArchiveError, extract_archive
from layerwise.utils.download import DownloadError, _download_verified
from layerwise.utils.hashing import _algorithm_name, _resolve_hasher, hash_file, validate_file

__all__ = [
    "DownloadError",
    "MAX_EXTRACTED_BYTES",
    "UnsafeArchiveError",
    "extract_archive",
    "get_file",
    "hash_file",
    "layerwise_home",
    "validate_file",
]


def layerwise_home() -> str:
    """Returns the layerwise cache root: `$LAYERWISE_HOME`, else `~/.layerwise`.

    Returns:
        The expanded path of the cache root (it may not exist yet).
    """
    return settings.layerwise_home()


def _inside_cache(root: str, cache_subdir) -> str:
    """`root/cache_subdir`, refusing a sub-folder that leaves `root` (`..`, links)."""
    subdir = os.fspath(cache_subdir) if cache_subdir is not None else ""
    if os.path.isabs(subdir):
        return subdir  # an absolute folder is chosen explicitly, as in Keras
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, subdir))
    if os.path.commonpath([real_root, target]) != real_root:
        raise ValueError(
            "`cache_subdir` must stay inside the cache folder "
            f"{root!r} (no '..'); pass an absolute path to use another folder. "
            f"Received: cache_subdir={subdir!r}"
        )
    return target


def _writable_cache_dir(cache_dir: str) -> str:
    try:
        os.makedirs(cache_dir, exist_ok=True)
    except OSError:
        pass
    if os.path.isdir(cache_dir) and os.access(cache_dir, os.W_OK):
        return cache_dir
    fallback = os.path.join(tempfile.gettempdir(), ".layerwise")
    warnings.warn(
        f"The cache folder {cache_dir!r} is not writable; using {fallback!r} instead. "
        "Set LAYERWISE_HOME or pass `cache_dir` to choose another folder.",
        stacklevel=3,
    )
    return fallback


def get_file(
    fname: str | os.PathLike | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str | Sequence[str] | None = "auto",
    cache_dir: str | os.PathLike | None = None,
    force_download: bool = False,
) -> str:
    """Downloads a file from a URL if it is not already in the cache.

    By default the file at `origin` is downloaded to `~/.layerwise/datasets/`
    (the cache root is `$LAYERWISE_HOME` when set) under the name `fname`.
    The download is streamed to `<file>.part`, verified against `file_hash`
    when given, then moved into place atomically; an interrupted download is
    resumed from the `.part` file with an HTTP `Range` request. Tar and zip
    archives can be extracted; members escaping the target folder are refused.

    Args:
        fname: Local file name. If `None`, the last part of `origin`'s path.
            With `extract=True`, a name without extension is used as the
            extraction folder name. Must not contain a path separator.
        origin: URL of the file.
        untar: Deprecated, use `extract`. Whether to extract a tar archive.
        md5_hash: Deprecated, use `file_hash`. Expected md5 of the file.
        file_hash: Expected sha256 or md5 hex digest of the file. A cached
            file that does not match is downloaded again; a download that
            does not match is deleted and raises `ValueError`.
        cache_subdir: Sub-folder of the cache root where the file is saved.
            An absolute path is used as is; a relative one must stay inside
            the cache root (`"../.."` is refused).
        hash_algorithm: `"auto"` (sha256 for 64 hex digits, md5 for 32),
            `"sha256"` or `"md5"`.
        extract: Whether to extract the file as a tar or zip archive.
        archive_format: `"auto"` (`["tar", "zip"]`), `"tar"`, `"zip"`, a list
            of those, or `None`.
        cache_dir: Cache root. Defaults to `$LAYERWISE_HOME` or `~/.layerwise`.
        force_download: Whether to download again even if the file is cached.

    Returns:
        Path to the downloaded file, or to the extraction folder when
        `extract=True`.

    Raises:
        DownloadError: The URL could not be fetched; the message names the URL
            and the path where the file can be placed by hand.
        ValueError: Bad arguments, or the downloaded file failed verification.
        UnsafeArchiveError: An archive member would land outside its folder.

    Example:

    ```python
    path = get_file(
        origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    )
    ```
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        _resolve_hasher(hash_algorithm, file_hash)  # fail early on a malformed hash

    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else layerwise_home()
    root = _writable_cache_dir(base)
    datadir = _inside_cache(root, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    name = _file_name(fname, origin)
    download_target, extraction_dir = _cache_paths(datadir, name, bool(fname),
                                                   extract or untar)
    download = force_download or _cache_is_stale(download_target, file_hash, hash_algorithm)
    if download:
        print(f"Downloading data from {origin}")
        _download_verified(origin, download_target, file_hash, hash_algorithm)

    if not (extract or untar):
        return download_target
    if download or not os.path.isdir(extraction_dir):
        _extract_atomically(download_target, extraction_dir, "tar" if untar else archive_format)
    return extraction_dir


def _file_name(fname, origin: str) -> str:
    """The cache file name: `fname` (a bare name, never a path) or the URL's last part."""
    fname = os.fspath(fname) if fname is not None else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: {origin!r}. "
                "Please specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            "Paths are not accepted as the `fname` argument. To choose the file's folder, "
            f"use the `cache_dir` / `cache_subdir` arguments. Received: fname={fname}"
        )
    if fname in (".", "..") or "\x00" in fname:
        raise ValueError(
            "`fname` must be a file name inside the cache folder, not '.' or '..'. "
            f"Received: fname={fname!r}"
        )
    return fname


def _cache_paths(datadir: str, fname: str, provided: bool,
                 extracting: bool) -> tuple[str, str | None]:
    """`(download_target, extraction_dir)` as Keras names them (`None`: no extraction)."""
    if not extracting:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:
        return (os.path.join(datadir, fname),
                os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted"))
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def _cache_is_stale(download_target: str, file_hash: str | None, hash_algorithm: str) -> bool:
    """Whether the cached file is missing or (with `file_hash`) does not match it."""
    if not os.path.exists(download_target):
        return True
    if file_hash is not None and not validate_file(download_target, file_hash,
                                                   algorithm=hash_algorithm):
        print(
            f"The cached file {download_target} does not match the expected "
            f"{_algorithm_name(hash_algorithm, file_hash)} hash {file_hash}; "
            "downloading it again."
        )
        return True
    return False


def _extract_atomically(archive: str, extraction_dir: str, archive_format: Any) -> None:
    """Extracts into a temporary sibling folder, then swaps it into place."""
    parent = os.path.dirname(extraction_dir)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(extraction_dir)}.", dir=parent)
    try:
        if not extract_archive(archive, tmp, archive_format):
            warnings.warn(f"Could not extract archive {archive}: unknown format.", stacklevel=3)
            return
        if os.path.isdir(extraction_dir):
            shutil.rmtree(extraction_dir)
        os.replace(tmp, extraction_dir)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
