"""Replaying a functional graph: on new symbolic tensors, or for output shapes only.

`replay_graph` calls each node's layer again (or a replacement layer) on new
symbolic tensors: `clone_model` uses it with cloned layers, and a functional model
whose inputs are intermediate tensors uses it to start the graph at fresh `Input`s,
as Keras does. `propagate_specs` computes the output shapes of a graph for more
precise input shapes (a model built on `Input((None, None, 3))` called on 32x32
images) without recording any node.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from layerwise import tree
from layerwise.backend.keras_tensor import KerasTensor, Node
from layerwise.layers import _shape_inference


def _substitute(tensor_map: dict):
    def sub(value):
        if isinstance(value, KerasTensor):
            return tensor_map[id(value)]
        return value

    return sub


def _node_call_arguments(node: Node, tensor_map: dict):
    sub = _substitute(tensor_map)
    return tree.map_structure(sub, node.input_structure), tree.map_structure(sub, dict(node.arguments))


def replay_graph(nodes_by_depth: dict, tensor_map: dict, layer_fn: Callable | None = None,
                 call_fn: Callable | None = None) -> dict:
    """Calls every node's layer again, deepest first, on the tensors of `tensor_map`.

    Args:
        nodes_by_depth: `{depth: [Node]}` from `map_graph`.
        tensor_map: `{id(old KerasTensor): new KerasTensor}` for the graph's inputs;
            completed in place with every node output.
        layer_fn: Returns the layer to call for a node's layer (default: the same).
        call_fn: Optional `call_fn(layer, *args, **kwargs)` used instead of `layer(...)`.

    Returns:
        `tensor_map`.
    """
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input or all(id(t) in tensor_map for t in node.outputs):
                continue
            args, kwargs = _node_call_arguments(node, tensor_map)
            layer = layer_fn(node.layer) if layer_fn is not None else node.layer
            outputs = call_fn(layer, args, **kwargs) if call_fn is not None \
                else layer(args, **kwargs)
            for old, new in zip(node.outputs, tree.flatten(outputs)):
                tensor_map[id(old)] = new
    return tensor_map


def propagate_specs(nodes_by_depth: dict, tensor_map: dict) -> dict:
    """Like `replay_graph`, but computes output specs only (no node is recorded)."""
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input or all(id(t) in tensor_map for t in node.outputs):
                continue
            args, kwargs = _node_call_arguments(node, tensor_map)
            layer = node.layer
            if kwargs and _shape_inference.spec_accepts_kwargs(type(layer)):
                outputs = layer.compute_output_spec(args, **kwargs)
            else:
                outputs = layer.compute_output_spec(args)
            for old, new in zip(node.outputs, tree.flatten(outputs)):
                tensor_map[id(old)] = new
    return tensor_map


def adjust_input_rank(x, reference_shape: tuple):
    """Keras' rank adjustment of a model input: `(batch,)` data for an `Input(shape=(1,))`
    becomes `(batch, 1)`, and a trailing axis of size 1 too many is squeezed."""
    if not isinstance(x, torch.Tensor) or x.ndim == len(reference_shape):
        return x
    if x.ndim == len(reference_shape) - 1 and reference_shape and reference_shape[-1] == 1:
        return x.unsqueeze(-1)
    if x.ndim == len(reference_shape) + 1 and x.shape[-1] == 1:
        return x.squeeze(-1)
    return x
