"""Building a model from a config read from a file, defensively.

Shared by the `.keras` and legacy `.h5` loaders:

- every error while rebuilding (unknown class, unknown argument, bad shape,
  deep nesting) becomes a `ValueError` naming the file;
- safe mode is in force (`Lambda` bytecode refused unless `safe_mode=False`);
- before anything is allocated, the loading budget is checked
  (`layerwise.saving._budget`): what the config asks layers to allocate, and
  every tensor of the model rebuilt on PyTorch's `meta` device, against the
  bytes of weights the file really holds plus an allowance, so a hostile
  config cannot make the loader allocate gigabytes.
"""

from __future__ import annotations

from layerwise.layers.layer import Layer
from layerwise.registry.registration import CustomObjectScope
from layerwise.registry.safe_mode import SafeModeScope
from layerwise.registry.serialization import deserialize_keras_object, user_overrides
from layerwise.saving import _budget
from layerwise.trainers.compile_config import compile_args_from_config

# Errors that rebuilding a hostile or corrupted config can raise; all become ValueError.
LOAD_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
               RuntimeError, NotImplementedError, OverflowError, MemoryError, ZeroDivisionError,
               AssertionError, UnicodeError, LookupError, OSError, EOFError)
MAX_INPUT_ELEMENTS = _budget.MAX_INPUT_ELEMENTS


def _deserialize(config: dict, custom_objects):
    config = {k: v for k, v in config.items() if k != "compile_config"}
    return deserialize_keras_object(config, custom_objects=custom_objects)


def model_from_file_config(config, source: str, custom_objects=None, safe_mode: bool = True,
                           weights_budget: int = 0):
    """Rebuilds the (uncompiled) model of a file's config.

    Args:
        config: The parsed `config.json` / `model_config`.
        source: How to name the file in errors (`"'model.keras'"`).
        custom_objects: `{name: class_or_function}` for custom objects.
        safe_mode: Refuse serialized code (`Lambda` lambdas).
        weights_budget: Bytes of weights the file really holds (read, never
            declared): the model may allocate these plus the load allowance
            (`layerwise.saving.set_load_allowance`), checked before any allocation.

    Raises:
        ValueError: for any config that cannot be rebuilt, with the reason.
    """
    if not isinstance(config, dict):
        raise ValueError(f"The model config in {source} must be a JSON object.")

    try:
        with SafeModeScope(safe_mode), CustomObjectScope(custom_objects):
            _budget.check_before_build(config, weights_budget or 0, source,
                                       lambda c: _deserialize(c, custom_objects))
            model = _deserialize(config, custom_objects)
            _check_built_model(model, source)
    except LOAD_ERRORS as error:
        raise _as_value_error(error, source) from error
    return model


def _check_built_model(model, source: str) -> None:
    """Validates what layers only check lazily, so a loaded model is a working one."""
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
