"""File hashes for downloads and caches: `hash_file`, `validate_file` (sha256 or md5)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

__all__ = ["hash_file", "validate_file"]


def _resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    """Returns a fresh `hashlib` object for `algorithm` ("auto" looks at `file_hash`)."""
    if algorithm == "auto":
        if file_hash is None or len(file_hash.strip()) == 64:
            return hashlib.sha256()
        if len(file_hash.strip()) == 32:
            return hashlib.md5()
        raise ValueError(
            "Cannot infer the hash algorithm from `file_hash`: expected 64 hex digits "
            f"(sha256) or 32 (md5). Received: file_hash={file_hash!r}"
        )
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "md5":
        return hashlib.md5()
    raise ValueError(
        f'`hash_algorithm` must be one of "auto", "sha256", "md5". Received: {algorithm!r}'
    )


def _algorithm_name(algorithm: str, file_hash: str | None) -> str:
    return _resolve_hasher(algorithm, file_hash).name


def hash_file(fpath: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """Calculates the sha256 or md5 hash of a file.

    Args:
        fpath: Path to the file to hash.
        algorithm: Hash algorithm, one of `"sha256"`, `"md5"` or `"auto"`
            (`"auto"` means sha256 here, since there is no hash to look at).
        chunk_size: Bytes read at a time, so large files are never loaded whole.

    Returns:
        The hex digest of the file, in lower case.

    Example:

    >>> hash_file("/path/to/file.zip")  # doctest: +SKIP
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath: str | os.PathLike,
    file_hash: str,
    algorithm: str = "auto",
    chunk_size: int = 65535,
) -> bool:
    """Validates a file against a sha256 or md5 hash.

    Args:
        fpath: Path to the file to validate.
        file_hash: The expected hex digest (case-insensitive).
        algorithm: `"sha256"`, `"md5"`, or `"auto"` (the default), which picks
            sha256 for a 64-digit hash and md5 for a 32-digit one.
        chunk_size: Bytes read at a time.

    Returns:
        `True` if the file's hash equals `file_hash`, `False` otherwise.

    Example:

    >>> validate_file("mnist.npz", "731c5ac602752760c8e48fbffcf8c3b8"
    ...               "50d9dc2a2aedcf2cc48468fc17b673d1")  # doctest: +SKIP
    True
    """
    hasher = _resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash).strip().lower()
