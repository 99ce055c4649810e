"""`layerwise.optimizers`: update rules, by Keras name.

Names are case-insensitive, as in Keras (`"adam"`, `"Adam"`, `"ADAM"`, `"adamw"`).

Example:

>>> import layerwise as keras
>>> keras.optimizers.get("adam").learning_rate
0.0010000000474974513
>>> config = keras.optimizers.serialize(keras.optimizers.SGD(0.1, momentum=0.9))
>>> keras.optimizers.deserialize(config).momentum
0.9
"""

from __future__ import annotations

from layerwise.optimizers import schedules as schedules
from layerwise.optimizers.adadelta import Adadelta as Adadelta
from layerwise.optimizers.adafactor import Adafactor as Adafactor
from layerwise.optimizers.adagrad import Adagrad as Adagrad
from layerwise.optimizers.adam import Adam as Adam
from layerwise.optimizers.adamax import Adamax as Adamax
from layerwise.optimizers.adamw import AdamW as AdamW
from layerwise.optimizers.ftrl import Ftrl as Ftrl
from layerwise.optimizers.lion import Lion as Lion
from layerwise.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
from layerwise.optimizers.nadam import Nadam as Nadam
from layerwise.optimizers.optimizer import Optimizer as Optimizer
from layerwise.optimizers.rmsprop import RMSprop as RMSprop
from layerwise.optimizers.sgd import SGD as SGD
from layerwise.registry import object_registry
from layerwise.registry.family import Family

ALL_OBJECTS = {c.__name__: c for c in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax,
                                       Nadam, Ftrl, Lion, Adafactor)}
_LOWER = {name.lower(): cls for name, cls in ALL_OBJECTS.items()}
_REGISTRY = {**ALL_OBJECTS, **_LOWER}
_REGISTRY["LossScaleOptimizer"] = LossScaleOptimizer  # by config only: it wraps another
_FAMILY = Family("optimizer", _REGISTRY, Optimizer)


def _normalize(name):
    """Built-in names are case-insensitive (Keras lower-cases them)."""
    if isinstance(name, str) and name.lower() in _LOWER:
        return _LOWER[name.lower()].__name__
    return name


def get(identifier) -> Optimizer | None:
    """Returns an optimizer from a name (`"adam"`), a config dict or an instance.

    Args:
        identifier: A name (case-insensitive: `"sgd"`, `"RMSprop"`, `"adamw"`, ...),
            a `{"class_name": ..., "config": {...}}` dict, or an `Optimizer`.

    Returns:
        An `Optimizer` (a new one with default arguments for a name); `None` for `None`.

    Example:

    >>> import layerwise as keras
    >>> opt = keras.optimizers.get("Nadam")
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        optimizer = deserialize(identifier)
    else:
        optimizer = _FAMILY.get(_normalize(identifier))
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Pass a name such as "
            "'adam' or an optimizer instance such as `keras.optimizers.Adam(1e-3)`."
        )
    return optimizer


def serialize(optimizer: Optimizer) -> dict:
    """The optimizer as `{"module", "class_name", "config", "registered_name"}`."""
    return _FAMILY.serialize(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Builds an optimizer from `serialize()` output (class names are case-insensitive)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"An optimizer config must be a dict with a 'class_name' key. Received: {config!r}"
        )
    class_name = _normalize(config["class_name"])
    cls = (custom_objects or {}).get(class_name) or _REGISTRY.get(class_name)
    if isinstance(cls, type) and issubclass(cls, Optimizer):
        return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)
    return object_registry.deserialize("optimizer", {**config, "class_name": class_name},
                                       _REGISTRY, custom_objects)
