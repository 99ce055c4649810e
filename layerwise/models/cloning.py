"""`clone_model`: a new model with the same architecture and new weights, as in Keras 3."""

from __future__ import annotations

from collections.abc import Callable

from layerwise import tree
from layerwise.backend.keras_tensor import KerasTensor
from layerwise.layers.input_layer import InputLayer
from layerwise.layers.layer import Layer
from layerwise.models.functional import Functional, map_graph
from layerwise.models.functional_subclass import functional_variant, origin_class
from layerwise.models.graph_replay import replay_graph
from layerwise.models.model import Model
from layerwise.models.sequential import Sequential


def clone_layer(layer: Layer) -> Layer:
    """The default `clone_function`: a new layer from `layer.get_config()` (new weights)."""
    return origin_class(type(layer)).from_config(layer.get_config())


def clone_model(model: Model, input_tensors=None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False,
                **kwargs) -> Model:
    """Clones a Sequential or functional model: same layers and graph, new weights.

    Each layer is replaced by `clone_function(layer)` (by default a new instance
    from its config, so weights are freshly initialized; return `layer` itself to
    share it). Layers used several times are cloned once. Subclassed models are
    rebuilt from their config.

    Args:
        model: The model to clone.
        input_tensors: Optional symbolic tensor(s) to build the clone on, with the
            structure of `model.input` (one tensor for a `Sequential`).
        clone_function: `fn(layer) -> layer` applied to every layer but the inputs.
        call_function: Optional `fn(layer, *args, **kwargs)` that calls each cloned
            layer in the new graph (functional models).
        recursive: Also clone the layers inside nested Sequential and functional
            models with `clone_function` (else nested models go to `clone_function`
            as a whole).

    Returns:
        The clone, compiled like `model` when `model` was compiled.

    Example:

    >>> import layerwise as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> clone = keras.models.clone_model(model)
    >>> clone.layers[0] is model.layers[0], clone.count_params()
    (False, 8)
    """
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s) to `clone_model`: {sorted(kwargs)}.")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(
            f"`clone_function` must be a function `fn(layer) -> layer`. Received: "
            f"clone_function={clone_function!r}"
        )
    if not isinstance(model, (Sequential, Functional)):
        if input_tensors is not None or call_function is not None or clone_function is not None:
            raise ValueError(
                "Arguments `clone_function`, `input_tensors` and `call_function` of "
                "`clone_model` are only supported for Sequential and functional models. "
                f"Received a model of type {type(model).__name__}."
            )
        return clone_layer(model)  # a subclassed model: rebuilt from its config
    if isinstance(model, Sequential) and call_function is not None:
        raise ValueError(
            "`call_function` is not supported with Sequential models (their layers are only "
            "listed, not called, at construction). Use it with functional models."
        )
    clone_function = _cached(clone_function or clone_layer, recursive)
    if isinstance(model, Sequential):
        clone = _clone_sequential(model, input_tensors, clone_function)
    else:
        clone = _clone_functional(model, input_tensors, clone_function, call_function)
    if getattr(model, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    return clone


def _cached(clone_function: Callable, recursive: bool) -> Callable:
    """Clones each layer once (shared layers stay shared), nested models too if `recursive`."""
    cache: dict[int, Layer] = {}

    def clone(layer):
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(layer, clone_function=clone_function,
                                               recursive=True)
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    return clone


def _input_tensor(tensor, where: str) -> KerasTensor:
    if isinstance(tensor, (list, tuple)):
        if len(tensor) != 1:
            raise ValueError(f"{where}: `input_tensors` must hold a single tensor. "
                             f"Received {len(tensor)}.")
        tensor = tensor[0]
    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            f"{where}: `input_tensors` must be symbolic tensors (from `keras.Input` or layer "
            f"calls). Received: {tensor!r}"
        )
    return tensor


def _clone_sequential(model: Sequential, input_tensors, clone_function) -> Model:
    layers = [clone_function(layer) for layer in model.layers]
    reference = model._input_layer
    if input_tensors is not None:
        tensor = _input_tensor(input_tensors, "clone_model")
        if not isinstance(tensor.node.layer, InputLayer):
            # Built on an intermediate tensor: the clone is the functional model from it.
            outputs = tensor
            for layer in layers:
                outputs = layer(outputs)
            return Functional(tensor, outputs, name=model.name)
        layers = [tensor.node.layer, *layers]
    elif reference is not None:
        layers = [InputLayer(batch_shape=reference.batch_shape, dtype=reference.dtype,
                             name=reference.name), *layers]
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model: Functional, input_tensors, clone_function, call_function) -> Model:
    if input_tensors is None:
        input_tensors = tree.map_structure(
            lambda kt: InputLayer(batch_shape=kt.shape, dtype=kt.node.layer.dtype,
                                  name=kt.node.layer.name).output, model.input)
    else:
        given, expected = tree.flatten(input_tensors), model.inputs
        if len(given) != len(expected) or not all(isinstance(t, KerasTensor) for t in given):
            raise ValueError(
                f"`input_tensors` must be symbolic tensors with the structure of `model.input` "
                f"({len(expected)} tensor(s)). Received: {input_tensors!r}"
            )
    tensor_map = {id(old): new for old, new in zip(model.inputs, tree.flatten(input_tensors))}
    nodes_by_depth, _ = map_graph(model.inputs, model.outputs)
    replay_graph(nodes_by_depth, tensor_map, layer_fn=clone_function, call_fn=call_function)
    outputs = tree.map_structure(lambda kt: tensor_map[id(kt)], model.output)
    cls = origin_class(type(model))
    if cls is not Functional and _functional_like_constructor(cls):
        return functional_variant(cls)(input_tensors, outputs, name=model.name)
    return Functional(input_tensors, outputs, name=model.name)


def _functional_like_constructor(cls) -> bool:
    return cls.__init__ is Model.__init__ or cls.__init__ is Functional.__init__
