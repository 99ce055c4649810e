"""Keras' `compile_config` (in `.keras` files) and `training_config` (in legacy `.h5`).

`compile_config` is what `compile()` received, serialized as Keras serializes
it: `{"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
"run_eagerly", "steps_per_execution", "jit_compile"}`. Strings stay strings
(`"mse"`); built-in objects are written with Keras' module names
(`"keras.losses"`, `"keras.metrics"`, `"keras.optimizers"`), so Keras reads
them; custom ones with their registered name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layerwise import losses, metrics, optimizers
from layerwise.registry.registration import (
    active_custom_objects,
    get_registered_name,
    is_registered,
)

COMPILE_KEYS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                "run_eagerly", "steps_per_execution", "jit_compile")
# Keys that Keras 2's `training_config` may hold and that mean nothing here.
_LEGACY_IGNORED = ("sample_weight_mode", "optimizer_config", "auto_scale_loss")


def _family(kind: str):
    return {"loss": (losses, "keras.losses"), "metric": (metrics, "keras.metrics")}[kind]


def _serialize_object(obj, kind: str):
    module, keras_module = _family(kind)
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, Mapping):
        return {str(k): _serialize_object(v, kind) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_serialize_object(v, kind) for v in obj]
    registry = module.ALL_OBJECTS
    if isinstance(obj, type):
        obj = obj()
    if hasattr(obj, "get_config"):
        cls = type(obj)
        builtin = registry.get(cls.__name__) is cls
        return {"module": keras_module if builtin else cls.__module__,
                "class_name": cls.__name__, "config": obj.get_config(),
                "registered_name": None if builtin else get_registered_name(cls)}
    name = getattr(obj, "__name__", None)
    if callable(obj) and name:
        builtin = registry.get(name) is obj
        return {"module": keras_module if builtin else getattr(obj, "__module__", None),
                "class_name": "function", "config": name,
                "registered_name": name if builtin or not is_registered(obj)
                else get_registered_name(obj)}
    raise ValueError(f"Cannot serialize the {kind} {obj!r} for the compile config.")


def serialize_optimizer(optimizer) -> dict | None:
    """Keras' serialized form of an optimizer (`module="keras.optimizers"` for built-ins)."""
    if optimizer is None:
        return None
    cls = type(optimizer)
    builtin = optimizers.ALL_OBJECTS.get(cls.__name__) is cls
    return {"module": "keras.optimizers" if builtin else cls.__module__,
            "class_name": cls.__name__, "config": optimizer.get_config(),
            "registered_name": None if builtin else get_registered_name(cls)}


def serialize_compile_config(model) -> dict:
    """The model's compile arguments in Keras' `compile_config` form ({} if not compiled)."""
    recorded = getattr(model, "_compile_args", None)
    if not getattr(model, "compiled", False) or recorded is None:
        return {}
    jit = recorded.get("jit_compile", False)
    return {
        "optimizer": serialize_optimizer(model.optimizer),
        "loss": _serialize_object(recorded.get("loss"), "loss"),
        "loss_weights": _plain(recorded.get("loss_weights")),
        "metrics": _serialize_object(recorded.get("metrics"), "metric"),
        "weighted_metrics": _serialize_object(recorded.get("weighted_metrics"), "metric"),
        "run_eagerly": bool(recorded.get("run_eagerly", False)),
        "steps_per_execution": int(recorded.get("steps_per_execution", 1) or 1),
        "jit_compile": jit is True,
    }


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot serialize `loss_weights` value {value!r}.") from None


def _deserialize_object(config, kind: str, custom_objects):
    module, _ = _family(kind)
    if config is None:
        return None
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return config  # `compile` resolves names ("mse", "accuracy") itself
    if isinstance(config, Mapping) and "class_name" in config:
        try:
            return module.deserialize(dict(config), custom_objects=custom_objects)
        except (ValueError, TypeError) as error:
            # Keras 2 wrote built-in metrics as `MeanMetricWrapper(fn="...")`: their name
            # is enough for `compile()`.
            inner = config.get("config")
            name = inner.get("name") if isinstance(inner, Mapping) else None
            if (kind == "metric" and isinstance(inner, Mapping) and isinstance(name, str)
                    and config.get("class_name") in ("MeanMetricWrapper",
                                                     "SumOverBatchSizeMetricWrapper")):
                fn = inner.get("fn")
                try:
                    module.get(name)
                except ValueError:
                    return fn if isinstance(fn, str) else name
                return name
            raise ValueError(f"Could not rebuild the {kind} of the compile config: {error}") \
                from None
    if isinstance(config, Mapping):
        return {k: _deserialize_object(v, kind, custom_objects) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [_deserialize_object(v, kind, custom_objects) for v in config]
    raise ValueError(f"Could not interpret the {kind} entry {config!r} of the compile config.")


def deserialize_optimizer(config, custom_objects=None):
    if config is None:
        return "rmsprop"
    if isinstance(config, str):
        return optimizers.get(config)
    if not isinstance(config, Mapping):
        raise ValueError(f"Could not interpret the optimizer of the compile config: {config!r}")
    return optimizers.deserialize(dict(config), custom_objects=custom_objects)


def compile_args_from_config(config: Mapping, custom_objects=None,
                             legacy: bool = False) -> dict[str, Any]:
    """`compile()` keyword arguments from a `compile_config` (or a Keras 2 `training_config`).

    Raises:
        ValueError: for keys `compile()` does not know, or objects that cannot
            be rebuilt (unknown names, unregistered custom classes).
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"The compile config must be a dict. Received: {str(config)[:200]}")
    custom_objects = active_custom_objects(custom_objects)
    allowed = set(COMPILE_KEYS) | (set(_LEGACY_IGNORED) if legacy else set())
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise ValueError(
            f"Unknown key(s) {unknown} in the compile config; `compile()` accepts "
            f"{list(COMPILE_KEYS)}. The file may come from a newer Keras version: load it "
            "with `compile=False` and call `compile()` yourself."
        )
    optimizer_config = config.get("optimizer_config") if legacy else config.get("optimizer")
    args: dict[str, Any] = {
        "optimizer": deserialize_optimizer(optimizer_config, custom_objects),
        "loss": _deserialize_object(config.get("loss"), "loss", custom_objects),
        "metrics": _deserialize_object(config.get("metrics"), "metric", custom_objects),
        "weighted_metrics": _deserialize_object(config.get("weighted_metrics"), "metric",
                                                custom_objects),
        "loss_weights": config.get("loss_weights"),
    }
    for key in ("run_eagerly", "steps_per_execution", "jit_compile"):
        if config.get(key) is not None:
            args[key] = config[key]
    if args.get("jit_compile") not in (None, True, False, "auto"):
        raise ValueError(f"Invalid `jit_compile` in the compile config: {args['jit_compile']!r}")
    spe = args.get("steps_per_execution")
    if spe is not None and (not isinstance(spe, int) or isinstance(spe, bool) or spe < 1):
        raise ValueError(f"Invalid `steps_per_execution` in the compile config: {spe!r}")
    return args


def prepare_optimizer(model) -> None:
    """Builds a compiled model's optimizer for its weights (as Keras does on load).

    So the saved state always lists every slot and loads in Keras.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or optimizer.built or not getattr(model, "built", False):
        return
    optimizer.build(list(model.trainable_weights))
