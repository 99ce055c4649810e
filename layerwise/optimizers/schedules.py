"""Learning-rate schedules: `schedule(step)` gives the learning rate at an optimizer step.

Schedules are evaluated on the host, from the optimizer's Python step counter,
in float32 NumPy arithmetic with the operation order of Keras 3 (which computes
them as float32 tensors), so the values are Keras' values and a training step
never waits for the device.

Example:

>>> import layerwise as keras
>>> schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(schedule(10), 6)
0.05
>>> opt = keras.optimizers.SGD(learning_rate=schedule)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from layerwise.optimizers._float32 import cos as _cos
from layerwise.optimizers._float32 import f32 as _f
from layerwise.optimizers._float32 import log as _log
from layerwise.optimizers._float32 import pow as _pow
from layerwise.registry import object_registry


def _step_value(step) -> Any:
    """The step as a NumPy scalar (torch / NumPy / Python numbers accepted)."""
    if hasattr(step, "detach"):
        step = step.detach().cpu().numpy()
    return np.asarray(step)[()]


def _as_f32(step) -> np.float32:
    return _f(_step_value(step))


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step) -> float` and `get_config`.

    Example:

    >>> import layerwise as keras
    >>> class Halving(keras.optimizers.schedules.LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate / (2 ** (step // 100))
    ...     def get_config(self):
    ...         return {"initial_learning_rate": self.initial_learning_rate}
    """

    def __call__(self, step) -> float:
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


def _check_positive(name: str, value) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class _ArgsSchedule(LearningRateSchedule):
    """A built-in schedule whose config is its constructor arguments, kept as attributes.

    `_config_keys` lists the arguments in config order; `_attributes` maps the ones
    stored under another attribute name.
    """

    _config_keys: tuple[str, ...] = ()
    _attributes: dict[str, str] = {}

    def _store(self, arguments: dict) -> None:
        """Sets the attribute of each config key from the constructor's `locals()`."""
        for key in self._config_keys:
            setattr(self, self._attributes.get(key, key), arguments[key])

    def get_config(self) -> dict:
        return {key: getattr(self, self._attributes.get(key, key)) for key in self._config_keys}


class ExponentialDecay(_ArgsSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the rate at step 0.
        decay_steps: Int > 0.
        decay_rate: Float, the factor per `decay_steps` steps.
        staircase: If `True`, `step / decay_steps` is floored (decay in steps).
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.ExponentialDecay(
    ...     0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        self._store(locals())
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step) -> float:
        p = _as_f32(step) / _f(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return float(_f(self.initial_learning_rate) * _pow(self.decay_rate, p))


class PiecewiseConstantDecay(_ArgsSchedule):
    """A constant rate per interval of steps.

    The rate is `values[0]` up to `boundaries[0]` (included), `values[i]` for
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after the last
    boundary.

    Args:
        boundaries: Increasing step numbers (ints).
        values: The rates, one more than `boundaries`.
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
    ...     boundaries=[100, 200], values=[1.0, 0.5, 0.1])
    >>> schedule(150)
    0.5
    """

    _config_keys = ("boundaries", "values", "name")

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self._store(locals())

    def __call__(self, step) -> float:
        step = _step_value(step)
        if np.issubdtype(np.asarray(step).dtype, np.integer):
            # Keras casts the boundaries to the step's (integer) dtype.
            boundaries = [int(b) for b in self.boundaries]
        else:
            step = _f(step)
            boundaries = [_f(b) for b in self.boundaries]
        values = [_f(v) for v in self.values]
        if step <= boundaries[0]:
            return float(values[0])
        if step > boundaries[-1]:
            return float(values[-1])
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1], strict=True):
            if low < step <= high:
                return float(value)
        return 0.0


class PolynomialDecay(_ArgsSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, then `end`.

    Args:
        initial_learning_rate: Float, the rate at step 0.
        decay_steps: Int > 0, steps to reach `end_learning_rate`.
        end_learning_rate: Float (default 1e-4).
        power: Float (default 1.0, linear).
        cycle: If `True`, restart after `decay_steps` (with a longer period).
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.PolynomialDecay(0.1, 10000, 0.01, power=0.5)
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power",
                    "cycle", "name")

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        self._store(locals())
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step) -> float:
        initial = _f(self.initial_learning_rate)
        end = _f(self.end_learning_rate)
        power = _f(self.power)
        step = _as_f32(step)
        decay_steps = _f(self.decay_steps)
        if self.cycle:
            multiplier = _f(1.0) if step == 0 else np.ceil(step / _f(self.decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return float((initial - end) * _pow(_f(1) - p, power) + end)


class InverseTimeDecay(_ArgsSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: Float, the rate at step 0.
        decay_steps: Int > 0.
        decay_rate: Float.
        staircase: If `True`, `step / decay_steps` is floored.
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, 1.0, 0.5)
    >>> round(schedule(2), 6)
    0.05
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(self, initial_learning_rate: float, decay_steps, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        self._store(locals())
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step) -> float:
        p = _as_f32(step) / _f(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return float(_f(self.initial_learning_rate) / (_f(1) + _f(self.decay_rate) * p))


class CosineDecay(_ArgsSchedule):
    """Cosine decay to `alpha * initial` over `decay_steps`, with an optional linear warmup.

    Without warmup: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha)`
    with `t = min(step, decay_steps)`. With `warmup_target`, the rate first goes
    linearly from `initial_learning_rate` to `warmup_target` in `warmup_steps`,
    then decays from `warmup_target`.

    Args:
        initial_learning_rate: Float.
        decay_steps: Int > 0.
        alpha: Float, the final rate as a fraction of the decayed-from rate.
        name: Optional name.
        warmup_target: Float or `None` (no warmup).
        warmup_steps: Int (default 0).

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.CosineDecay(
    ...     0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target",
                    "warmup_steps")

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        self._store(locals())
        _check_positive("decay_steps", decay_steps)

    def _decay(self, step, decay_steps, decay_from_lr):
        completed_fraction = step / decay_steps
        cosine_decayed = _f(0.5) * (_f(1.0) + _cos(_f(math.pi) * completed_fraction))
        decayed = _f(1 - self.alpha) * cosine_decayed + _f(self.alpha)
        return decay_from_lr * decayed

    def __call__(self, step) -> float:
        initial = _f(self.initial_learning_rate)
        decay_steps = _f(self.decay_steps)
        step = _as_f32(step)
        if self.warmup_target is None:
            return float(self._decay(min(step, decay_steps), decay_steps, initial))
        target = _f(self.warmup_target)
        warmup_steps = _f(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return float((target - initial) * (step / warmup_steps) + initial)
        return float(self._decay(step - warmup_steps, decay_steps, target))


class CosineDecayRestarts(_ArgsSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `t_mul`, peaks by `m_mul`.

    Args:
        initial_learning_rate: Float.
        first_decay_steps: Int > 0, length of the first period.
        t_mul: Factor of the period length after each restart (default 2.0).
        m_mul: Factor of the peak rate after each restart (default 1.0).
        alpha: Float, the minimum rate as a fraction of `initial_learning_rate`.
        name: Optional name.

    Example:

    >>> import layerwise as keras
    >>> schedule = keras.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=100)
    """

    _config_keys = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha",
                    "name")
    _attributes = {"t_mul": "_t_mul", "m_mul": "_m_mul"}

    def __init__(self, initial_learning_rate: float, first_decay_steps: int,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay"):
        self._store(locals())
        _check_positive("first_decay_steps", first_decay_steps)

    def __call__(self, step) -> float:
        initial = _f(self.initial_learning_rate)
        alpha = _f(self.alpha)
        t_mul = _f(self._t_mul)
        m_mul = _f(self._m_mul)
        completed_fraction = _as_f32(step) / _f(self.first_decay_steps)
        if t_mul == 1.0:
            i_restart = np.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            i_restart = np.floor(
                _log(_f(1.0) - completed_fraction * (_f(1.0) - t_mul)) / _log(t_mul)
            )
            sum_r = (_f(1.0) - _pow(t_mul, i_restart)) / (_f(1.0) - t_mul)
            completed_fraction = (completed_fraction - sum_r) / _pow(t_mul, i_restart)
        m_fac = _pow(m_mul, i_restart)
        cosine_decayed = _f(0.5) * m_fac * (_f(1.0) + _cos(_f(math.pi) * completed_fraction))
        decayed = (_f(1) - alpha) * cosine_decayed + alpha
        return float(initial * decayed)


ALL_OBJECTS = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay,
                                       PolynomialDecay, InverseTimeDecay, CosineDecay,
                                       CosineDecayRestarts)}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """The schedule as `{"module", "class_name", "config", "registered_name"}` (Keras' form)."""
    cls = type(learning_rate_schedule)
    builtin = ALL_OBJECTS.get(cls.__name__) is cls
    return {"module": "keras.optimizers.schedules" if builtin else cls.__module__,
            "class_name": cls.__name__, "config": learning_rate_schedule.get_config(),
            "registered_name": None if builtin else cls.__name__}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Builds a schedule from `serialize()` output (`custom_objects` for your own classes)."""
    return object_registry.deserialize("learning rate schedule", config, ALL_OBJECTS,
                                       custom_objects)
