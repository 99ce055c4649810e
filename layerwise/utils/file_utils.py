"""Download, checksum and archive utilities (`keras.utils.get_file`).

Downloads are streamed with `urllib`, written to `<file>.part` in the cache
folder, verified, and only then moved into place with `os.replace`, so a
cache never holds a half-written or unverified file. An interrupted download
keeps its `.part` file and is resumed with an HTTP `Range` request on the
next call. Archives are extracted only after every member has been checked
to stay inside the target folder.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any

__all__ = [
    "DownloadError",
    "UnsafeArchiveError",
    "extract_archive",
    "get_file",
    "hash_file",
    "layerwise_home",
    "validate_file",
]

_CHUNK_SIZE = 1 << 16
_ATTEMPTS = 3
_RETRY_DELAY_S = 0.5
_TIMEOUT_S = 30.0
_USER_AGENT = "layerwise-get-file/1 (+urllib)"


class DownloadError(OSError):
    """A file could not be downloaded (offline, HTTP error, dropped connection)."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the extraction folder."""


class _IncompleteDownload(OSError):
    """The connection closed before `Content-Length` bytes arrived (retryable)."""


def layerwise_home() -> str:
    """Returns the layerwise cache root: `$LAYERWISE_HOME`, else `~/.layerwise`.

    Returns:
        The expanded path of the cache root (it may not exist yet).
    """
    return os.path.expanduser(os.environ.get("LAYERWISE_HOME") or os.path.join("~", ".layerwise"))


# --------------------------------------------------------------------------- hashing


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


# --------------------------------------------------------------------------- archives


def _is_inside(base: str, path: str) -> bool:
    try:
        return os.path.commonpath([base, path]) == base
    except ValueError:  # different drives on Windows
        return False


def _is_absolute_member(name: str) -> bool:
    return name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":")


def _check_member_path(base: str, name: str, archive: str) -> str:
    """Returns the resolved destination of member `name`, or raises if it escapes `base`."""
    if _is_absolute_member(name):
        raise UnsafeArchiveError(
            f"Refusing to extract {archive!r}: member {name!r} has an absolute path."
        )
    dest = os.path.realpath(os.path.join(base, name))
    if not _is_inside(base, dest):
        raise UnsafeArchiveError(
            f"Refusing to extract {archive!r}: member {name!r} would be written outside "
            f"the target folder {base!r} (path traversal)."
        )
    return dest


def _check_tar_members(tar: tarfile.TarFile, base: str, archive: str) -> list[tarfile.TarInfo]:
    has_data_filter = hasattr(tarfile, "data_filter")
    members = tar.getmembers()
    for m in members:
        dest = _check_member_path(base, m.name, archive)
        if m.issym() or m.islnk():
            if not has_data_filter:
                raise UnsafeArchiveError(
                    f"Refusing to extract {archive!r}: member {m.name!r} is a link, and this "
                    "Python's tarfile has no 'data' extraction filter to check links safely. "
                    "Upgrade Python (>= 3.10.12 / 3.11.4) to extract this archive."
                )
            if _is_absolute_member(m.linkname):
                raise UnsafeArchiveError(
                    f"Refusing to extract {archive!r}: link {m.name!r} points to the absolute "
                    f"path {m.linkname!r}."
                )
            start = base if m.islnk() else os.path.dirname(dest)
            target = os.path.realpath(os.path.join(start, m.linkname))
            if not _is_inside(base, target):
                raise UnsafeArchiveError(
                    f"Refusing to extract {archive!r}: link {m.name!r} points outside the "
                    f"target folder ({m.linkname!r})."
                )
        elif not (m.isfile() or m.isdir()):
            raise UnsafeArchiveError(
                f"Refusing to extract {archive!r}: member {m.name!r} is a device or fifo."
            )
    return members


def _extract_tar(file_path: str, path: str) -> None:
    base = os.path.realpath(path)
    with tarfile.open(file_path) as tar:
        members = _check_tar_members(tar, base, file_path)
        if hasattr(tarfile, "data_filter"):
            # Second line of defence: the "data" filter re-checks every member
            # against the files already on disk (e.g. links created earlier).
            try:
                tar.extractall(base, members=members, filter="data")
            except tarfile.FilterError as e:
                raise UnsafeArchiveError(f"Refusing to extract {file_path!r}: {e}") from e
        else:  # pragma: no cover - old Pythons; links were refused above.
            tar.extractall(base, members=members)


def _extract_zip(file_path: str, path: str) -> None:
    base = os.path.realpath(path)
    with zipfile.ZipFile(file_path) as archive:
        infos = archive.infolist()
        for info in infos:
            _check_member_path(base, info.filename, file_path)
        archive.extractall(base, members=infos)


def extract_archive(
    file_path: str | os.PathLike,
    path: str | os.PathLike = ".",
    archive_format: str | Sequence[str] | None = "auto",
) -> bool:
    """Extracts a tar (`.tar`, `.tar.gz`, `.tar.bz2`, `.tar.xz`) or zip archive.

    Every member is checked first: absolute paths, paths that resolve outside
    `path` (`../`), links pointing outside `path`, and device files are refused
    with an `UnsafeArchiveError`, and nothing is extracted.

    Args:
        file_path: Path to the archive.
        path: Folder to extract into (created if needed).
        archive_format: `"auto"` (tries `["tar", "zip"]`), `"tar"`, `"zip"`,
            a list of those, or `None` (extract nothing).

    Returns:
        `True` if the archive matched a format and was extracted, else `False`.

    Example:

    >>> extract_archive("images.tar.gz", "/tmp/images")  # doctest: +SKIP
    True
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for fmt in archive_format:
        if fmt == "tar":
            is_match, extract = tarfile.is_tarfile, _extract_tar
        elif fmt == "zip":
            is_match, extract = zipfile.is_zipfile, _extract_zip
        else:
            raise ValueError(f'`archive_format` entries must be "tar" or "zip". Received: {fmt!r}')
        if is_match(file_path):
            os.makedirs(path, exist_ok=True)
            extract(file_path, path)
            return True
    return False


# --------------------------------------------------------------------------- download


class _Progress:
    """A one-line `\\r` progress counter, drawn only when stdout is a terminal."""

    def __init__(self, total: int | None, start: int) -> None:
        self.total = total
        self.enabled = bool(getattr(sys.stdout, "isatty", lambda: False)())
        self.last = 0.0
        self.update(start)

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.last < 0.1):
            return
        self.last = now
        mb = done / 2**20
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "=" * int(frac * 30)
            line = f"\r{mb:8.1f}/{self.total / 2**20:.1f} MiB [{bar:<30}] {frac:4.0%}"
        else:
            line = f"\r{mb:8.1f} MiB"
        sys.stdout.write(line + ("\n" if final else ""))
        sys.stdout.flush()


def _parse_content_range(value: str | None) -> tuple[int, int | None] | None:
    """Parses `bytes START-END/TOTAL` into `(START, TOTAL or None)`."""
    if not value or not value.startswith("bytes "):
        return None
    try:
        span, _, total = value[len("bytes ") :].partition("/")
        start = int(span.split("-")[0])
        return start, (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None


def _fetch(origin: str, part: str) -> None:
    """Downloads `origin` into `part`, resuming from its current size if possible."""
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    request = urllib.request.Request(origin, headers={"User-Agent": _USER_AGENT})
    if offset and urllib.parse.urlsplit(origin).scheme in ("http", "https"):
        request.add_header("Range", f"bytes={offset}-")
    else:
        offset = 0
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT_S)
    except urllib.error.HTTPError as e:
        e.close()  # release the connection; code and reason stay available
        if e.code == 416 and offset:  # range not satisfiable: stale .part, start over.
            os.remove(part)
            return _fetch(origin, part)
        raise
    with response:
        status = getattr(response, "status", None)
        total: int | None = None
        content_range = _parse_content_range(response.headers.get("Content-Range"))
        if offset and status == 206:
            if content_range is None or content_range[0] != offset:
                os.remove(part)  # an unexpected range: retry from scratch.
                raise _IncompleteDownload(f"unexpected Content-Range for bytes={offset}-")
            mode, total = "ab", content_range[1]
        else:  # no Range sent, or the server ignored it: start from scratch.
            mode, offset = "wb", 0
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        received = offset
        progress = _Progress(total, offset)
        with open(part, mode) as f:
            while True:
                chunk = response.read(_CHUNK_SIZE)
                if not chunk:
                    break
                f.write(chunk)
                received += len(chunk)
                progress.update(received)
        progress.update(received, final=True)
    if total is not None and received < total:
        raise _IncompleteDownload(f"connection closed after {received} of {total} bytes")


def _is_retryable(error: BaseException) -> bool:
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    return True


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"{type(error.reason).__name__}: {error.reason}"
    return f"{type(error).__name__}: {error}"


def _download(origin: str, target: str) -> None:
    """Streams `origin` to `target + '.part'` with retries; raises `DownloadError`."""
    part = target + ".part"
    error: BaseException | None = None
    for attempt in range(_ATTEMPTS):
        try:
            _fetch(origin, part)
            return
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            error = e
            if not _is_retryable(e) or attempt == _ATTEMPTS - 1:
                break
            time.sleep(_RETRY_DELAY_S * (attempt + 1))
    kept = ""
    if os.path.exists(part) and os.path.getsize(part):
        kept = f" The partial download is kept at {part} and will be resumed on the next call."
    raise DownloadError(
        f"Could not download {origin} ({_describe(error)}). If this machine is offline or "
        f"cannot reach that URL, download the file by other means and place it at: {target}" + kept
    ) from error


def _download_verified(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    """Downloads, verifies, then atomically moves the file to `target`."""
    part = target + ".part"
    for attempt in range(2):
        resumed = os.path.exists(part) and os.path.getsize(part) > 0
        _download(origin, target)
        if file_hash is None:
            break
        hasher = _resolve_hasher(algorithm, file_hash)
        received = hash_file(part, hasher)
        if received == file_hash.strip().lower():
            break
        os.remove(part)
        if resumed and attempt == 0:
            continue  # the old .part may be from another version: retry from scratch.
        raise ValueError(
            f"Checksum mismatch for {target} (downloaded from {origin}): expected "
            f"{hasher.name} {file_hash}, received {received}. The corrupted download was "
            "deleted; call again to retry, or place a correct copy of the file at that path."
        )
    os.replace(part, target)


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
            An absolute path is used as is.
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
    datadir = os.path.join(_writable_cache_dir(base), cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided_fname = fname
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

    if extract or untar:
        if provided_fname and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(download_target)
    if not download and file_hash is not None:
        if not validate_file(download_target, file_hash, algorithm=hash_algorithm):
            print(
                f"The cached file {download_target} does not match the expected "
                f"{_algorithm_name(hash_algorithm, file_hash)} hash {file_hash}; "
                "downloading it again."
            )
            download = True

    if download:
        print(f"Downloading data from {origin}")
        _download_verified(origin, download_target, file_hash, hash_algorithm)

    if not (extract or untar):
        return download_target
    if download or not os.path.isdir(extraction_dir):
        _extract_atomically(download_target, extraction_dir, "tar" if untar else archive_format)
    return extraction_dir


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
