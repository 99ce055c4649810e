"""Ops on symbolic tensors: each call on a `KerasTensor` adds one op layer to the graph.

`ops.relu(x)`, `x * 2` or `x[:, 0]` on a `KerasTensor` (from `keras.Input`) compute
nothing: as in Keras 3 they create an op layer (`Relu`, `Multiply`, `GetItem`) called on
the symbolic inputs, so a functional model built from them summarizes, trains, saves
(as Keras writes it: `"module": "keras.src.ops.nn", "class_name": "Relu"`) and loads.

Every public op is wrapped by `keras_op`: eager inputs go straight to the torch function,
symbolic ones to `symbolic_call`. The op's parameters without a default are the call
arguments (saved in the node, `"args"`); the others are the op layer's config, as in
Keras' `Operation` classes.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np
import torch

from layerwise.backend.keras_tensor import KerasTensor, Node
from layerwise.backend.structure import leaves, map_leaves
from layerwise.backend.symbolic_dispatch import encode_index, register_ops
from layerwise.layers.layer import Layer
from layerwise.registry.names import register_names

_SPECS: dict[str, OpSpec] = {}  # Keras class name -> spec
_CLASSES: dict[str, type] = {}

# Keras' op class names where they are not the function name in CamelCase.
_CLASS_NAMES = {
    "rgb_to_grayscale": "RGBToGrayscale", "rgb_to_hsv": "RGBToHSV", "hsv_to_rgb": "HSVToRGB",
    "extract_patches_3d": "ExtractPatches3D", "ssim": "SSIM", "svd": "SVD", "cdist": "CDist",
    "fft": "FFT", "fft2": "FFT2", "ifft2": "IFFT2", "rfft": "RFFT", "irfft": "IRFFT",
    "stft": "STFT", "istft": "ISTFT", "batch_normalization": "BatchNorm",
    "layer_normalization": "LayerNorm", "rms_normalization": "RMSNorm", "psnr": "PSNR",
    "ctc_loss": "CTCLoss", "ctc_decode": "CTCDecode", "allclose": "AllClose", "isin": "IsIn",
    "searchsorted": "SearchSorted",
}

# The arguments Keras' op classes take at call time (saved in the node) where they differ
# from "the parameters without a default"; the others are the op's config.
_CALL_ARGS = {
    "Cast": ("x",), "SaturateCast": ("x",), "Scatter": ("indices", "values"),
    "Slice": ("inputs", "start_indices"), "MapCoordinates": ("inputs", "coordinates"),
    "ScaleAndTranslate": ("images", "output_shape", "scale", "translation"),
    "MaxPool": ("inputs",), "AveragePool": ("inputs",), "AdaptiveAveragePool": ("inputs",),
    "AdaptiveMaxPool": ("inputs",), "Unfold": ("x",), "Fold": ("x",), "DepthToSpace": ("x",),
    "SpaceToDepth": ("x",), "Resize": ("images",), "ExtractPatches": ("images",),
    "ExtractPatches3D": ("volumes",), "TopK": ("x",), "InTopK": ("targets", "predictions"),
    "ExtractSequences": ("x",), "Threshold": ("x",), "OneHot": ("x",), "Moments": ("x",),
    "DotProductAttention": ("query", "key", "value", "bias", "mask", "scale"),
    "Arange": ("start", "stop", "step"), "Full": ("fill_value",), "Clip": ("x",),
    "Isclose": ("x1", "x2", "rtol", "atol"), "Average": ("x", "weights"), "Reshape": ("x",),
    "ExpandDims": ("x",), "BroadcastTo": ("x",), "Moveaxis": ("x",), "Swapaxes": ("x",),
    "Split": ("x",), "ArraySplit": ("x",), "Hsplit": ("x",), "Vsplit": ("x",),
    "Dsplit": ("x",), "Tile": ("x",), "Repeat": ("x",), "Roll": ("x",),
    "Pad": ("x", "constant_values"), "Where": ("condition", "x1", "x2"),
    "Select": ("condlist", "choicelist", "default"), "UnravelIndex": ("indices",),
    "Argpartition": ("x",), "Psnr": ("x1", "x2"), "PSNR": ("x1", "x2"),
    "BatchNorm": ("x", "mean", "variance", "offset", "scale"),
    "LayerNorm": ("x", "gamma", "beta"), "RMSNorm": ("x", "scale"),
    "SSIM": ("image1", "image2"), "Stft": ("x",), "STFT": ("x",), "ISTFT": ("x",),
    "RFFT": ("x",), "IRFFT": ("x",), "SearchSorted": ("sorted_sequence", "values"),
    "CTCDecode": ("inputs", "sequence_lengths"),
}


class OpSpec:
    """What is known about one op: its function, Keras class name and argument split.

    The signature is inspected on first symbolic use, not at import (340 ops).
    """

    def __init__(self, fn, module: str, class_name: str, call_params: tuple[str, ...] | None):
        self.fn = fn
        self.module = module
        self.class_name = class_name
        self._call_params = call_params

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.fn)

    @functools.cached_property
    def call_params(self) -> tuple[str, ...]:
        """Parameters passed at call time: given, or those without a default value."""
        if self._call_params is not None:
            return self._call_params
        return tuple(("*" + p.name) if p.kind is p.VAR_POSITIONAL else p.name
                     for p in self.signature.parameters.values()
                     if p.default is p.empty and p.kind is not p.VAR_KEYWORD)

    @functools.cached_property
    def leading(self) -> tuple[str, ...]:
        """Config parameters that must be passed positionally, before a `*args` parameter."""
        params = list(self.signature.parameters.values())
        var = [i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL]
        return tuple(p.name for p in params[:var[0]]) if var else ()


def _class_name(fn_name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in fn_name.split("_"))


def _is_symbolic_arg(value) -> bool:
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_symbolic_arg(v) for v in value)
    if isinstance(value, dict):
        return any(_is_symbolic_arg(v) for v in value.values())
    return False


def any_symbolic(args, kwargs=None) -> bool:
    """Whether any argument (nested in lists/tuples/dicts) is a `KerasTensor`."""
    if any(_is_symbolic_arg(a) for a in args):
        return True
    return bool(kwargs) and any(_is_symbolic_arg(v) for v in kwargs.values())


def keras_op(module: str, call_params: tuple[str, ...] | None = None, class_name=None):
    """Decorator: registers `fn` as the Keras op `module.ClassName` and makes it symbolic-aware.

    Args:
        module: The Keras module of the op class (`"numpy"`, `"nn"`, `"math"`, ...).
        call_params: Names of the parameters passed at call time (default: those
            without a default value; `"*name"` for a `*args` parameter).
        class_name: The Keras class name (default: the function name in CamelCase).
    """

    def wrap(fn):
        keras_name = class_name or _CLASS_NAMES.get(fn.__name__) or _class_name(fn.__name__)
        spec = OpSpec(fn, f"keras.src.ops.{module}", keras_name,
                      call_params or _CALL_ARGS.get(keras_name))
        _SPECS.setdefault(spec.class_name, spec)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if any_symbolic(args, kwargs):
                return symbolic_call(spec, args, kwargs)
            return fn(*args, **kwargs)

        wrapper.op_spec = spec
        return wrapper

    return wrap


class OpLayer(Layer):
    """A layer that applies one op (`Relu`, `Add`, `GetItem`, ...) in a functional graph.

    Its config holds the op's non-tensor arguments (`axis`, `keepdims`); the tensors (and
    the numbers they are combined with) are the node's call arguments.
    """

    spec: OpSpec
    _positional_args = True  # functional configs save every call argument (`"args"`)

    def __init__(self, name: str | None = None, **config):
        super().__init__(name=name)
        self.op_config = config
        self.built = True

    def get_config(self) -> dict:
        return {"name": self.name, **self.op_config}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self):
        return None

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def call(self, *args):
        spec = self.spec
        args = tuple(decode_constant(a) for a in args)
        if spec.leading:
            config = dict(self.op_config)
            leading = [config.pop(name) for name in spec.leading]
            return spec.fn(*leading, *args, **config)
        positional, keyword = _split_call_args(spec, args)
        return spec.fn(*positional, **keyword, **self.op_config)

    def __call__(self, packed, *rest, **kwargs):
        kwargs.pop("training", None)
        kwargs.pop("mask", None)
        args = tuple(packed) if isinstance(packed, tuple) and not rest else (packed, *rest)
        if any_symbolic(args):
            return self._symbolic(args)
        return self.call(*args)

    def _symbolic(self, args: tuple):
        args = tuple(encode_constant(a) for a in args)
        outputs = _output_spec(self, args)
        flat_inputs = [t for t in leaves(args) if isinstance(t, KerasTensor)]
        flat_outputs = [t for t in leaves(outputs) if isinstance(t, KerasTensor)]
        Node(self, flat_inputs, flat_outputs, input_structure=tuple(args))
        self._inbound_nodes.append(flat_outputs[0].node)
        return outputs


def encode_constant(value):
    """Tensors, arrays and indices among op arguments, in Keras' JSON form."""
    if isinstance(value, KerasTensor):
        return value
    if isinstance(value, torch.Tensor):
        return {"class_name": "__tensor__", "config": {
            "value": value.detach().cpu().tolist(), "dtype": str(value.dtype)[6:]}}
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(),
                                                      "dtype": value.dtype.name}}
    if isinstance(value, (slice, type(Ellipsis))):
        return encode_index(value)
    if isinstance(value, (list, tuple)):
        return type(value)(encode_constant(v) for v in value)
    return value


def decode_constant(value):
    """The inverse of `encode_constant` (also reads what Keras 3 writes)."""
    if isinstance(value, dict) and set(value) == {"class_name", "config"}:
        kind, config = value["class_name"], value["config"]
        if kind == "__tensor__":
            return torch.tensor(config["value"], dtype=getattr(torch, config["dtype"]))
        if kind == "__numpy__":
            return np.array(config["value"], dtype=config["dtype"])
        if kind == "__slice__":
            return slice(config.get("start"), config.get("stop"), config.get("step"))
        if kind == "__ellipsis__":
            return Ellipsis
    if isinstance(value, (list, tuple)):
        return type(value)(decode_constant(v) for v in value)
    return value


def _split_call_args(spec: OpSpec, args: tuple):
    """Maps the node's call arguments back to the op function's positional/keyword args."""
    names = spec.call_params
    if any(n.startswith("*") for n in names) or len(args) > len(names):
        return list(args), {}
    return [], dict(zip(names, args))


def _concrete(args, size: int, device: str):
    def make(t):
        if not isinstance(t, KerasTensor):
            return t
        shape = [size if d is None else d for d in t.shape]
        if device == "meta":
            return torch.empty(shape, dtype=t.dtype, device="meta")
        if t.dtype.is_floating_point:
            return torch.rand(shape, dtype=t.dtype) + 0.5
        return torch.ones(shape, dtype=t.dtype)

    return map_leaves(make, args)


def _output_spec(layer: OpLayer, args: tuple):
    """Symbolic outputs: runs the op on meta tensors (or small real ones) for two batch sizes."""
    results = []
    for device in ("meta", "cpu"):
        try:
            with torch.no_grad():
                results = [layer.call(*_concrete(args, size, device)) for size in (2, 3)]
            break
        except Exception as error:  # noqa: BLE001 - meta kernels are missing for some ops
            results, last_error = [], error
    if not results:
        raise ValueError(
            f"Op '{layer.spec.class_name}' cannot be applied to the symbolic inputs "
            f"{[t for t in leaves(args) if isinstance(t, KerasTensor)]}: {last_error}"
        ) from last_error

    def to_symbolic(a, b):
        if isinstance(a, (list, tuple)):
            return type(a)(to_symbolic(x, y) for x, y in zip(a, b))
        if not isinstance(a, torch.Tensor):
            return a
        shape = tuple(d if d == e else None for d, e in zip(a.shape, b.shape))
        return KerasTensor(shape, dtype=a.dtype)

    return to_symbolic(results[0], results[1])


def op_class(class_name: str) -> type | None:
    """The op layer class for a Keras op class name (`"Relu"`), created on first use."""
    spec = _SPECS.get(class_name)
    if spec is None:
        return None
    cls = _CLASSES.get(class_name)
    if cls is None:
        cls = type(class_name, (OpLayer,), {"spec": spec, "_keras_module": spec.module,
                                            "__module__": __name__})
        _CLASSES[class_name] = cls
    return cls


def op_registry() -> dict[str, type]:
    """`{Keras class name: op layer class}` for every op (used when loading models)."""
    return {name: op_class(name) for name in _SPECS}


def symbolic_call(spec: OpSpec, args: tuple, kwargs: dict):
    """Creates the op layer for `fn(*args, **kwargs)` on symbolic tensors and calls it."""
    bound = spec.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    call_args, config = [], {}
    for name, value in bound.arguments.items():
        if ("*" + name) in spec.call_params:
            call_args.extend(value)
        elif name in spec.call_params:
            call_args.append(value)
        elif spec.signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            config.update(value)
        else:
            config[name] = value
    return op_class(spec.class_name)(**config)._symbolic(tuple(call_args))


def install_symbolic_handler(namespace: dict) -> None:
    """Lets `KerasTensor` operators and `layerwise.backend` call these ops by name."""
    register_ops(namespace)


# What `registry/serialization.py` needs from here, by name (it sits below `ops`).
register_names("op", {"OpLayer": OpLayer, "op_class": op_class})
