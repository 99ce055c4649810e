"""`Layer`: the Keras layer contract on top of `torch.nn.Module`.

`__init__` stores configuration, `build(input_shape)` creates weights with
`add_weight`, `call(inputs, training=None)` computes with torch ops. Because a
`Layer` is an `nn.Module`, layerwise models work with plain PyTorch code:
`state_dict`, `torch.compile`, DDP and ONNX export.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import torch

from layerwise import regularizers as regularizers_module
from layerwise import tree
from layerwise.backend import call_context, naming, tf_interop
from layerwise.backend.config import floatx, to_torch_dtype
from layerwise.backend.dtype_policy import AUTOCAST_STATE as _autocast_state  # mixed precision
from layerwise.backend.dtype_policy import get as dtype_policy_get
from layerwise.backend.dtype_policy import layer_autocast, resolve_layer_dtype
from layerwise.backend.dtype_policy import serialize as _serialize_policy
from layerwise.backend.keras_tensor import KerasTensor, Node, is_symbolic
from layerwise.backend.variables import Variable
from layerwise.layers import _shape_inference
from layerwise.layers import masks as masks_module
from layerwise.layers._constructor_args import accept_numpy_scalars
from layerwise.layers.layer_weights import LayerWeights
from layerwise.layers.shapes import _json_shape, _map_shapes, _none_batch, _tuple_shape
from layerwise.registry.layer_config import clean_layer_config

_NEVER_FAST = object()  # no input dtype matches it
_SHAPE_KWARGS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")


def _to_tensor(x):
    """Converts NumPy arrays and Python numbers to tensors (float64 becomes floatx)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray) or np.isscalar(x) or isinstance(x, (list, float, int)):
        array = np.asarray(x)
        if array.dtype.kind in "OUS":
            return array  # Strings stay NumPy: for `StringLookup` / `TextVectorization`.
        if array.dtype == np.float64:
            array = array.astype(floatx())
        return torch.from_numpy(np.ascontiguousarray(array))
    return x


def _shape_of(x):
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return None


class Layer(LayerWeights, torch.nn.Module):
    """Base class of all layers.

    Args:
        trainable: Whether the layer's weights are updated during training.
        name: Layer name; defaults to the snake-case class name, numbered
            (`dense`, `dense_1`, ...).
        dtype: Dtype of the weights and computations (default: `floatx()`).
        activity_regularizer: Optional penalty on the layer's output.
        input_shape: Shape of one sample (no batch dimension), Keras 2 style,
            for the first layer of a `Sequential`.
        input_dim: Same as `input_shape=(input_dim,)`.
        batch_input_shape: Shape including the batch dimension.

    Example:

    >>> import torch
    >>> import layerwise as keras
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, inputs):
    ...         return inputs * self.w
    >>> Scale()(torch.ones(2, 3)).shape
    torch.Size([2, 3])
    """

    # Layers whose inputs are indices (Embedding, lookups) set this to False.
    _cast_inputs = True

    # Attributes that `get_config` adds, in this order, after the base keys.
    _config_keys = ()

    # The state of every layer. Annotations only (set in `__init__`, `build` and
    # `__call__`): they create no class attribute, so nn.Module's registries and
    # `state_dict` are untouched, and every name resolves at run time
    # (`typing.get_type_hints`, which the TorchScript ONNX exporter calls).
    name: str
    built: bool
    autocast: bool  # cast floating inputs to the compute dtype
    supports_masking: bool
    activity_regularizer: Any  # a regularizer (callable on the output) or None
    _trainable: bool  # read and set through the `trainable` property
    _dtype_name: str | None  # None: `floatx()` (backend/dtype_policy.resolve_layer_dtype)
    _mixed_policy: Any  # the mixed-precision `DTypePolicy`, or None
    _trainable_variables: list[Variable]
    _non_trainable_variables: list[Variable]
    _losses: list[torch.Tensor]  # `add_loss` terms of the last call
    _losses_call_id: int  # the call that `_losses` belongs to
    _inbound_nodes: list[Node]  # functional-graph nodes that call this layer
    _build_input_shape: Any  # shape(s) given to `build`, batch dimension None
    _build_device: torch.device | None  # device of the first input: new weights go there
    _batch_input_shape: tuple | None  # from `input_shape=` / `batch_input_shape=`

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:  # `Dense(np.int64(16))` accepted, as in Keras 2
            cls.__init__ = accept_numpy_scalars(cls.__dict__["__init__"])

    def __init__(
        self,
        *,
        trainable: bool = True,
        name: str | None = None,
        dtype=None,
        activity_regularizer=None,
        autocast: bool = True,
        **kwargs,
    ):
        super().__init__()
        shape_kwargs = {k: kwargs.pop(k) for k in _SHAPE_KWARGS if k in kwargs}
        kwargs.pop("input_length", None)  # Keras 2 Embedding argument, implied by the data.
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected keyword argument(s) "
                f"{sorted(kwargs)}. Check the spelling against the Keras documentation."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string. Received: name={name!r}")
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        # Mixed precision (backend/dtype_policy.py): a mixed policy keeps float32 weights.
        self._dtype_name, self._mixed_policy = resolve_layer_dtype(dtype)
        self.autocast = autocast
        self.built = False
        self.activity_regularizer = regularizers_module.get(activity_regularizer)
        # As Keras 3: a layer that overrides `compute_mask` supports masking.
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._losses: list = []
        self._losses_call_id = -1
        self._inbound_nodes: list[Node] = []
        self._build_input_shape = None
        self._build_device = None
        self._batch_input_shape = self._standardize_shape_kwargs(shape_kwargs)

    # ------------------------------------------------------------------ config
    @staticmethod
    def _standardize_shape_kwargs(kwargs: dict):
        if "batch_input_shape" in kwargs and kwargs["batch_input_shape"] is not None:
            return tuple(kwargs["batch_input_shape"])
        batch_size = kwargs.get("batch_size")
        if kwargs.get("input_shape") is not None:
            shape = kwargs["input_shape"]
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            return (batch_size, *shape)
        if kwargs.get("input_dim") is not None:
            return (batch_size, int(kwargs["input_dim"]))
        return None

    @property
    def dtype(self) -> str:
        """Name of the weights' dtype (`"float32"` by default)."""
        return self._dtype_name or floatx()

    @property
    def compute_dtype(self) -> str:
        policy = self._mixed_policy
        return policy.compute_dtype if policy is not None else self.dtype

    @property
    def dtype_policy(self):
        """The layer's `DTypePolicy` (mixed precision)."""
        return self._mixed_policy or dtype_policy_get(self.dtype)

    @property
    def torch_dtype(self) -> torch.dtype:
        return to_torch_dtype(self.dtype)

    @property
    def _fast_dtype(self):
        """The input dtype that needs no cast (None when inputs are never cast)."""
        cached = self.__dict__.get("_fast_dtype_cache")
        if cached is None or cached[0] != self._dtype_name:
            dtype = self.torch_dtype if (self._cast_inputs and self.autocast) else None
            if self._mixed_policy is not None:
                dtype = _NEVER_FAST  # mixed layers always take the autocast path
            cached = (self._dtype_name, dtype)
            self.__dict__["_fast_dtype_cache"] = cached
        return cached[1]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freezes (`False`) or unfreezes this layer and every layer inside it."""
        value = bool(value)
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = value
            for variable in layer._trainable_variables:
                variable.requires_grad_(value)

    @property
    def input_shape(self):
        """Shape of the layer's input, batch dimension first."""
        if self._build_input_shape is not None:
            return self._build_input_shape
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        raise AttributeError(
            f"The layer '{self.name}' has never been called and thus has no defined input shape."
        )

    def get_config(self) -> dict:
        """Returns the layer's constructor arguments as a JSON-friendly dict."""
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": (self.dtype if self._mixed_policy is None
                      else _serialize_policy(self._mixed_policy)),
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers_module.serialize(
                self.activity_regularizer
            )
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Creates a layer from the dict returned by `get_config` (or by Keras)."""
        return cls(**clean_layer_config(config))

    def get_build_config(self) -> dict | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": _json_shape(self._build_input_shape)}

    def build_from_config(self, config: dict | None) -> None:
        if config and config.get("input_shape") is not None and not self.built:
            self.build(_tuple_shape(config["input_shape"]))
            self.built = True
            self._build_input_shape = _tuple_shape(config["input_shape"])

    # --------------------------------------------------- sublayers (tracking)
    def _flatten_layers(self, include_self: bool = True, recursive: bool = True):
        """Yields this layer and the layers inside it, depth first, once each."""
        seen = set()
        stack = [self]
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if layer is not self or include_self:
                yield layer
            if layer is self or recursive:
                children = [m for m in layer._direct_sublayers() if id(m) not in seen]
                stack = children + stack

    def _direct_sublayers(self) -> list[Layer]:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    # ------------------------------------------------------------------- masks
    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs (default: the input mask, for layers that support it)."""
        return previous_mask

    # ------------------------------------------------------------------- build
    def build(self, input_shape) -> None:
        """Creates the layer's weights. Layers without weights need not override it."""
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shapes = _shape_of(inputs)
        first = tree.flatten(inputs)[0]
        if isinstance(first, torch.Tensor) and first.device.type != "meta":
            self._build_device = first.device
        self._build_input_shape = _none_batch(shapes)
        self.build(shapes)
        self.built = True

    def compute_output_shape(self, input_shape):
        """Returns the output shape for `input_shape` (batch dimension included)."""
        raise NotImplementedError

    def compute_output_spec(self, inputs, **kwargs):
        """Returns symbolic outputs for symbolic `inputs` (and keyword arguments of the
        call, symbolic tensors among them), without computing on real data."""
        out_shape = None
        if not _shape_inference.takes_several_shapes(type(self), kwargs):
            try:
                out_shape = self.compute_output_shape(_shape_of(inputs))
            except NotImplementedError:
                out_shape = None
        if out_shape is not None:
            return _map_shapes(out_shape, lambda s: KerasTensor(s, dtype=to_torch_dtype(self.compute_dtype)))
        # Fall back to running the layer on a small zero batch (no gradient).
        dummy = tree.map_structure(_shape_inference.zeros_like_symbolic, inputs)
        extra = tree.map_structure(_shape_inference.zeros_like_symbolic, kwargs)
        with torch.no_grad():
            out = self.call(dummy, **extra, **self._call_kwargs(False))
        return tree.map_structure(lambda t: KerasTensor((None, *t.shape[1:]), dtype=t.dtype), out)

    # -------------------------------------------------------------------- call
    def call(self, inputs, *args, **kwargs):
        """The layer's computation. Subclasses override it."""
        return inputs

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    @classmethod
    def _call_signature_flags(cls):
        flags = cls.__dict__.get("_cached_call_flags")
        if flags is None:
            params = inspect.signature(cls.call).parameters
            has_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
            flags = ("training" in params or has_kwargs, "mask" in params,
                     cls.compute_mask is not Layer.compute_mask)
            cls._cached_call_flags = flags
        return flags

    def _call_kwargs(self, training) -> dict:
        return {"training": training} if self._call_signature_flags()[0] else {}

    def __call__(self, *args, **kwargs):
        # Fast path, taken by every layer inside a model's call on the hot path: a built
        # layer, one tensor of the right dtype, nothing but `training` as keyword.
        if (len(args) == 1 and not _autocast_state.depth and self.built
                and type(args[0]) is torch.Tensor
                and self.activity_regularizer is None and len(kwargs) <= 1
                and args[0].dtype is self._fast_dtype
                and getattr(args[0], "_keras_mask", None) is None
                and not (self.supports_masking and self._call_signature_flags()[2])):
            context = call_context.current()
            if context is not None and (not kwargs or "training" in kwargs):
                training = kwargs.get("training")
                if training is None:
                    training = context.training
                if self._call_signature_flags()[0]:
                    return super().__call__(args[0], training=training)
                return super().__call__(args[0])
        if not args:  # a keyword-only call, `layer(query=q, value=v)`: the first argument
            args = _shape_inference.first_argument_from_kwargs(self, kwargs)
        inputs = args[0]
        if "mask" in kwargs and not self._call_signature_flags()[1]:
            kwargs.pop("mask")  # Masks only reach layers whose `call` accepts them, as in Keras.
        if is_symbolic(inputs):
            return self._symbolic_call(*args, **kwargs)
        if tf_interop.is_tf_tensor(inputs):  # e.g. inside `tf.data.Dataset.map`
            return tf_interop.call(self, inputs, args[1:], kwargs)
        if not isinstance(inputs, torch.Tensor):
            inputs = tree.map_structure(_to_tensor, inputs)
        if self._cast_inputs and self.autocast:
            inputs = tree.map_structure(self._cast, inputs)
        args = (inputs, *args[1:])
        if ((self._mixed_policy is not None or _autocast_state.depth)
                and _autocast_state.layer is not self):  # mixed precision: call again inside
            return self._autocast_call(inputs, args, kwargs)
        return self._call_in_context(inputs, args, kwargs)

    def _call_in_context(self, inputs, args, kwargs):
        """Builds if needed and calls `call` inside a call context (the outermost call
        opens it, with its `training`), then sets output masks and activity losses."""
        context = call_context.current()
        outermost = context is None
        training = kwargs.pop("training", None)
        if outermost:
            context = call_context.enter(training)
        elif training is None:
            training = context.training
        try:
            if not self.built:
                self._maybe_build(inputs)
            accepts_training = self._call_signature_flags()[0]
            if accepts_training:
                kwargs["training"] = training
            previous_mask = masks_module.populate_masks(self, args, kwargs)
            outputs = super().__call__(*args, **kwargs)
            if self.supports_masking:
                masks_module.set_mask_metadata(self, inputs, outputs, previous_mask)
            if self.activity_regularizer is not None:
                self._add_activity_losses(outputs)
        finally:
            if outermost:
                call_context.exit_call()
        return outputs

    def _autocast_call(self, inputs, args, kwargs):
        """Runs this call under autocast (mixed policy) or with it off (float32 layer)."""
        if not self.built:
            self._maybe_build(inputs)  # weights are created outside autocast
        first = tree.flatten(inputs)[0]
        device = first.device.type if isinstance(first, torch.Tensor) else "cpu"
        with layer_autocast(self._mixed_policy, device, self):
            return self(*args, **kwargs)

    def _cast(self, x):
        dtype = self.torch_dtype if self._mixed_policy is None else self._mixed_policy._compute_torch_dtype
        if isinstance(x, torch.Tensor) and x.dtype != dtype and not x.is_complex():
            return x.to(dtype)
        return x

    def _symbolic_call(self, *args, **kwargs):
        inputs = args[0]
        kwargs.pop("training", None)
        # Further positional arguments are recorded by name; symbolic tensors among the
        # keyword arguments (`initial_state=`, `value=`) are inputs of the node too.
        kwargs.update(_shape_inference.name_positional_arguments(self, args[1:]))
        if not self.built:
            self._maybe_build(inputs)
        self._check_input_compatibility(inputs)
        outputs = self.compute_output_spec(inputs, **kwargs) \
            if kwargs and _shape_inference.spec_accepts_kwargs(type(self)) \
            else self.compute_output_spec(inputs)
        extra = [t for t in tree.flatten(list(kwargs.values())) if isinstance(t, KerasTensor)]
        Node(self, tree.flatten(inputs) + extra, tree.flatten(outputs), arguments=kwargs,
             input_structure=inputs)
        self._inbound_nodes.append(tree.flatten(outputs)[0].node)
        return outputs

    def _check_input_compatibility(self, inputs) -> None:
        """Hook for layers to validate symbolic input shapes (raise a clear ValueError)."""

    def _first_node_tensors(self, which: str):
        """The `inputs` or `outputs` of the first node (one tensor alone, not in a list)."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on symbolic inputs.")
        tensors = getattr(self._inbound_nodes[0], which)
        return tensors[0] if len(tensors) == 1 else tensors

    @property
    def output(self):
        """The symbolic output of the layer's first call on symbolic inputs."""
        return self._first_node_tensors("outputs")

    @property
    def input(self):
        """The symbolic input of the layer's first call on symbolic inputs."""
        return self._first_node_tensors("inputs")

    @property
    def output_shape(self):
        if self._inbound_nodes:
            outputs = self._inbound_nodes[-1].outputs  # the last call, as Keras' summary shows
            return outputs[0].shape if len(outputs) == 1 else [o.shape for o in outputs]
        if self.built and self._build_input_shape is not None:
            return self.compute_output_shape(self._build_input_shape)
        raise AttributeError(f"The layer '{self.name}' has never been called and has no output shape.")

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
