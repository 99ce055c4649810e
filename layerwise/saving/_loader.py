"""Building a model from a config read from a file, defensively.

Shared by the `.keras` and legacy `.h5` loaders:

- every error while rebuilding (unknown class, unknown argument, bad shape,
  deep nesting) becomes a `ValueError` naming the file;
- safe mode is in force (`Lambda` bytecode refused unless `safe_mode=False`);
- before anything is allocated, the model is rebuilt once on PyTorch's `meta`
  device (no memory) to count its weights, and a config that declares more
  weights than the file can hold is refused, so a hostile config cannot make
  the loader allocate gigabytes.
"""

from __future__ import annotations

import copy
import random

import numpy as np
import torch

from layerwise.saving.safe_mode import SafeModeScope
from layerwise.saving.serialization import user_overrides

# Errors that rebuilding a hostile or corrupted config can raise; all become ValueError.
LOAD_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
               RuntimeError, NotImplementedError, OverflowError, MemoryError, ZeroDivisionError,
               AssertionError, UnicodeError, LookupError, OSError, EOFError)
# Per-sample input elements above this are refused (2**28 floats = 1 GiB per sample).
MAX_INPUT_ELEMENTS = 1 << 28


class _RestoreState:
    """Restores name counters and random states changed by the dry run."""

    def __enter__(self):
        from layerwise.backend import naming

        self._names = dict(naming._NAME_COUNTS)
        self._py = random.getstate()
        self._np = np.random.get_state()
        self._torch = torch.random.get_rng_state()
        return self

    def __exit__(self, *exc):
        from layerwise.backend import naming

        naming._NAME_COUNTS.clear()
        naming._NAME_COUNTS.update(self._names)
        random.setstate(self._py)
        np.random.set_state(self._np)
        torch.random.set_rng_state(self._torch)


def _deserialize(config: dict, custom_objects):
    from layerwise.saving.serialization import deserialize_keras_object

    config = {k: v for k, v in config.items() if k != "compile_config"}
    return deserialize_keras_object(config, custom_objects=custom_objects)


def _count_on_meta(config: dict, custom_objects) -> int | None:
    """Weights (elements) of the model the config describes, built on `meta`; `None` if unknown."""
    with _RestoreState():
        try:
            with torch.device("meta"):
                model = _deserialize(copy.deepcopy(config), custom_objects)
        except (RuntimeError, NotImplementedError, TypeError) as error:
            text = str(error).lower()
            if "meta" in text or "device" in text or "not implemented" in text:
                return None  # some layer cannot be built on `meta`: build it for real
            raise
        _check_inputs(model)
        return int(sum(w.numel() for w in model.weights))


def _check_inputs(model) -> None:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return
    for tensor in inputs or []:
        n = 1
        for d in tuple(tensor.shape)[1:]:
            n *= 1 if d is None else int(d)
        if n > MAX_INPUT_ELEMENTS:
            raise ValueError(
                f"The config declares an input of shape {tuple(tensor.shape)} "
                f"({n} elements per sample, more than {MAX_INPUT_ELEMENTS}); refusing to "
                "build it."
            )


def model_from_file_config(config, source: str, custom_objects=None, safe_mode: bool = True,
                           weights_budget: int | None = None):
    """Rebuilds the (uncompiled) model of a file's config.

    Args:
        config: The parsed `config.json` / `model_config`.
        source: How to name the file in errors (`"'model.keras'"`).
        custom_objects: `{name: class_or_function}` for custom objects.
        safe_mode: Refuse serialized code (`Lambda` lambdas).
        weights_budget: Bytes the file stores for weights: a config describing
            more weight elements than this is refused before any allocation.

    Raises:
        ValueError: for any config that cannot be rebuilt, with the reason.
    """
    if not isinstance(config, dict):
        raise ValueError(f"The model config in {source} must be a JSON object.")
    from layerwise.saving.registration import CustomObjectScope

    try:
        with SafeModeScope(safe_mode), CustomObjectScope(custom_objects):
            if weights_budget is not None:
                count = _count_on_meta(config, custom_objects)
                if count is not None and count > weights_budget + (1 << 20):
                    raise ValueError(
                        f"The config describes a model with {count} weight values, but the "
                        f"file stores only {weights_budget} bytes of weights: refusing to "
                        "build it (the file is corrupted or was crafted to exhaust memory)."
                    )
            model = _deserialize(config, custom_objects)
            _check_built_model(model, source)
    except LOAD_ERRORS as error:
        raise _as_value_error(error, source) from error
    return model


def _check_built_model(model, source: str) -> None:
    """Validates what layers only check lazily, so a loaded model is a working one."""
    from layerwise.layers.layer import Layer

    if not isinstance(model, Layer) or not hasattr(model, "compile"):
        raise ValueError(
            f"The config in {source} describes a {type(model).__name__}, not a model."
        )
    for layer in model._flatten_layers(include_self=True):
        layer.torch_dtype  # noqa: B018 - raises ValueError for an unknown dtype name
        if not isinstance(layer.name, str) or not layer.name:
            raise ValueError(f"The config in {source} has a layer without a valid name.")


def _as_value_error(error: BaseException, source: str) -> ValueError:
    if isinstance(error, RecursionError):
        detail = "the config is nested too deeply"
    elif isinstance(error, MemoryError):
        detail = "not enough memory to build the model it describes"
    else:
        detail = f"{type(error).__name__}: {error}" if not isinstance(error, ValueError) \
            else str(error)
    return ValueError(f"Could not load the model from {source}: {detail}")


def compile_from_file_config(model, compile_config, source: str, custom_objects=None,
                             legacy: bool = False) -> None:
    """Compiles `model` from a `compile_config` / `training_config`, or raises `ValueError`."""
    from layerwise.saving.compile_config import compile_args_from_config
    from layerwise.saving.registration import CustomObjectScope

    try:
        with CustomObjectScope(custom_objects):
            if user_overrides(model, "compile_from_config"):
                model.compile_from_config(compile_config)  # the model's own hook, as Keras
                return
            args = compile_args_from_config(compile_config, custom_objects, legacy=legacy)
            model.compile(**args)
    except LOAD_ERRORS as error:
        raise ValueError(
            f"Could not compile the model loaded from {source}: {error}. Load it with "
            "`compile=False` and call `compile()` yourself."
        ) from error
