"""Safe extraction of tar and zip archives (`extract_archive`).

Every member is checked before anything is written: absolute paths, paths
that resolve outside the target folder, links pointing outside it and device
files are refused, and the total size the members expand to is bounded
(`MAX_EXTRACTED_BYTES`, or the `max_bytes` argument) by what the archive
declares and by what is really written, so a small archive cannot fill the disk.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from collections.abc import Sequence

from layerwise.backend import settings

__all__ = ["MAX_EXTRACTED_BYTES", "UnsafeArchiveError", "extract_archive"]

# An archive may expand to at most this many times its own size (above a floor of
# `MIN_EXTRACT_LIMIT_BYTES`) and never beyond `MAX_EXTRACTED_BYTES`; the environment
# variable `LAYERWISE_MAX_EXTRACT_BYTES` (or `extract_archive(max_bytes=...)`) overrides both.
MAX_EXTRACTED_BYTES = 16 << 30
MIN_EXTRACT_LIMIT_BYTES = 64 << 20
MAX_EXPANSION_RATIO = 100


def extraction_limit(file_path: str, max_bytes: int | None = None) -> int:
    """The bytes an archive may expand to (see the constants above)."""
    if max_bytes is not None:
        return int(max_bytes)
    configured = settings.env_text("LAYERWISE_MAX_EXTRACT_BYTES")
    if configured:
        try:
            return int(configured)
        except ValueError:
            raise ValueError("LAYERWISE_MAX_EXTRACT_BYTES must be a number of bytes. "
                             f"Received: {configured!r}") from None
    ratio_limit = MAX_EXPANSION_RATIO * os.path.getsize(file_path)
    return min(MAX_EXTRACTED_BYTES, max(MIN_EXTRACT_LIMIT_BYTES, ratio_limit))


def _check_total(total: int, limit: int, archive: str) -> None:
    if total > limit:
        raise UnsafeArchiveError(
            f"Refusing to extract {archive!r}: its members expand to {total} bytes, more than "
            f"the limit of {limit} bytes ({MAX_EXPANSION_RATIO}x the archive's size, at least "
            f"{MIN_EXTRACT_LIMIT_BYTES}). If you trust it, set LAYERWISE_MAX_EXTRACT_BYTES."
        )


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the extraction folder, or too much."""


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


def _extract_tar(file_path: str, path: str, limit: int) -> None:
    base = os.path.realpath(path)
    with tarfile.open(file_path) as tar:
        members = _check_tar_members(tar, base, file_path)
        # A tar header's size is what extraction writes for that member.
        _check_total(sum(m.size for m in members if m.isfile()), limit, file_path)
        if hasattr(tarfile, "data_filter"):
            # Second line of defence: the "data" filter re-checks every member
            # against the files already on disk (e.g. links created earlier).
            try:
                tar.extractall(base, members=members, filter="data")
            except tarfile.FilterError as e:
                raise UnsafeArchiveError(f"Refusing to extract {file_path!r}: {e}") from e
        else:  # pragma: no cover - old Pythons; links were refused above.
            tar.extractall(base, members=members)


def _extract_zip(file_path: str, path: str, limit: int) -> None:
    base = os.path.realpath(path)
    with zipfile.ZipFile(file_path) as archive:
        infos = archive.infolist()
        for info in infos:
            _check_member_path(base, info.filename, file_path)
        # zipfile never writes more than a member's declared size (nor less: CRC check).
        _check_total(sum(info.file_size for info in infos), limit, file_path)
        archive.extractall(base, members=infos)


def extract_archive(
    file_path: str | os.PathLike,
    path: str | os.PathLike = ".",
    archive_format: str | Sequence[str] | None = "auto",
    max_bytes: int | None = None,
) -> bool:
    """Extracts a tar (`.tar`, `.tar.gz`, `.tar.bz2`, `.tar.xz`) or zip archive.

    Every member is checked first: absolute paths, paths that resolve outside
    `path` (`../`), links pointing outside `path`, device files and archives
    expanding beyond `max_bytes` are refused with an `UnsafeArchiveError`, and
    nothing is extracted.

    Args:
        file_path: Path to the archive.
        path: Folder to extract into (created if needed).
        archive_format: `"auto"` (tries `["tar", "zip"]`), `"tar"`, `"zip"`,
            a list of those, or `None` (extract nothing).
        max_bytes: The most bytes the members may expand to (default: 100x the
            archive's size, at least 64 MiB, at most 16 GiB, or
            `LAYERWISE_MAX_EXTRACT_BYTES`); larger archives raise `UnsafeArchiveError`.

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
            extract(file_path, path, extraction_limit(file_path, max_bytes))
            return True
    return False
