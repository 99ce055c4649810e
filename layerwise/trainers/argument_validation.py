"""Checks of the arguments of `fit`, `evaluate` and `predict`, run once per call.

Each check raises a `ValueError` (a `TypeError` for a wrong container type)
that names the argument, what was expected and what was received, before any
data is converted or any step runs, so a careless call never reaches an
internal error (`ZeroDivisionError`, `AttributeError`, a torch shape error)
or, worse, silently does something else (`batch_size="32"`). One call at the
entry of each method, e.g.
`callbacks = argument_validation.check_fit(self, x, y, batch_size, ...)`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TypeGuard

import numpy as np
import torch

from layerwise.callbacks.callback import Callback

_SPARSE_LOSSES = ("sparse_categorical_crossentropy",)


def _received(name: str, value) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"Received: {name}={text} (of type {type(value).__name__})"


def _is_int(value) -> TypeGuard[int | np.integer]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_positive_int(name: str, value, allow_none: bool = True) -> None:
    """`value` must be a positive integer (or `None` when `allow_none`)."""
    if value is None and allow_none:
        return
    if not _is_int(value) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer{' or None' if allow_none else ''}. "
            f"{_received(name, value)}"
        )


def check_callbacks(callbacks) -> list | None:
    """A list of callbacks; a single `Callback` is accepted (as Keras does)."""
    if callbacks is None:
        return None
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (list, tuple)):
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"`callbacks` must be a list of `keras.callbacks.Callback` instances; the "
                    f"item at index {i} is a {type(cb).__name__}. {_received('callbacks', cb)}"
                )
        return list(callbacks)
    if hasattr(callbacks, "set_model") and hasattr(callbacks, "on_train_begin"):
        return callbacks  # a CallbackList
    raise TypeError(f"`callbacks` must be a list of callbacks. {_received('callbacks', callbacks)}")


def _leaves(structure, path: str, depth: int = 0):
    if depth > 20:
        return
    if isinstance(structure, Mapping):
        for key, value in structure.items():
            yield from _leaves(value, f"{path}[{key!r}]", depth + 1)
    elif isinstance(structure, (list, tuple)):
        for i, value in enumerate(structure):
            yield from _leaves(value, f"{path}[{i}]", depth + 1)
    else:
        yield path, structure


def check_inputs(name: str, x) -> None:
    """No `None` inside a list/dict of inputs, no complex dtype."""
    if not isinstance(x, (list, tuple, Mapping)) and not hasattr(x, "dtype"):
        return  # generators, datasets, DataLoaders: checked by the adapters
    for path, leaf in _leaves(x, name):
        if leaf is None and path != name:
            raise ValueError(
                f"`{name}` holds None at `{path}`: every input of a list or dict must be an "
                "array or tensor (drop the entry, or give the model fewer inputs)."
            )
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            continue
        complex_dtype = dtype.is_complex if isinstance(dtype, torch.dtype) else (
            getattr(dtype, "kind", "") == "c")
        if complex_dtype:
            raise ValueError(
                f"`{path}` has the complex dtype {dtype}; layerwise models take real inputs "
                "(float or integer). Pass the real and imaginary parts as separate features "
                "(e.g. `np.stack([x.real, x.imag], -1)`)."
            )


def _num_classes(model) -> int | None:
    try:
        shape = model.output_shape
    except (AttributeError, ValueError, TypeError, NotImplementedError, RuntimeError):
        return None
    if not isinstance(shape, tuple) or not shape or not _is_int(shape[-1]):
        return None
    return 2 if shape[-1] == 1 else int(shape[-1])


def check_class_weight(model, class_weight) -> None:
    """`class_weight` is a dict `{class index: weight}` with the model's class indices."""
    if class_weight is None:
        return
    if not isinstance(class_weight, Mapping):
        raise TypeError(
            "`class_weight` must be a dict mapping class indices (integers) to weights, e.g. "
            f"{{0: 1.0, 1: 5.0}}. {_received('class_weight', class_weight)}"
        )
    classes = _num_classes(model) if getattr(model, "built", False) else None
    for key, weight in class_weight.items():
        if not _is_int(key) or key < 0 or (classes is not None and key >= classes):
            expected = f"integers from 0 to {classes - 1}" if classes else "integers >= 0"
            raise ValueError(
                f"`class_weight` keys must be class indices ({expected}: the model outputs "
                f"{classes} classes); found the key {key!r}. "
                f"{_received('class_weight', class_weight)}"
            )
        if not isinstance(weight, numbers.Real) or isinstance(weight, bool) or \
                not np.isfinite(float(weight)):
            raise ValueError(
                f"`class_weight` values must be finite numbers; class {key!r} has weight "
                f"{weight!r}. {_received('class_weight', class_weight)}"
            )


def _loss_name(model) -> str | None:
    compiled = getattr(model, "_compile_loss", None)
    identifier = getattr(compiled, "identifier", None)
    if isinstance(identifier, str):
        return identifier
    name = getattr(identifier, "name", None) or getattr(identifier, "__name__", None)
    return name if isinstance(name, str) else None


def check_target_shape(model, y) -> None:
    """Targets of a single-output model match its output (except for sparse losses)."""
    if not getattr(model, "built", False) or not hasattr(y, "shape") or \
            not isinstance(_loss_name(model), str) or _loss_name(model) in _SPARSE_LOSSES:
        return
    try:
        output = model.output_shape
    except (AttributeError, ValueError, TypeError, NotImplementedError, RuntimeError):
        return
    if not isinstance(output, tuple) or not all(d is None or _is_int(d) for d in output):
        return
    target = tuple(int(d) for d in y.shape)
    if len(target) != len(output):
        return  # rank differences are squeezed / expanded as in Keras
    for want, got in zip(output[1:], target[1:]):
        if want is not None and got != want and got != 1 and want != 1:
            raise ValueError(
                f"`y` has shape {target}, but the model's output has shape {output}: the "
                f"loss {_loss_name(model)!r} compares them element by element. Give `y` the "
                f"output's shape (one target per output unit), or change the last layer to "
                f"{got} units."
            )


def _check_common(model, x, y, batch_size, steps_name: str, steps, callbacks) -> list | None:
    check_positive_int("batch_size", batch_size)
    check_positive_int(steps_name, steps)
    check_inputs("x", x)
    if y is not None:
        check_inputs("y", y)
        check_target_shape(model, y)
    return check_callbacks(callbacks)


def check_fit(model, x, y, batch_size, epochs, callbacks, validation_split, class_weight,
              initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
              validation_freq) -> list | None:
    """Validates the arguments of `fit`; returns `callbacks` as a list (or None)."""
    if not _is_int(epochs) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer. {_received('epochs', epochs)}")
    if not _is_int(initial_epoch) or initial_epoch < 0:
        raise ValueError("`initial_epoch` must be a non-negative integer. "
                         f"{_received('initial_epoch', initial_epoch)}")
    if not isinstance(validation_split, numbers.Real) or isinstance(validation_split, bool) \
            or not 0 <= float(validation_split) < 1:
        raise ValueError("`validation_split` must be a float in [0, 1). "
                         f"{_received('validation_split', validation_split)}")
    check_positive_int("validation_steps", validation_steps)
    check_positive_int("validation_batch_size", validation_batch_size)
    if not (_is_int(validation_freq) and validation_freq > 0) and \
            not isinstance(validation_freq, (list, tuple, set, range)):
        raise ValueError("`validation_freq` must be a positive integer or a list of epochs. "
                         f"{_received('validation_freq', validation_freq)}")
    check_class_weight(model, class_weight)
    return _check_common(model, x, y, batch_size, "steps_per_epoch", steps_per_epoch, callbacks)


def check_evaluate(model, x, y, batch_size, steps, callbacks) -> list | None:
    """Validates the arguments of `evaluate`; returns `callbacks` as a list (or None)."""
    return _check_common(model, x, y, batch_size, "steps", steps, callbacks)


def check_predict(model, x, batch_size, steps, callbacks) -> list | None:
    """Validates the arguments of `predict`; returns `callbacks` as a list (or None)."""
    return _check_common(model, x, None, batch_size, "steps", steps, callbacks)
