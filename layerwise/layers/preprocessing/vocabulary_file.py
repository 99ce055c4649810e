"""Reading a vocabulary file (`StringLookup(vocabulary="vocab.txt")`) safely: never in
safe mode, only a regular file, at most `MAX_VOCABULARY_FILE_BYTES`."""

from __future__ import annotations

import os
import stat

from layerwise.registry.safe_mode import in_safe_mode

# A vocabulary file larger than this is refused (Keras' largest vocabularies are ~10 MB).
MAX_VOCABULARY_FILE_BYTES = 256 << 20


def read_vocabulary_file(path) -> list[str]:
    """The lines of a vocabulary file: a regular file of at most `MAX_VOCABULARY_FILE_BYTES`.

    Refused in safe mode (while a model file is being loaded: a file must never
    name another file to read, CVE-2025-12058), and for anything that is not a
    regular file (`/dev/zero`, a FIFO, `/dev/stdin`, a folder), which is never
    read nor waited on.

    Raises:
        ValueError: in safe mode, for a missing, special or oversized file.
    """
    if in_safe_mode():
        raise ValueError(
            "Requested the loading of a vocabulary file outside of the model archive. This "
            "carries a potential risk of loading arbitrary and sensitive files and thus it is "
            "disallowed by default (safe mode). If you trust the source of the artifact, pass "
            "`safe_mode=False` to the loading function, or call "
            f"`keras.config.enable_unsafe_deserialization()`. Vocabulary file: {str(path)!r}"
        )
    path = os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ValueError(f"Vocabulary file {path} does not exist.") from None
    except OSError as error:
        raise ValueError(f"Cannot open the vocabulary file {path!r}: {error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VOCABULARY_FILE_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(
                f"The vocabulary file {path!r} is not a regular file (a device, pipe or "
                "folder); expected a text file with one token per line."
            )
        raise ValueError(
            f"The vocabulary file {path!r} is {info.st_size} bytes, more than the "
            f"{MAX_VOCABULARY_FILE_BYTES} allowed."
        )
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_VOCABULARY_FILE_BYTES + 1)
    if len(data) > MAX_VOCABULARY_FILE_BYTES:
        raise ValueError(f"The vocabulary file {path!r} grew beyond "
                         f"{MAX_VOCABULARY_FILE_BYTES} bytes while being read.")
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise ValueError(f"The vocabulary file {path!r} is not UTF-8 text: {error}") from None
    while lines and lines[-1] == "":
        lines.pop()
    return lines
