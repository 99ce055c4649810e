"""How a layer call on symbolic tensors names its arguments and infers its outputs.

Keras 3 accepts `layer(a, b)` (several positional tensors), `layer(query=q, value=v)`
(keyword-only calls) and tensors passed by keyword (`initial_state=`). A symbolic
call records every argument but the first by the name `call` gives it, so the
graph replays the call as it was written and its config lists the tensors.
"""

from __future__ import annotations

import inspect

import torch

from layerwise.backend.keras_tensor import KerasTensor
from layerwise.backend.structure import leaves


def call_parameters(cls) -> list[inspect.Parameter]:
    """The parameters of `cls.call`, `self` excluded (cached per class)."""
    params = cls.__dict__.get("_cached_call_parameters")
    if params is None:
        params = list(inspect.signature(cls.call).parameters.values())[1:]
        cls._cached_call_parameters = params
    return params


def first_argument_from_kwargs(layer, kwargs: dict) -> tuple:
    """For `layer(query=q, value=v)`: pops the first argument of `call` out of `kwargs`."""
    params = call_parameters(type(layer))
    first = params[0].name if params and params[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) else None
    if first is None or first not in kwargs:
        expected = f" (its first argument, {first!r})" if first else ""
        raise ValueError(
            f"Layer '{layer.name}' was called without inputs. Pass the inputs{expected} "
            f"positionally or by name. Received keyword arguments: {sorted(kwargs)}."
        )
    return (kwargs.pop(first),)


def name_positional_arguments(layer, extra_args: tuple) -> dict:
    """Maps the positional arguments after the first to their names in `call`."""
    if not extra_args:
        return {}
    names = [p.name for p in call_parameters(type(layer))[1:]
             if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                           inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    if len(extra_args) > len(names):
        raise ValueError(
            f"Layer '{layer.name}' was called with {len(extra_args) + 1} positional arguments, "
            f"but its `call` names only {len(names) + 1}. Pass the extra tensors by keyword."
        )
    return dict(zip(names, extra_args))


def takes_several_shapes(cls, kwargs: dict) -> bool:
    """Whether `cls.compute_output_shape` needs more than the first input's shape."""
    if not any(isinstance(v, KerasTensor) for v in leaves(kwargs)):
        return False
    params = list(inspect.signature(cls.compute_output_shape).parameters.values())[1:]
    required = [p for p in params if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) > 1


def spec_accepts_kwargs(cls) -> bool:
    """Whether an overridden `compute_output_spec` takes the call's keyword arguments."""
    params = list(inspect.signature(cls.compute_output_spec).parameters.values())[1:]
    return any(p.kind is p.VAR_KEYWORD for p in params) or len(params) > 1


def zeros_like_symbolic(value):
    """Zeros in place of a symbolic tensor (unknown dimensions become 1); other values kept."""
    if isinstance(value, KerasTensor):
        return torch.zeros([1 if d is None else d for d in value.shape], dtype=value.dtype)
    return value


def check_input_ndim(layer, inputs, ndim: int) -> None:
    """Raises Keras' "Input 0 ... is incompatible" error where `inputs` has not `ndim` axes."""
    if len(inputs.shape) != ndim:
        raise ValueError(
            f"Input 0 of layer '{layer.name}' ({type(layer).__name__}) is incompatible: "
            f"expected ndim={ndim}, found ndim={len(inputs.shape)}. Full shape "
            f"received: {tuple(inputs.shape)}."
        )
