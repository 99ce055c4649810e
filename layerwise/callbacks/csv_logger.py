"""`CSVLogger`: writes the epoch logs to a CSV file."""

from __future__ import annotations

import collections
import csv
import io
import os
from collections.abc import Iterable

import numpy as np

from layerwise.callbacks.callback import Callback
from layerwise.utils.atomic import atomic_write


class CSVLogger(Callback):
    """Streams epoch results to a CSV file.

    One row per epoch: `epoch` then the log keys in alphabetical order (the
    keys of the first epoch; missing values are written `NA`). When the first
    epoch has no validation keys, `val_<key>` columns are added for every key,
    as in Keras. Non-scalar values are written as `"[v1, v2, ...]"`.

    Every write replaces the file atomically (the whole content is written to a
    temporary file that is then renamed), so a crash never leaves a truncated
    row or an empty file.

    Args:
        filename: Path of the CSV file, e.g. `"run/log.csv"`.
        separator: String used to separate the elements of a row.
        append: `True`: append to the file if it exists (the header is only
            written when the file is empty), e.g. when resuming training.
            `False`: overwrite an existing file.

    Example:

    >>> import layerwise as keras
    >>> csv_logger = keras.callbacks.CSVLogger("training.log")
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self._content = ""

    def on_train_begin(self, logs=None):
        self._content = ""
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8", newline="") as f:
                self._content = f.read()
            self.append_header = not self._content
        self.writer = None
        self.keys = None
        if not self.append or not os.path.exists(self.filename):
            # As `open(filename, "w")` in Keras: the file exists (empty) from the start.
            self._flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if not any(key.startswith("val_") for key in self.keys) and self.keys:
                self.keys.extend([f"val_{k}" for k in self.keys])
        buffer = io.StringIO()
        sep = self.sep

        class CustomDialect(csv.excel):
            delimiter = sep

        writer = csv.DictWriter(buffer, fieldnames=["epoch"] + (self.keys or []),
                                dialect=CustomDialect)
        if self.writer is None:
            self.writer = writer
            if self.append_header:
                writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _handle_value(logs.get(key, "NA"))) for key in self.keys)
        writer.writerow(row)
        self._content += buffer.getvalue()
        self._flush()

    def on_train_end(self, logs=None):
        self.writer = None

    def _flush(self) -> None:
        folder = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(folder, exist_ok=True)
        with atomic_write(self.filename, "w", newline="") as f:
            f.write(self._content)


def _handle_value(k):
    is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
    if isinstance(k, str):
        return k
    if isinstance(k, Iterable) and not is_zero_dim_ndarray:
        return f'"[{", ".join(map(str, k))}]"'
    return k
