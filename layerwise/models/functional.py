"""`Functional`: a model defined by a graph of layer calls on symbolic tensors.

`keras.Model(inputs, outputs)` returns a `Functional`. Its layers are ordered
and run exactly as Keras orders them: nodes by decreasing depth from the
outputs, ties broken by the order the traversal first met each layer.
"""

from __future__ import annotations

from collections import defaultdict

from layerwise import tree
from layerwise.backend.keras_tensor import KerasTensor, Node
from layerwise.layers.input_layer import InputLayer
from layerwise.layers.layer import Layer
from layerwise.models import graph_replay
from layerwise.models.model import Model
from layerwise.registry.serialization import deserialize_keras_object, serialize_keras_object


def _node_index(node: Node) -> int:
    return node.layer._inbound_nodes.index(node)


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]):
    """Keras' graph mapping: returns `(nodes_by_depth, layers)` and checks connectivity."""
    input_ids = {id(t) for t in inputs}
    ordered, layer_indices = _nodes_in_decreasing_depth(outputs, input_ids)
    nodes_by_depth, layer_depths = _depths(ordered, inputs, input_ids, layer_indices)
    layers_by_depth = defaultdict(list)
    for layer, depth in layer_depths.items():
        layers_by_depth[depth].append(layer)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        layers.extend(sorted(layers_by_depth[depth], key=lambda lyr: layer_indices[lyr]))
    _check_connectivity(nodes_by_depth, layers, input_ids)
    return dict(nodes_by_depth), layers


def _nodes_in_decreasing_depth(outputs: list[KerasTensor], input_ids: set[int]):
    """The nodes from the outputs back to the inputs, depth first (Keras' `_build_map`),
    and each layer's index in the order the traversal met it."""
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth: list[Node] = []
    layer_indices: dict = {}

    def visit(tensor: KerasTensor):
        node = tensor.node
        if node is None:
            raise ValueError(f"Tensor {tensor} was not produced by a layer call.")
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle at layer '{node.layer.name}'.")
        layer_indices.setdefault(node.layer, len(layer_indices))
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for parent in node.inputs:
                visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_decreasing_depth.append(node)

    for t in outputs:
        visit(t)
    return nodes_in_decreasing_depth, layer_indices


def _depths(ordered: list[Node], inputs: list[KerasTensor], input_ids: set[int],
            layer_indices: dict):
    """`(nodes_by_depth, layer_depths)`: a node is one deeper than its deepest consumer;
    unused inputs get depth 0 (and layer index -1, in `layer_indices`)."""
    node_depths: dict = {}
    layer_depths: dict = {}
    nodes = {}
    for node in reversed(ordered):
        nodes[id(node)] = node
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, layer_depths.get(node.layer, 0))
        layer_depths[node.layer] = depth
        node_depths[id(node)] = depth
        if id(node.outputs[0]) in input_ids if node.outputs else False:
            continue
        for parent in node.parent_nodes:
            if id(parent) not in node_depths and id(parent) not in nodes:
                nodes[id(parent)] = parent
            node_depths[id(parent)] = max(depth + 1, node_depths.get(id(parent), 0))
    for t in inputs:
        layer = t.node.layer
        if layer not in layer_depths:
            layer_depths[layer] = 0
            layer_indices[layer] = -1
            node_depths[id(t.node)] = 0
            nodes[id(t.node)] = t.node
    nodes_by_depth = defaultdict(list)
    for node_id, depth in node_depths.items():
        nodes_by_depth[depth].append(nodes[node_id])
    return nodes_by_depth, layer_depths


def _check_connectivity(nodes_by_depth, layers: list, input_ids: set[int]) -> None:
    """Raises "Graph disconnected" when a node needs a tensor no input leads to."""
    computable = set(input_ids)
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if id(node.outputs[0]) in input_ids:
                continue
            if node.is_input:
                consumers = [n.layer.name for n in nodes_by_depth.get(depth - 1, [])
                             if any(t is node.outputs[0] for t in n.inputs)]
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {node.outputs[0]} at "
                    f"layer '{consumers[0] if consumers else node.layer.name}': the `Input` "
                    f"'{node.layer.name}' is not among the model's inputs. Add it to `inputs`."
                )
            for t in node.inputs:
                if id(t) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot obtain value for tensor {t} at layer "
                        f"'{node.layer.name}'. The following previous layers were accessed "
                        "without issue: "
                        f"{[lyr.name for lyr in layers if lyr is not node.layer][:10]}. Add the "
                        "missing `Input` to the model's `inputs`."
                    )
            for t in node.outputs:
                computable.add(id(t))


class Functional(Model):
    """A model built from `inputs` and `outputs` symbolic tensors.

    Args:
        inputs: An `Input` tensor, or a list / dict of them.
        outputs: Symbolic tensor(s) computed from `inputs`: one, a list or a dict.
        name: Model name (default `"functional"`, numbered).

    Example:

    >>> import layerwise as keras
    >>> a = keras.Input((4,), name="a")
    >>> b = keras.Input((3,), name="b")
    >>> h = keras.layers.Concatenate()([keras.layers.Dense(5)(a), b])
    >>> model = keras.Model([a, b], keras.layers.Dense(1, name="out")(h))
    >>> [layer.name for layer in model.layers]
    ['a', 'dense', 'b', 'concatenate', 'out']
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_structure = inputs
        self._output_structure = outputs
        flat_inputs, flat_outputs = tree.flatten(inputs), tree.flatten(outputs)
        for t in flat_inputs + flat_outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    "`inputs` and `outputs` of a functional model must be symbolic tensors "
                    f"(from `keras.Input` and layer calls). Received: {t!r}"
                )
        if not all(isinstance(t.node.layer, InputLayer) for t in flat_inputs):
            # Intermediate tensors as inputs: the graph restarts at new `Input`s, as in Keras.
            inputs, outputs = _restart_at_new_inputs(inputs, outputs)
            self._input_structure, self._output_structure = inputs, outputs
            flat_inputs, flat_outputs = tree.flatten(inputs), tree.flatten(outputs)
        self._nodes_by_depth, ordered_layers = map_graph(flat_inputs, flat_outputs)
        self._depth_keys = sorted(self._nodes_by_depth, reverse=True)
        self._network_nodes = {id(n) for nodes in self._nodes_by_depth.values() for n in nodes}
        # Nodes with tensors among their keyword arguments (`initial_state=`, `value=`).
        self._tensor_kwarg_nodes = {
            id(n) for nodes in self._nodes_by_depth.values() for n in nodes
            if len(n.inputs) > len(tree.flatten(n.input_structure))}
        for layer in ordered_layers:
            key = layer.name if not hasattr(type(self), layer.name) else f"layer_{layer.name}"
            if key in self._modules and self._modules[key] is not layer:
                raise ValueError(
                    f"The name '{layer.name}' is used {2} times in the model. All layer names "
                    "should be unique."
                )
            self.add_module(key, layer)
        self._build_input_shape = [t.shape for t in flat_inputs] if len(flat_inputs) > 1 \
            else flat_inputs[0].shape
        self.built = True

    # ---------------------------------------------------------------- graph
    @property
    def inputs(self) -> list[KerasTensor]:
        return tree.flatten(self._input_structure)

    @property
    def outputs(self) -> list[KerasTensor]:
        return tree.flatten(self._output_structure)

    @property
    def input(self):
        return self._input_structure

    @property
    def output(self):
        return self._output_structure

    @property
    def input_names(self) -> list[str]:
        if isinstance(self._input_structure, dict):
            return list(self._input_structure)
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._output_structure, dict):
            return list(self._output_structure)
        return [t.node.layer.name for t in self.outputs]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    # ----------------------------------------------------------------- call
    def _flat_call_inputs(self, inputs) -> list:
        expected = self.inputs
        if isinstance(inputs, dict):
            names = self.input_names
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {names}; missing {missing} in the "
                    f"dict received (keys: {list(inputs)})."
                )
            return [inputs[n] for n in names]
        flat = tree.flatten(inputs)
        if len(flat) != len(expected):
            raise ValueError(
                f"Model '{self.name}' expects {len(expected)} input(s) "
                f"{[tuple(t.shape) for t in expected]}, but received {len(flat)} tensor(s)."
            )
        return flat

    def call(self, inputs, training=None):
        values = {id(kt): graph_replay.adjust_input_rank(x, kt.shape)
                  for kt, x in zip(self.inputs, self._flat_call_inputs(inputs))}
        for depth in self._depth_keys:
            for node in self._nodes_by_depth[depth]:
                if node.is_input or id(node.outputs[0]) in values:
                    continue
                args = tree.map_structure(lambda kt: values[id(kt)] if isinstance(kt, KerasTensor)
                                      else kt, node.input_structure)
                kwargs = node.arguments
                if id(node) in self._tensor_kwarg_nodes:
                    # Tensors passed by keyword (`initial_state=`, `value=`) or position.
                    kwargs = tree.map_structure(
                        lambda v: values[id(v)] if isinstance(v, KerasTensor) else v, kwargs)
                out = node.layer(args, training=training, **kwargs)
                for kt, value in zip(node.outputs, tree.flatten(out)):
                    values[id(kt)] = value
        return tree.map_structure(lambda kt: values[id(kt)], self._output_structure)

    def compute_output_spec(self, inputs, **kwargs):
        flat = tree.flatten(inputs)
        batch = flat[0].shape[0]
        if any(tuple(x.shape[1:]) != tuple(ref.shape[1:]) for x, ref in zip(flat, self.inputs)):
            # More precise input shapes (a model on `Input((None, None, 3))` called on
            # 32x32 images): the output shapes follow, as in Keras.
            specs = {id(ref): KerasTensor((None, *x.shape[1:]), dtype=ref.dtype)
                     for x, ref in zip(flat, self.inputs)}
            graph_replay.propagate_specs(self._nodes_by_depth, specs)
            return tree.map_structure(
                lambda kt: KerasTensor((batch, *specs[id(kt)].shape[1:]), dtype=kt.dtype),
                self._output_structure)
        return tree.map_structure(
            lambda kt: KerasTensor((batch, *kt.shape[1:]), dtype=kt.dtype), self._output_structure
        )

    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes


    # --------------------------------------------------------------- config
    def get_config(self) -> dict:
        """Keras' functional config: layers with their inbound nodes, input and output refs."""
        # Node indices count only the calls inside this model, as Keras writes them
        # (a shared sub-model may have been called elsewhere first).
        kept_index = {}
        # Every layer of the graph, graph operations included (`self.layers` omits those).
        graph_layers = [m for m in self._modules.values() if isinstance(m, Layer)]
        for layer in graph_layers:
            kept = [n for n in layer._inbound_nodes if id(n) in self._network_nodes]
            kept_index.update({id(n): i for i, n in enumerate(kept)})

        def ref(kt):
            return [kt.node.layer.name, kept_index[id(kt.node)], kt.index]

        def model_ref(kt):
            # Keras counts a nested functional model's own input->output node first here.
            offset = 1 if isinstance(kt.node.layer, Functional) else 0
            return [kt.node.layer.name, kept_index[id(kt.node)] + offset, kt.index]

        def tensor_config(kt):
            if not isinstance(kt, KerasTensor):  # numbers and indices given to op layers
                return kt
            return {"class_name": "__keras_tensor__", "config": {
                "shape": list(kt.shape), "dtype": str(kt.dtype).replace("torch.", ""),
                "keras_history": ref(kt)}}

        layer_configs = []
        for layer in graph_layers:
            entry = serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                {"args": [tree.map_structure(tensor_config, arg) for arg in _call_args(node)],
                 "kwargs": tree.map_structure(
                     lambda v: tensor_config(v) if isinstance(v, KerasTensor) else v,
                     dict(node.arguments))}
                for node in layer._inbound_nodes
                if id(node) in self._network_nodes and not node.is_input
            ]
            layer_configs.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": tree.map_structure(model_ref, self._input_structure),
            "output_layers": tree.map_structure(model_ref, self._output_structure),
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuilds the graph from a config written by layerwise, Keras 3 or Keras 2."""
        return functional_from_config(cls, config, custom_objects=custom_objects)


def functional_from_config(cls, config: dict, custom_objects=None):
    """Builds a `cls` (a `Functional` or a functional subclass) from a functional config.

    Args:
        cls: The model class; called as `cls(inputs, outputs, name=..., trainable=...)`.
        config: `{"layers": [...], "input_layers": ..., "output_layers": ...}`
            (layerwise, Keras 3 or Keras 2).
        custom_objects: `{name: class or function}` for what is not built in.
    """
    created: dict[str, Layer] = {}
    pending: list[tuple[Layer, list]] = []
    for layer_config in config.get("layers", []):
        layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
        name = layer_config.get("name") or layer.name
        created[name] = layer
        nodes = layer_config.get("inbound_nodes") or []
        if nodes:
            pending.append((layer, list(nodes)))
    # Nodes may refer to nodes of layers defined later: process until no progress.
    while pending:
        progressed = False
        for item in list(pending):
            layer, nodes = item
            while nodes:
                resolved = _resolve_node(nodes[0], created)
                if resolved is None:
                    break
                args, kwargs = resolved
                layer(*args, **kwargs)
                nodes.pop(0)
                progressed = True
            if not nodes:
                pending.remove(item)
        if not progressed:
            names = [layer.name for layer, _ in pending]
            raise ValueError(
                f"The model config is inconsistent: the inbound nodes of layers {names} "
                "refer to layers or nodes that do not exist."
            )

    def tensor_of(ref):
        name, node_index, tensor_index = ref[0], ref[1], ref[2]
        if name not in created:
            raise ValueError(f"The model config refers to an unknown layer {name!r}.")
        layer = created[name]
        if isinstance(layer, Functional) and node_index > 0:
            node_index -= 1  # Keras counts a nested functional model's own node first.
        node = layer._inbound_nodes[node_index]
        return node.outputs[tensor_index]

    inputs = _map_refs(tensor_of, config["input_layers"])
    outputs = _map_refs(tensor_of, config["output_layers"])
    return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _is_ref(value) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) >= 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def _map_refs(fn, structure):
    if _is_ref(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_refs(fn, v) for k, v in structure.items()}
    return [_map_refs(fn, v) for v in structure]


def _resolve_node(node_config, created):
    """Returns `(args, kwargs)` of a node config with tensors resolved, or None if not ready."""

    def lookup(name, node_index, tensor_index):
        layer = created.get(name)
        if layer is None or node_index >= len(layer._inbound_nodes):
            raise LookupError
        return layer._inbound_nodes[node_index].outputs[tensor_index]

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = value["config"]["keras_history"]
            return lookup(*history[:3])
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [resolve(v) for v in value]
        return value

    try:
        if isinstance(node_config, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            args = [resolve(a) for a in node_config.get("args", [])]
            kwargs = {k: resolve(v) for k, v in (node_config.get("kwargs") or {}).items()}
            return args, kwargs
        # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
        tensors, kwargs = [], {}
        for entry in node_config:
            tensors.append(lookup(entry[0], entry[1], entry[2]))
            if len(entry) > 3 and entry[3]:
                kwargs.update(entry[3])
        return [tensors[0] if len(tensors) == 1 else tensors], kwargs
    except LookupError:
        return None


def _call_args(node: Node) -> list:
    """A node's positional call arguments (op layers take several, layers one)."""
    if getattr(node.layer, "_positional_args", False):
        return list(node.input_structure)
    return [node.input_structure]


def is_functional(model: Layer) -> bool:
    return isinstance(model, Functional)


def _restart_at_new_inputs(inputs, outputs):
    """For intermediate tensors given as model inputs: new `Input`s in their place and the
    graph between them and `outputs` called again on them (Keras' `clone_graph_nodes`)."""
    flat_inputs = tree.flatten(inputs)
    tensor_map = {}
    for t in flat_inputs:
        if isinstance(t.node.layer, InputLayer):
            tensor_map[id(t)] = t
        else:
            dtype = str(t.dtype).replace("torch.", "")
            tensor_map[id(t)] = InputLayer(batch_shape=t.shape, dtype=dtype).output
    nodes_by_depth, _ = map_graph(flat_inputs, tree.flatten(outputs))
    graph_replay.replay_graph(nodes_by_depth, tensor_map)
    return (tree.map_structure(lambda t: tensor_map[id(t)], inputs),
            tree.map_structure(lambda t: tensor_map[id(t)], outputs))
