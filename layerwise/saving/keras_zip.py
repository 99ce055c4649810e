"""The `.keras` format: an uncompressed zip of `metadata.json`, `config.json`, `model.weights.h5`.

`config.json` is the model's Keras-format config (`module`, `class_name`,
`registered_name`, `config`, `build_config`, `compile_config`), and
`model.weights.h5` holds the variables in Keras 3's group layout (see
`layerwise.saving.weights_h5`), so archives written here load in Keras 3 and
the reverse.

Reading is defensive: member names must stay inside the archive's root (no
absolute paths, `..`, backslashes or drive letters), encrypted members,
oversized members and decompression bombs are refused, and the JSON is
size-limited; every failure is a `ValueError` naming the file.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import tempfile
import zipfile
from typing import Any

from layerwise.models.functional import Functional
from layerwise.registry.serialization import (
    serialize_config_values,
    serialize_keras_object,
    user_overrides,
)
from layerwise.saving._files import atomic_target, h5py_module
from layerwise.saving._loader import compile_from_file_config, model_from_file_config
from layerwise.saving.weights_h5 import prepare_optimizer, read_weights, saveables, write_weights
from layerwise.trainers.compile_config import serialize_compile_config

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
ASSETS_DIRNAME = "assets"
# The Keras 3 API version layerwise writes files for.
KERAS_VERSION = "3.5.0"

MAX_CONFIG_BYTES = 64 << 20
MAX_METADATA_BYTES = 1 << 20
MAX_MEMBERS = 100_000
# A member that expands to more than this ratio of its stored size (above the floor)
# is a decompression bomb (Keras stores members uncompressed: ratio ~1).
BOMB_FLOOR_BYTES = 64 << 20
BOMB_MAX_RATIO = 100
# All the asset files of an archive together (vocabularies) are refused above this.
MAX_ASSETS_BYTES = 256 << 20
# Weights members up to this size are read in memory; larger ones go to a temp file.
IN_MEMORY_WEIGHTS_BYTES = 1 << 30


def model_config_for_saving(model) -> dict:
    """The top-level config Keras writes in `config.json`."""
    config = serialize_keras_object(model)
    build_config = model.get_build_config() if hasattr(model, "get_build_config") else None

    if isinstance(model, Functional):
        build_config = {"input_shape": None}
    if build_config is not None:
        config["build_config"] = build_config
    config["compile_config"] = serialize_compile_config(model) \
        if not user_overrides(model, "get_compile_config") \
        else serialize_config_values(model.get_compile_config())  # the guide's custom hooks
    return config


def save_model_to_archive(model, filepath: str, include_optimizer: bool = True) -> None:
    """Writes `model` as a `.keras` archive, atomically (temp file + `os.replace`)."""
    h5py = h5py_module()
    if include_optimizer:
        prepare_optimizer(model)
    config = model_config_for_saving(model)
    config_json = json.dumps(config)
    metadata_json = json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    })
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_weights(model, f, include_optimizer=include_optimizer)
    assets = collect_assets(model)
    with atomic_target(filepath) as temp:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILENAME, metadata_json)
            zf.writestr(CONFIG_FILENAME, config_json)
            zf.writestr(WEIGHTS_FILENAME, buffer.getbuffer())
            for name, data in assets.items():
                zf.writestr(name, data)


def _asset_owners(model) -> list[tuple[str, Any]]:
    return [(path, obj) for path, obj in saveables(model, include_optimizer=False)
            if callable(getattr(obj, "save_asset_files", None))]


def collect_assets(model) -> dict[str, bytes]:
    """`{"assets/<object path>/<file>": bytes}` for the layers that keep assets (vocabularies)."""
    out = {}
    for path, obj in _asset_owners(model):
        for name, data in obj.save_asset_files().items():
            out[f"{ASSETS_DIRNAME}/{path}/{name}" if path else f"{ASSETS_DIRNAME}/{name}"] = data
    return out


def load_assets(model, archive: KerasArchive) -> None:
    """Gives each layer the files of its folder in the archive's `assets/` (read in memory)."""
    budget = MAX_ASSETS_BYTES
    for path, obj in _asset_owners(model):
        prefix = f"{ASSETS_DIRNAME}/{path}/" if path else f"{ASSETS_DIRNAME}/"
        files = {}
        for member in sorted(archive.names_under(prefix)):
            rest = member[len(prefix):]
            if not rest or "/" in rest:
                continue
            data = archive.read(member, budget)
            budget -= len(data)
            files[rest] = data
        if files:
            obj.load_asset_files(files)


# --------------------------------------------------------------------- reading
def _check_member_name(name: str, source: str) -> None:
    bad = (not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name
           or (len(name) > 1 and name[1] == ":")
           or any(part in ("..", ".") for part in name.split("/"))
           or any(ord(c) < 32 for c in name))
    if bad:
        raise ValueError(
            f"Not allowed: {source} has an archive member {name!r} whose path leaves the "
            "archive's root (absolute, '..', backslash or drive letter)."
        )


class KerasArchive:
    """A validated, open `.keras` archive.

    Example:

    >>> import layerwise as keras
    >>> keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save("model.keras")
    >>> with KerasArchive("model.keras") as archive:
    ...     archive.config()["class_name"]
    'Sequential'
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath) if not hasattr(filepath, "read") else filepath
        self.source = repr(self.filepath) if isinstance(self.filepath, str) else "the archive"
        self._zf: zipfile.ZipFile | None = None
        self.weights_bytes = 0  # bytes of the weights member really read (`open_weights`)

    def __enter__(self) -> KerasArchive:
        try:
            self._zf = zipfile.ZipFile(self.filepath, "r")
            infos = self._zf.infolist()
        except FileNotFoundError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                NotImplementedError, RuntimeError, UnicodeError) as error:
            self.close()
            raise ValueError(f"{self.source} is not a valid `.keras` archive (zip): {error}") \
                from None
        try:
            self._validate(infos)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()
            self._zf = None

    def _validate(self, infos) -> None:
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"{self.source} has {len(infos)} archive members; refusing it.")
        seen = set()
        for info in infos:
            _check_member_name(info.filename, self.source)
            if info.filename in seen:
                raise ValueError(f"{self.source} lists member {info.filename!r} twice.")
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                raise ValueError(f"{self.source}: member {info.filename!r} is encrypted.")
            if info.file_size > BOMB_FLOOR_BYTES and \
                    info.file_size > BOMB_MAX_RATIO * max(info.compress_size, 1):
                raise ValueError(
                    f"Not allowed: {self.source} member {info.filename!r} declares "
                    f"{info.file_size} bytes but stores only {info.compress_size}; refusing a "
                    "potential decompression bomb."
                )
        for required in (CONFIG_FILENAME,):
            if required not in seen:
                raise ValueError(f"{self.source} has no {required!r}: it is not a `.keras` file.")
        self._names = seen

    def _zip(self) -> zipfile.ZipFile:
        if self._zf is None:
            raise ValueError(f"{self.source} is closed: read it inside `with KerasArchive(...)`.")
        return self._zf

    def has(self, name: str) -> bool:
        return name in self._names

    def names_under(self, prefix: str) -> list[str]:
        """The members whose name starts with `prefix` (files only)."""
        return [n for n in self._names if n.startswith(prefix) and not n.endswith("/")]

    def size(self, name: str) -> int:
        return self._zip().getinfo(name).file_size

    def read(self, name: str, limit: int) -> bytes:
        """The member's bytes, refusing more than `limit` bytes."""
        info = self._zip().getinfo(name)
        if info.file_size > limit:
            raise ValueError(
                f"{self.source}: member {name!r} is {info.file_size} bytes, more than the "
                f"{limit} allowed."
            )
        try:
            with self._zip().open(info) as f:
                data = f.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError, zipfile.LargeZipFile) as error:
            raise ValueError(f"{self.source}: cannot read member {name!r}: {error}") from None
        if len(data) > limit or len(data) != info.file_size:
            raise ValueError(f"{self.source}: member {name!r} is corrupted (size mismatch).")
        return data

    def read_json(self, name: str, limit: int):
        data = self.read(name, limit)
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
            raise ValueError(f"{self.source}: {name!r} is not valid JSON: {error}") from None

    def config(self) -> dict:
        config = self.read_json(CONFIG_FILENAME, MAX_CONFIG_BYTES)
        if not isinstance(config, dict):
            raise ValueError(f"{self.source}: {CONFIG_FILENAME!r} must hold a JSON object.")
        return config

    def open_weights(self):
        """An open `h5py.File` on the weights member (the caller closes it)."""
        h5py = h5py_module()
        if not self.has(WEIGHTS_FILENAME):
            if self.has("model.weights.npz"):
                raise ValueError(
                    f"{self.source} stores its weights as `model.weights.npz`, which layerwise "
                    "does not read; re-save it with the default `h5` weights format."
                )
            raise ValueError(f"{self.source} has no {WEIGHTS_FILENAME!r}.")
        size = self.size(WEIGHTS_FILENAME)
        if size <= IN_MEMORY_WEIGHTS_BYTES:
            data = self.read(WEIGHTS_FILENAME, IN_MEMORY_WEIGHTS_BYTES)
            self.weights_bytes = len(data)
            handle = io.BytesIO(data)
            cleanup = None
        else:
            folder = tempfile.mkdtemp(prefix="layerwise-weights-")
            cleanup = folder
            handle = os.path.join(folder, "model.weights.h5")
            try:
                self.weights_bytes = self._copy_member(WEIGHTS_FILENAME, handle, size)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        try:
            f = h5py.File(handle, "r")
        except (OSError, ValueError, RuntimeError) as error:
            if cleanup:
                shutil.rmtree(cleanup, ignore_errors=True)
            raise ValueError(
                f"{self.source}: {WEIGHTS_FILENAME!r} is not a valid HDF5 file: {error}"
            ) from None
        return _ClosingH5(f, cleanup)

    def _copy_member(self, name: str, path: str, size: int) -> int:
        """Copies member `name` to `path`; the bytes really copied (never more than `size`)."""
        done = 0
        try:
            with self._zip().open(name) as src, open(path, "wb") as dst:
                while chunk := src.read(min(1 << 20, size + 1 - done)):
                    done += len(chunk)
                    if done > size:
                        break
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError, zipfile.LargeZipFile) as error:
            raise ValueError(f"{self.source}: cannot read member {name!r} (it is truncated or "
                             f"corrupted): {type(error).__name__}: {error}") from None
        if done != size:
            raise ValueError(f"{self.source}: member {name!r} is corrupted (declares {size} "
                             f"bytes, holds {done}).")
        return done


class _ClosingH5:
    """Context manager closing an `h5py.File` and removing its temp folder."""

    def __init__(self, f, cleanup):
        self.file = f
        self._cleanup = cleanup

    def __enter__(self):
        return self.file

    def __exit__(self, *exc):
        self.file.close()
        if self._cleanup:
            shutil.rmtree(self._cleanup, ignore_errors=True)


def load_model_from_archive(filepath, custom_objects=None, compile: bool = True,
                            safe_mode: bool = True):
    """Loads a model from a `.keras` archive (written by layerwise or Keras 3)."""
    with KerasArchive(filepath) as archive:
        config = archive.config()
        # The weights are read first: the loading budget counts the bytes really there.
        with archive.open_weights() as f:
            model = model_from_file_config(config, archive.source, custom_objects, safe_mode,
                                           weights_budget=archive.weights_bytes)
            compile_config = config.get("compile_config")
            if compile and compile_config:
                compile_from_file_config(model, compile_config, archive.source, custom_objects)
            _read_checked(read_weights, model, f, archive.source, load_optimizer=compile)
        try:
            load_assets(model, archive)
        except (ValueError, TypeError, RuntimeError) as error:
            raise ValueError(f"Could not load the assets of {archive.source}: {error}") \
                from error
    return model


def _read_checked(reader, model, f, source, **kwargs) -> None:
    """Runs a weights reader, turning low-level HDF5 errors into `ValueError`."""
    try:
        reader(model, f, source=source, **kwargs)
    except ValueError:
        raise
    except (OSError, KeyError, TypeError, RuntimeError, IndexError, AttributeError,
            RecursionError, MemoryError) as error:
        raise ValueError(f"Could not read the weights in {source}: {type(error).__name__}: "
                         f"{error}") from error


def load_weights_from_archive(model, filepath, skip_mismatch: bool = False) -> None:
    """Loads only the weights of a `.keras` archive into `model`."""
    with KerasArchive(filepath) as archive, archive.open_weights() as f:
        _read_checked(read_weights, model, f, archive.source, skip_mismatch=skip_mismatch,
                      load_optimizer=False)
