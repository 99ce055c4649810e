"""`model_from_json`: a model from Keras-format JSON, in safe mode and within the load
allowance (JSON stores no weights, so the allowance is the whole budget)."""

from __future__ import annotations

import json

from layerwise.registry.safe_mode import SafeModeScope, in_safe_mode
from layerwise.registry.serialization import _CONFIG_ERRORS, deserialize_keras_object
from layerwise.saving import _budget

# Building a model from hostile JSON can raise these; `model_from_json` makes them ValueError.
_JSON_BUILD_ERRORS = _CONFIG_ERRORS + (RuntimeError, RecursionError, MemoryError,
                                       UnicodeError, OSError, EOFError)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """Builds a model from JSON written by `model.to_json()` (layerwise or Keras).

    As in Keras, safe mode is in force (no serialized code, no file named by
    the JSON is read) unless `enable_unsafe_deserialization()` was called. The
    model may allocate at most the load allowance (see
    `layerwise.saving.set_load_allowance`), checked before anything is built.

    Example:

    >>> import layerwise as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> clone = keras.models.model_from_json(model.to_json())
    >>> clone.count_params()
    8
    """
    try:
        config = json.loads(json_string)
    except (json.JSONDecodeError, RecursionError, TypeError) as error:
        raise ValueError(f"`json_string` is not valid JSON: {error}") from None
    try:
        with SafeModeScope(in_safe_mode() is not False):
            if isinstance(config, dict):  # JSON stores no weights: the allowance is the budget
                _budget.check_before_build(
                    config, 0, "the JSON string",
                    lambda c: deserialize_keras_object(c, custom_objects=custom_objects))
            return deserialize_keras_object(config, custom_objects=custom_objects)
    except ValueError:
        raise
    except _JSON_BUILD_ERRORS as error:
        detail = "the config is nested too deeply" if isinstance(error, RecursionError) else \
            f"{type(error).__name__}: {error}"
        raise ValueError(f"Could not build a model from `json_string`: {detail}") from error
