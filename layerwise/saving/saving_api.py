"""`save_model` / `load_model` / `save_weights` / `load_weights`, as in Keras 3.

The format follows the file name:

- `.keras`: the Keras 3 archive (architecture, compile arguments, weights
  and optimizer state); loads in Keras 3 and the reverse.
- `.h5` / `.hdf5`: the legacy Keras 2 HDF5 format (full model with
  `model.save`, weights only with `save_weights`).
- `.weights.h5`: weights (and optimizer state) in Keras 3's layout.

Every file is written atomically: to a temporary file in the same folder that
replaces the target with `os.replace` once complete, so an interrupted save
leaves the previous file intact. Loading is safe by default (`safe_mode=True`:
no serialized code runs, only registered classes are built) and every problem
with a file is a `ValueError` naming it.

Example:

>>> import os, tempfile, numpy as np, layerwise as keras
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
>>> model.save(path)
>>> restored = keras.models.load_model(path)
>>> x = np.ones((1, 3), "float32")
>>> bool(np.allclose(model.predict(x, verbose=0), restored.predict(x, verbose=0)))
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import tempfile
import warnings
import zipfile

from layerwise.saving import _distributed, keras_zip, legacy_h5
from layerwise.saving._files import atomic_target, check_overwrite, h5py_module
from layerwise.saving.weights_h5 import read_weights, write_weights

# What reading a corrupted or hostile file can raise below the loaders' own checks
# (h5py raises RuntimeError / OSError / KeyError from the HDF5 library, zipfile
# raises BadZipFile / EOFError / struct.error, ...): all become a ValueError.
_FILE_ERRORS = (OSError, RuntimeError, KeyError, TypeError, IndexError, AttributeError,
                RecursionError, MemoryError, UnicodeError, EOFError, OverflowError,
                NotImplementedError, ZeroDivisionError, LookupError, AssertionError,
                struct.error, zipfile.BadZipFile, zipfile.LargeZipFile)


@contextlib.contextmanager
def _as_value_errors(source: str):
    """Re-raises any low-level error from reading `source` as a `ValueError` naming it."""
    try:
        yield
    except (ValueError, FileNotFoundError):
        raise
    except _FILE_ERRORS as error:
        raise ValueError(
            f"Could not load {source}: the file is corrupted or not in a supported format "
            f"({type(error).__name__}: {error})."
        ) from error

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"


def _path(filepath) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise ValueError(
            f"`filepath` must be a string or path-like object. Received: {filepath!r}"
        ) from None


def _sniff(path: str) -> str | None:
    """`"zip"`, `"hdf5"` or `None`, from the file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if head.startswith(_ZIP_SIGNATURE) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == _HDF5_SIGNATURE:
        return "hdf5"
    return None


def _check_custom_objects(custom_objects) -> None:
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ValueError(
            "`custom_objects` must be a dict mapping names to classes or functions. "
            f"Received: {type(custom_objects).__name__}"
        )


def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None,
               **kwargs) -> None:
    """Saves a model as a `.keras` archive (or a legacy `.h5` file).

    Args:
        model: The model to save.
        filepath: Path ending in `.keras` (recommended) or `.h5` / `.hdf5`, or
            an open binary file object (written as a `.keras` archive).
        overwrite: Whether to replace an existing file without asking.
        zipped: Only `True`/`None` (a zip archive) is supported.
        include_optimizer: (keyword) Whether to save the optimizer state
            (default `True`; `.keras` archives always include it, as in Keras).

    The write is atomic: a failure or a killed process leaves any previous
    file at `filepath` untouched.
    """
    if _distributed.active(filepath):  # several processes: written once, by rank 0
        return _distributed.save_once(save_model, model, filepath, overwrite, zipped, **kwargs)
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False:
        raise ValueError(
            "`zipped=False` (saving to a folder) is not supported by layerwise; save to a "
            "`.keras` file."
        )
    if hasattr(filepath, "write"):
        _save_archive_to_fileobj(model, filepath)
        return
    path = _path(filepath)
    if save_format is not None and not path.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please remove this argument "
            "and pass a file path with either `.keras` or `.h5` extension. Received: "
            f"save_format={save_format}"
        )
    if not getattr(model, "built", False):
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any "
            "weights yet. Consider building the model first by calling it on some data.",
            stacklevel=2,
        )
    if path.endswith(".keras"):
        if check_overwrite(path, overwrite):
            keras_zip.save_model_to_archive(model, path)
    elif path.endswith((".h5", ".hdf5")):
        if check_overwrite(path, overwrite):
            legacy_h5.save_model_to_hdf5(model, path, include_optimizer=include_optimizer)
    else:
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension "
            "for the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath, format='onnx')` to export for inference. "
            f"Received: filepath={path}."
        )


def _save_archive_to_fileobj(model, fileobj) -> None:
    folder = tempfile.mkdtemp(prefix="layerwise-save-")
    path = os.path.join(folder, "model.keras")
    try:
        keras_zip.save_model_to_archive(model, path)
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                fileobj.write(chunk)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Loads a model saved with `model.save()` (by layerwise or Keras).

    Args:
        filepath: Path to a `.keras` archive or a legacy `.h5` / `.hdf5` file
            (or an open binary file object holding a `.keras` archive).
        custom_objects: `{name: class_or_function}` for custom layers, losses,
            metrics, ... that are not registered with `register_keras_serializable`.
        compile: Whether to compile the model with the saved compile arguments
            and restore the optimizer state (training then resumes exactly).
        safe_mode: Refuse to run code stored in the file (a `Lambda` layer's
            lambda). Only pass `False` for files you trust.

    Returns:
        The model, compiled if it was saved compiled and `compile=True`.

    Raises:
        ValueError: if the file is missing, corrupted, or describes objects
            that cannot be rebuilt safely. A failed load never returns a
            partially loaded model.
    """
    _check_custom_objects(custom_objects)
    if hasattr(filepath, "read"):
        with _as_value_errors("the archive"):
            return keras_zip.load_model_from_archive(filepath, custom_objects, compile,
                                                     safe_mode)
    path = _path(filepath)
    if not os.path.isfile(path):
        raise ValueError(
            f"File not found: filepath={path}. Please ensure the file is an accessible "
            "`.keras` zip file or `.h5` file."
        )
    kind = _sniff(path)
    if path.endswith(".keras") or kind == "zip":
        if kind != "zip":
            raise ValueError(f"{path!r} is not a valid `.keras` archive (not a zip file).")
        with _as_value_errors(repr(path)):
            return keras_zip.load_model_from_archive(path, custom_objects, compile, safe_mode)
    if path.endswith((".h5", ".hdf5")) or kind == "hdf5":
        with _as_value_errors(repr(path)):
            return legacy_h5.load_model_from_hdf5(path, custom_objects, compile, safe_mode)
    raise ValueError(
        f"File format not supported: filepath={path}. layerwise loads `.keras` files and "
        "legacy `.h5` files."
    )


def _require_built(model, action: str) -> None:
    if not getattr(model, "built", False):
        raise ValueError(
            f"You are {action} a model that has not yet been built. Try building the model "
            "first by calling it on some data or by using `build()`."
        )


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Saves the model's weights (and optimizer state) to `filepath`, atomically.

    Args:
        model: A built model.
        filepath: Path ending in `.weights.h5` (Keras 3's layout) or, for the
            legacy Keras 2 weights layout, `.h5` / `.hdf5`.
        overwrite: Whether to replace an existing file without asking.
        max_shard_size: Not supported (sharded weights).
    """
    if _distributed.active(filepath):  # several processes: written once, by rank 0
        return _distributed.save_once(save_weights, model, filepath, overwrite, max_shard_size)
    path = _path(filepath)
    if max_shard_size is not None:
        raise ValueError("`max_shard_size` (sharded weights) is not supported by layerwise.")
    if not path.endswith((".weights.h5", ".h5", ".hdf5")):
        raise ValueError(
            f"The filename must end in `.weights.h5`. Received: filepath={path}"
        )
    _require_built(model, "saving")
    if not check_overwrite(path, overwrite):
        return
    if path.endswith(".weights.h5"):
        h5py = h5py_module()
        with atomic_target(path) as temp:
            with h5py.File(temp, "w") as f:
                write_weights(model, f, include_optimizer=True)
    else:
        legacy_h5.save_weights_to_hdf5(model, path)


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Loads weights from a `.weights.h5`, `.keras` or legacy `.h5` file into `model`.

    Args:
        model: A built model with the same architecture.
        filepath: The file (`.weights.h5`, `.keras`, `.h5`, `.hdf5`).
        skip_mismatch: Skip the layers whose weights do not match the file (in
            number or shape), with a warning, instead of raising.
        by_name: (keyword, legacy `.h5` only) Match layers by name rather than
            by order.

    Raises:
        ValueError: if the file does not match the model (nothing is changed
            then), or is not a valid weights file.
    """
    by_name = kwargs.pop("by_name", None)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if objects_to_skip is not None:
        raise ValueError("`objects_to_skip` is not supported by layerwise.")
    path = _path(filepath)
    _require_built(model, "loading weights into")
    if not os.path.isfile(path):
        raise ValueError(f"File not found: filepath={path}.")
    kind = _sniff(path)
    if path.endswith(".keras") or (kind == "zip" and not path.endswith((".h5", ".hdf5"))):
        if by_name:
            raise ValueError(
                f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: {path}"
            )
        with _as_value_errors(repr(path)):
            keras_zip.load_weights_from_archive(model, path, skip_mismatch=skip_mismatch)
        return
    if not path.endswith((".h5", ".hdf5")) and kind != "hdf5":
        raise ValueError(
            f"File format not supported: filepath={path}. Weights load from `.weights.h5`, "
            "`.keras` and legacy `.h5` files."
        )
    source = repr(path)
    with _as_value_errors(source), legacy_h5.open_h5(path) as f:
        try:
            if legacy_h5.is_legacy_layout(f):
                legacy_h5.read_weights_group(legacy_h5.legacy_weights_root(f), model,
                                             skip_mismatch=skip_mismatch, by_name=bool(by_name),
                                             source=source)
            else:
                if by_name:
                    raise ValueError(
                        "`by_name` only supports legacy '.h5' weights files; "
                        f"{path!r} uses Keras 3's `.weights.h5` layout."
                    )
                if not any(key in f for key in ("vars", "layers",
                                                 "_layer_checkpoint_dependencies")):
                    raise ValueError(f"{path!r} holds no Keras weights.")
                read_weights(model, f, skip_mismatch=skip_mismatch, source=source)
        except ValueError:
            raise
        except (OSError, KeyError, TypeError, RuntimeError, IndexError, AttributeError,
                RecursionError) as error:
            raise ValueError(f"Could not read the weights in {source}: {error}") from error
