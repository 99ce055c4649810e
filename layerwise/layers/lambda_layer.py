"""`Lambda`: wraps a function as a layer.

A Python `lambda` is saved as Keras saves it: its bytecode (marshal + base64)
in the config. Loading that bytecode runs code from the file, so it is refused
unless the loader is given `safe_mode=False`. Named functions are saved by
name and resolved on load from the registered / `custom_objects` functions
(and the built-in activations), never imported from a module named in a file.
"""

from __future__ import annotations

import base64
import builtins
import inspect
import marshal
import types

import numpy as np
import torch

from layerwise import activations
from layerwise.layers.layer import Layer
from layerwise.registry.layer_config import clean_layer_config
from layerwise.registry.registration import (
    active_custom_objects,
    get_registered_name,
    is_registered,
)
from layerwise.registry.safe_mode import check_code_allowed


def _is_python_lambda(fn) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _dump_lambda(fn) -> dict:
    """Keras' `func_dump` config of a Python lambda: bytecode, defaults, closure."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__",
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def _load_lambda(config: dict, what: str):
    """Rebuilds a lambda from `_dump_lambda`'s config (only called outside safe mode)."""
    check_code_allowed(what)
    if not isinstance(config, dict) or not isinstance(config.get("code"), str):
        raise ValueError(f"Invalid serialized lambda for {what}: expected a 'code' string.")
    try:
        code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    except (ValueError, EOFError, TypeError, UnicodeEncodeError) as error:
        raise ValueError(
            f"Could not load the bytecode of {what}: {error}. Bytecode only loads in the "
            "Python version that wrote it; rebuild the layer with a registered function."
        ) from None
    if not isinstance(code, types.CodeType):
        raise ValueError(f"The serialized code of {what} is not Python bytecode.")
    defaults = config.get("defaults")
    defaults = tuple(defaults) if isinstance(defaults, (list, tuple)) else None
    closure = config.get("closure")
    if closure is not None:
        closure = tuple(types.CellType(value) for value in closure)
    import layerwise  # the package itself, for the `keras` global of the rebuilt lambda

    globs = {"__builtins__": builtins, "torch": torch, "np": np, "numpy": np,
             "keras": layerwise, "layerwise": layerwise}
    try:
        return types.FunctionType(code, globs, name=code.co_name, argdefs=defaults,
                                  closure=closure)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Could not rebuild {what} from its bytecode: {error}") from None


def _serialize_function(fn) -> dict:
    if _is_python_lambda(fn):
        return _dump_lambda(fn)
    name = getattr(fn, "__name__", None)
    if name is None:
        raise ValueError(
            f"Cannot serialize {fn!r}: a `Lambda` function must be a Python function or lambda."
        )
    builtin = any(f is fn for f in activations.ALL_OBJECTS.values())
    return {"module": "builtins" if builtin else getattr(fn, "__module__", None),
            "class_name": "function", "config": name,
            "registered_name": get_registered_name(fn) if is_registered(fn) else "function"}


def _deserialize_function(config, what: str, custom_objects=None):
    """A function from its config: serialized lambda (unsafe) or a known name."""
    if callable(config):
        return config
    if isinstance(config, (list, tuple)) and config and isinstance(config[0], str):
        # Keras 2 wrote `[code, defaults, closure]`.
        config = {"class_name": "__lambda__", "config": {
            "code": config[0], "defaults": config[1] if len(config) > 1 else None,
            "closure": config[2] if len(config) > 2 else None}}
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        inner = config.get("config")
        if isinstance(inner, dict) and "value" in inner and "code" not in inner:
            value = inner["value"]  # serialization_lib's `{"value": [code, defaults, closure]}`
            inner = {"code": value[0], "defaults": value[1], "closure": value[2]} \
                if isinstance(value, (list, tuple)) and len(value) == 3 else {}
        return _load_lambda(inner, what)
    custom = active_custom_objects(custom_objects)
    if isinstance(config, str):
        name, registered = config, None
    elif isinstance(config, dict) and isinstance(config.get("config"), str):
        name, registered = config["config"], config.get("registered_name")
    else:
        raise ValueError(f"Could not interpret the function config of {what}: {config!r}")
    for key in (registered, name):
        if isinstance(key, str) and key in custom:
            return custom[key]
    if name in activations.ALL_OBJECTS:
        return activations.ALL_OBJECTS[name]
    raise ValueError(
        f"Unknown function {name!r} in {what}. Functions are never imported from a file: "
        "register it with `@layerwise.saving.register_keras_serializable()` or pass it in "
        f"`custom_objects={{{name!r}: {name}}}`."
    )


class Lambda(Layer):
    """Wraps an arbitrary function (of torch tensors) as a layer.

    Prefer subclassing `Layer` for anything you want to save: a Python
    `lambda` is saved as bytecode, which only loads in the same Python version
    and only with `safe_mode=False`. Named functions are saved by name and need
    to be registered (`register_keras_serializable`) or passed in
    `custom_objects` when loading.

    Args:
        function: The function, called as `function(inputs, **arguments)` (plus
            `mask=` / `training=` when its signature has them).
        output_shape: The output shape without the batch dimension (a tuple), or
            a function of the full input shape; inferred by running the function
            on a small batch when omitted.
        mask: `None`, a callable `mask(inputs, mask)` or a constant mask.
        arguments: Optional dict of keyword arguments for `function`.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Lambda(lambda x: x ** 2)(torch.tensor([1.0, 2.0, 3.0]))
    tensor([1., 4., 9.])
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"`function` must be callable. Received: function={function!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(f"`arguments` must be a dict. Received: arguments={arguments!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        if isinstance(output_shape, list) and all(
                d is None or isinstance(d, int) for d in output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def _cast(self, x):
        # Only floating inputs take the layer's dtype: a function may expect integers.
        if isinstance(x, torch.Tensor) and x.is_floating_point() and x.dtype != self.torch_dtype:
            return x.to(self.torch_dtype)
        return x

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError  # inferred from a run on a small batch
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        batch = first[0] if isinstance(first, tuple) and first else None
        return (batch, *self._output_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["function"] = _serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (_serialize_function(self._output_shape)
                                      if callable(self._output_shape)
                                      else list(self._output_shape))
        if self.mask is not None:
            config["mask"] = (_serialize_function(self.mask) if callable(self.mask)
                              else self.mask)
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuilds the layer; a serialized `lambda` needs `safe_mode=False`."""
        config = clean_layer_config(config)
        name = config.get("name", "lambda")
        for key in ("module", "function_type", "output_shape_type", "output_shape_module"):
            config.pop(key, None)  # Keras 2 bookkeeping
        if "function" not in config:
            raise ValueError(f"The config of Lambda layer '{name}' has no 'function'.")
        config["function"] = _deserialize_function(
            config["function"], f"the function of Lambda layer '{name}'", custom_objects)
        shape = config.get("output_shape")
        if isinstance(shape, (dict, str)) or (isinstance(shape, (list, tuple)) and shape
                                                and isinstance(shape[0], str)):
            config["output_shape"] = _deserialize_function(
                shape, f"the output_shape of Lambda layer '{name}'", custom_objects)
        mask = config.get("mask")
        if isinstance(mask, (dict, str)):
            config["mask"] = _deserialize_function(
                mask, f"the mask of Lambda layer '{name}'", custom_objects)
        arguments = config.get("arguments")
        if isinstance(arguments, dict) and set(arguments) == {"class_name", "config"}:
            arguments = arguments["config"]  # Keras' serialized dict form
        config["arguments"] = arguments
        return cls(**config)
