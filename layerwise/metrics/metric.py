"""`Metric` base class and the `Mean` / `Sum` / `MeanMetricWrapper` reducers.

Metric state lives in tensors on the training device and is only read back
(synchronised) when `result()` is converted to a number. Every update is a
handful of in-place device ops; nothing in `update_state` waits for the device.
Counts that are known on the host (batch sizes) stay Python numbers, so an
unweighted `Mean` update is a single in-place device op.

The state tensors are `Variable`s (no gradient), so Keras-style custom metrics
that call `self.add_variable(...)` / `self.add_weight(...)` and
`variable.assign_add(...)` work unchanged.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import torch

from layerwise.backend import naming
from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.backend.convert import convert_to_tensor as as_tensor
from layerwise.backend.variables import Variable
from layerwise.losses import ALL_OBJECTS as _LOSS_OBJECTS
from layerwise.losses.loss import squeeze_or_expand_to_same_rank
from layerwise.metrics import stateless
from layerwise.registry.family import family
from layerwise.registry.names import names


def standardize_dtype(dtype) -> str:
    """A dtype name (`"float32"`) from a name, `"int"`/`"float"`, or a torch/NumPy dtype."""
    if dtype is None:
        return floatx()
    if dtype == "int":
        return "int32"
    if dtype == "float":
        return floatx()
    return str(to_torch_dtype(dtype)).replace("torch.", "")


def divide_no_nan(x1, x2):
    """`x1 / x2`, with 0 where `x2 == 0` (Keras `ops.divide_no_nan`)."""
    safe = torch.where(x2 == 0, torch.ones_like(x2), x2)
    return torch.where(x2 == 0, torch.zeros_like(x1 / safe), x1 / safe)


def _detach(x):
    """Detaches a tensor, keeping the logits an activation remembered."""
    if not isinstance(x, torch.Tensor) or not x.requires_grad:
        return x
    detached = x.detach()
    logits = getattr(x, "_keras_logits", None)
    if logits is not None:
        detached._keras_logits = logits.detach()
    return detached


def float_pair(y_true, y_pred):
    """`(y_true, y_pred)` as tensors: `y_pred` floating point, `y_true` in its dtype and
    on its device."""
    y_pred = as_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    return as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred


def check_2d_inputs(metric: str, y_true_shape, y_pred_shape) -> None:
    """Raises Keras' `ValueError` unless both inputs of `metric` are `(batch_size, output_dim)`."""
    if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
        raise ValueError(
            f"{metric} expects 2D inputs with shape (batch_size, output_dim). Received "
            f"input shapes: y_pred.shape={tuple(y_pred_shape)} and "
            f"y_true.shape={tuple(y_true_shape)}."
        )


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`.

    Subclasses create their state with `add_variable` in `__init__` (or on the
    first update, when its shape depends on the data), update it in place in
    `update_state` and compute the value in `result`. The state follows the
    device of the inputs; `to(device)` moves it explicitly.

    Args:
        name: Name of the metric (its key in the logs). Defaults to the
            snake-case class name, made unique (`auc`, `auc_1`, ...).
        dtype: Dtype of the state (default `floatx()`).

    Example:

    >>> import torch, layerwise as keras
    >>> class Total(keras.metrics.Metric):
    ...     def __init__(self, name="total", dtype=None):
    ...         super().__init__(name=name, dtype=dtype)
    ...         self.total = self.add_variable(shape=(), initializer="zeros", name="total")
    ...     def update_state(self, values, sample_weight=None):
    ...         self.total.assign_add(torch.sum(torch.as_tensor(values)))
    ...     def result(self):
    ...         return self.total.clone()
    >>> m = Total()
    >>> m.update_state([1.0, 2.0])
    >>> float(m.result())
    3.0
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._dtype_name = standardize_dtype(dtype)
        self._device = torch.device("cpu")
        self._variable_names: list[str] = []

    # ------------------------------------------------------------- dtype/state
    @property
    def dtype(self) -> str:
        """Dtype of the metric (a name, `"float32"` by default)."""
        return self._dtype_name

    @property
    def torch_dtype(self) -> torch.dtype:
        return to_torch_dtype(self._dtype_name)

    @property
    def device(self) -> torch.device:
        """The device the state lives on."""
        return self._device

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name: str | None = None) -> Variable:
        """Creates a state tensor (a non-trainable `Variable`) on the metric's device.

        It becomes the attribute `name` (Keras-style code also assigns the
        returned variable to an attribute of that name) and is listed in
        `variables`, zeroed by `reset_state()` and moved by `to()`.
        """
        del aggregation  # Only one device holds the state.
        if name is None:
            name = f"variable_{len(self._variable_names)}"
        dtype = to_torch_dtype(dtype or floatx())
        shape = tuple(int(s) for s in (shape if isinstance(shape, (list, tuple)) else (shape,)))
        if initializer in (None, "zeros", "Zeros") or getattr(
            type(initializer), "__name__", "") == "Zeros":
            value = torch.zeros(shape, dtype=dtype, device=self._device)
        elif initializer in ("ones", "Ones"):
            value = torch.ones(shape, dtype=dtype, device=self._device)
        elif callable(initializer):
            value = as_tensor(initializer(shape, dtype=str(dtype).replace("torch.", "")),
                              dtype=dtype, device=self._device)
        else:
            value = torch.full(shape, float(initializer), dtype=dtype, device=self._device)
        variable = self._make_variable(value, name)
        setattr(self, name, variable)
        if name not in self._variable_names:
            self._variable_names.append(name)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None) -> Variable:
        """Alias of `add_variable` (Keras 2 style)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def _make_variable(self, value, name):
        variable = Variable(value, requires_grad=False)
        variable.name = name
        variable.path = f"{self.name}/{name}"
        variable.trainable = False
        return variable

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state tensors, in creation order."""
        return [getattr(self, n) for n in self._variable_names]

    def to(self, device) -> Metric:
        """Moves the state (and every other tensor the metric holds) to `device`."""
        device = torch.device(device)
        self._device = device
        for key, value in list(vars(self).items()):
            if isinstance(value, torch.Tensor) and value.device != device:
                moved = value.detach().to(device)
                if isinstance(value, Variable):
                    moved = self._make_variable(moved, value.name)
                setattr(self, key, moved)
        return self

    def _follow(self, device) -> None:
        """Moves the state to `device` when the inputs live elsewhere (host-only check)."""
        if device != self._device:
            self.to(device)

    def _input_device(self, *tensors) -> torch.device:
        for t in tensors:
            if isinstance(t, torch.Tensor):
                return t.device
        return self._device

    # ---------------------------------------------------------------- protocol
    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self) -> None:
        """Zeroes every state variable in place."""
        with torch.no_grad():
            for v in self.variables:
                v.zero_()

    # -------------------------------------------------------------- stateless
    def _load_state_values(self, values) -> None:
        """Writes `values` (in the order of `variables`) into the state in place."""
        with torch.no_grad():
            for variable, value in zip(self.variables, values, strict=True):
                variable.copy_(as_tensor(value, dtype=variable.dtype, device=variable.device))

    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list:
        """`update_state` on the state `metric_variables`; returns the new state values.

        The metric's own state is left unchanged (Keras 3's stateless API).
        """
        return stateless.stateless_update_state(self, metric_variables, *args, **kwargs)

    def stateless_result(self, metric_variables):
        """`result()` computed from the state values `metric_variables`."""
        return stateless.stateless_result(self, metric_variables)

    def stateless_reset_state(self) -> list:
        """The state values after `reset_state()` (the metric itself is unchanged)."""
        return stateless.stateless_reset_state(self)

    def __call__(self, *args, **kwargs):
        """Updates the state and returns the new result (Keras semantics)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def reduce_to_samplewise_values(values, sample_weight, reduce_fn=torch.mean, dtype=None):
    """Keras' reduction of metric values to one value per sample, with weights applied.

    Args:
        values: Per-element values (any rank).
        sample_weight: `None`, or weights broadcastable to `values` after the
            Keras rank adjustment. Weights of lower rank than `values` first
            reduce the extra axes of `values` with `reduce_fn`.
        reduce_fn: `torch.mean` (for `Mean`) or `torch.sum` (for `Sum`).
        dtype: Dtype of the computation.

    Returns:
        `(values, sample_weight)`: values of rank <= 1 and the matching weights.
    """
    dtype = to_torch_dtype(dtype or floatx())
    values = as_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype=dtype, device=values.device)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, dim=list(range(weight_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=list(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, dim=list(range(1, values.ndim)))
    return values, sample_weight


def apply_mask(sample_weight, mask, dtype, device=None):
    """`sample_weight * mask` after Keras' rank adjustment (the `"sum"` reduction rule)."""
    mask = as_tensor(mask, dtype=dtype, device=device)
    sample_weight = as_tensor(sample_weight, dtype=dtype, device=mask.device)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def _is_host_scalar(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


class Sum(Metric):
    """Weighted sum of the values seen.

    Values of rank > 1 are summed over every axis; a `sample_weight` of lower
    rank first sums the axes it does not cover (as Keras does).

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(m.result())
    16.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), dtype=self.dtype, name="total")

    @torch.no_grad()
    def update_state(self, values, sample_weight=None) -> None:
        values = as_tensor(_detach(values), device=self._input_device(values))
        self._follow(values.device)
        values, _ = reduce_to_samplewise_values(values, sample_weight, torch.sum, self.dtype)
        self.total.add_(torch.sum(values))

    def result(self) -> torch.Tensor:
        return self.total.detach().clone()


class Mean(Metric):
    """Weighted mean of the values seen.

    Unweighted updates, and updates with one Python number as the weight (the
    batch size of a loss), keep the count on the host; per-sample weights keep
    it on the device.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.Mean()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(m.result())
    4.0
    >>> m.update_state([9.0], sample_weight=[3.0])
    >>> round(float(m.result()), 4)
    6.1429
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), dtype=self.dtype, name="total")
        self.count = 0.0

    def reset_state(self) -> None:
        super().reset_state()
        self.count = 0.0

    @torch.no_grad()
    def update_state(self, values, sample_weight=None) -> None:
        mask = getattr(values, "_keras_mask", None)
        values = as_tensor(_detach(values), device=self._input_device(values, sample_weight))
        self._follow(values.device)
        if sample_weight is not None and mask is not None:
            # Keras: a mask on the values (e.g. `ignore_class`) multiplies given weights.
            sample_weight = apply_mask(sample_weight, mask, self.dtype, values.device)
        if sample_weight is None:
            values, _ = reduce_to_samplewise_values(values, None, torch.mean, self.dtype)
            self.total.add_(torch.sum(values) if values.ndim else values)
            self._add_count(values.shape[0] if values.ndim >= 1 else 1)
        elif _is_host_scalar(sample_weight):
            # A scalar weight weighs the mean of the whole batch (Keras' rank rule).
            weight = float(sample_weight)
            values = as_tensor(values, dtype=self.dtype)
            self.total.add_(torch.mean(values) if values.ndim else values, alpha=weight)
            self._add_count(weight)
        else:
            values, sample_weight = reduce_to_samplewise_values(
                values, sample_weight, torch.mean, self.dtype
            )
            self.total.add_(torch.sum(values))
            self._add_count(torch.sum(sample_weight))

    @property
    def variables(self) -> list[torch.Tensor]:
        """`[total, count]`, as in Keras (the count is a host number until weights are seen)."""
        count = self.count
        if not isinstance(count, torch.Tensor):
            count = self._make_variable(torch.tensor(count, dtype=self.total.dtype,
                                                     device=self.total.device), "count")
        return [self.total, count]

    def _load_state_values(self, values) -> None:
        total, count = values
        with torch.no_grad():
            self.total.copy_(as_tensor(total, dtype=self.total.dtype, device=self.total.device))
        if isinstance(self.count, torch.Tensor):
            with torch.no_grad():
                self.count.copy_(as_tensor(count, dtype=self.count.dtype,
                                           device=self.count.device))
        else:
            self.count = float(torch.as_tensor(count))

    def add_batch_mean(self, value: torch.Tensor, batch_size: int) -> None:
        """Adds a batch's mean `value` weighted by `batch_size` (the trainer's loss update).

        Same result as `update_state(value, sample_weight=batch_size)` without the
        generic checks: the running sum stays on the device, the count on the host.
        """
        if self.total.device == value.device:
            self.total.add_(value.detach(), alpha=batch_size)
            self._add_count(batch_size)
        else:
            self.update_state(value.detach(), sample_weight=batch_size)

    def _add_count(self, count) -> None:
        if isinstance(count, torch.Tensor):
            if not isinstance(self.count, torch.Tensor):
                self.count = self._make_variable(torch.full(
                    (), self.count, dtype=self.total.dtype, device=self.total.device), "count")
            self.count.add_(count.to(self.count.dtype))
        elif isinstance(self.count, torch.Tensor):
            self.count.add_(count)
        else:
            self.count += float(count)

    def result(self) -> torch.Tensor:
        total = self.total.detach()
        count = self.count
        if isinstance(count, torch.Tensor):
            return divide_no_nan(total, count)
        return total / count if count else torch.zeros_like(total)


def _serialize_fn(fn) -> Any:
    name = getattr(fn, "__name__", None)
    if name is None:
        return fn
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def _deserialize_fn(config) -> Callable:
    if callable(config):
        return config
    if isinstance(config, dict):
        config = config.get("config")
    fn = names("metric function").get(config)
    if fn is None:
        fn = family("loss").get(config)
    return fn


class MeanMetricWrapper(Mean):
    """Mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
        fn: Function returning one value per sample (or per element; extra
            axes are averaged).
        name: Name of the metric (default: the snake-case class name, made unique:
            `"mean_metric_wrapper"`).
        dtype: Dtype of the state.
        **kwargs: Passed to `fn`.

    A wrapped Keras loss (function or instance) makes a metric that is better lower
    (`"down"`, read by `EarlyStopping` and `ModelCheckpoint` in `mode="auto"`), as in Keras.

    Example:

    >>> import layerwise as keras
    >>> m = keras.metrics.MeanMetricWrapper(keras.metrics.mean_absolute_error)
    >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_loss(fn):
            self._direction = "down"

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        mask = getattr(y_pred, "_keras_mask", None)  # e.g. from Embedding(mask_zero=True)
        y_pred = as_tensor(_detach(y_pred), device=self._input_device(y_pred, y_true))
        y_true = as_tensor(_detach(y_true), device=y_pred.device)
        self._follow(y_pred.device)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:  # Keras: the mask joins the sample weights ("sum" rule)
            sample_weight = (as_tensor(mask, dtype=self.dtype, device=y_pred.device)
                             if sample_weight is None
                             else apply_mask(sample_weight, mask, self.dtype, y_pred.device))
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = _serialize_fn(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_fn(config["fn"])
        return cls(**config)


def _one_line_init(default_name: str) -> Callable:
    """The constructor `(name=default_name, dtype=None)` of a one-line `FunctionMetric`."""
    def __init__(self, name: str | None = default_name, dtype=None):
        self._init_function(name, dtype)
    __init__._one_line = True  # type: ignore[attr-defined]
    return __init__


def _is_loss(fn) -> bool:
    """Whether `fn` is one of Keras' loss functions (also layerwise.metrics' copy of one,
    e.g. `metrics.mean_squared_error`) or an instance of a loss class."""
    losses = _LOSS_OBJECTS.values()
    if any(fn is obj for obj in losses) or any(type(fn) is obj for obj in losses):
        return True
    return (getattr(fn, "__module__", "") or "").startswith("layerwise.metrics") \
        and getattr(fn, "__name__", None) in _LOSS_OBJECTS


class FunctionMetric(MeanMetricWrapper):
    """A `MeanMetricWrapper` whose function, default name and direction (`"up"`: higher is
    better, `"down"`; `None` keeps `Metric`'s) are class attributes, so a built-in metric
    class is one line. A subclass with arguments of its own passes them to `_init_function`:
    they go to the function, become attributes and follow `name` and `dtype` in the config.

    A one-line subclass gets Keras' constructor `(name=default_name, dtype=None)`: an
    explicit `name=None` names it after its class, made unique, as in Keras."""

    function: Callable
    default_name: str
    direction: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        inherited = cls.__init__
        if "default_name" in cls.__dict__ and (inherited is FunctionMetric.__init__
                                               or getattr(inherited, "_one_line", False)):
            cls.__init__ = _one_line_init(cls.default_name)

    def __init__(self, name: str | None = None, dtype=None):
        self._init_function(name, dtype)

    def _init_function(self, name: str | None, dtype, **kwargs) -> None:
        super().__init__(type(self).function, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)
        if self.direction is not None:
            self._direction = self.direction

    def get_config(self) -> dict:
        """`name`, `dtype` and the function's arguments (the function is the class's)."""
        return {**Metric.get_config(self), **{key: getattr(self, key) for key in self._fn_kwargs}}
