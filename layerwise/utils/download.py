"""Streaming downloads with retries, resume (HTTP `Range`) and checksum verification.

A download goes to `<file>.part`, is verified, and only then moved into place
with `os.replace`, so a cache never holds a half-written or unverified file.
An interrupted download keeps its `.part` file and is resumed on the next call.
"""

from __future__ import annotations

import http.client
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from layerwise.utils.hashing import _resolve_hasher, hash_file

__all__ = ["DownloadError"]

_CHUNK_SIZE = 1 << 16
_ATTEMPTS = 3
_RETRY_DELAY_S = 0.5
_TIMEOUT_S = 30.0
_USER_AGENT = "layerwise-get-file/1 (+urllib)"


class DownloadError(OSError):
    """A file could not be downloaded (offline, HTTP error, dropped connection)."""


class _IncompleteDownload(OSError):
    """The connection closed before `Content-Length` bytes arrived (retryable)."""


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
