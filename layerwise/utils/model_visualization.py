"""`plot_model` and `model_to_dot`: a picture of the model's graph (pydot + graphviz)."""

from __future__ import annotations

import os
import shutil

from layerwise.activations import serialize

_INSTALL_HINT = (
    "`plot_model` needs the `pydot` package and the graphviz `dot` program: install them with "
    "`pip install pydot` and `apt-get install graphviz` (macOS: `brew install graphviz`)."
)


def _import_pydot():
    try:
        import pydot  # optional library, loaded only by plot_model / model_to_dot
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None
    if shutil.which("dot") is None:
        raise ImportError(_INSTALL_HINT + " The `dot` program was not found on the PATH.")
    return pydot


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _node_label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                show_trainable) -> str:
    title = f"{layer.name} ({type(layer).__name__})" if show_layer_names \
        else type(layer).__name__
    rows = [title]
    if show_layer_activations and hasattr(layer, "activation"):
        rows.append(f"activation: {serialize(layer.activation)}")
    if show_shapes:
        inputs = [t.shape for n in layer._inbound_nodes[:1] for t in n.inputs]
        try:
            output = layer.output_shape
        except (AttributeError, NotImplementedError, ValueError, TypeError):
            output = "?"
        if inputs:
            rows.append(f"input: {_shape_text(inputs if len(inputs) > 1 else inputs[0])}")
        rows.append(f"output: {output if output == '?' else _shape_text(output)}")
    if show_dtype:
        rows.append(f"dtype: {layer.dtype}")
    if show_trainable:
        rows.append(f"trainable: {layer.trainable}")
    escaped = [r.replace("{", "\\{").replace("}", "\\}").replace("|", "\\|")
               .replace("<", "\\<").replace(">", "\\>") for r in rows]
    return "{" + "|".join(escaped) + "}"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False):
    """Returns a `pydot.Dot` graph of the model's layers and connections.

    Args:
        model: A `Sequential` or functional model.
        show_shapes: Show input and output shapes.
        show_dtype: Show each layer's dtype.
        show_layer_names: Show layer names.
        rankdir: `"TB"` (top to bottom) or `"LR"` (left to right).
        expand_nested: Draw nested models as clusters of their layers.
        dpi: Image resolution.
    """
    pydot = _import_pydot()
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name, label=model.name)
    else:
        dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi))
        dot.set_node_defaults(shape="record", fontname="Helvetica")
    layers = list(model.layers)
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        layers.insert(0, input_layer)
    entry, exit_ = {}, {}
    for layer in layers:
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            sub = model_to_dot(layer, show_shapes, show_dtype, show_layer_names, rankdir,
                               expand_nested, dpi, subgraph=True,
                               show_layer_activations=show_layer_activations,
                               show_trainable=show_trainable)
            dot.add_subgraph(sub)
            inner = [n.get_name() for n in sub.get_nodes()]
            entry[id(layer)], exit_[id(layer)] = inner[0], inner[-1]
            continue
        node_id = str(id(layer))
        label = _node_label(layer, show_shapes, show_dtype, show_layer_names,
                            show_layer_activations, show_trainable)
        dot.add_node(pydot.Node(node_id, label=label))
        entry[id(layer)] = exit_[id(layer)] = node_id
    if getattr(model, "_nodes_by_depth", None) is None:
        for a, b in zip(layers, layers[1:]):
            dot.add_edge(pydot.Edge(exit_[id(a)], entry[id(b)]))
        return dot
    network_nodes = model._network_nodes
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in network_nodes:
                continue
            for t in node.inputs:
                source = t.node.layer
                if id(source) in exit_:
                    dot.add_edge(pydot.Edge(exit_[id(source)], entry[id(layer)]))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's graph to an image file.

    Args:
        model: A `Sequential` or functional model.
        to_file: Output path; the extension picks the format (`.png`, `.svg`, `.pdf`, ...).
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        show_layer_activations, show_trainable: See `model_to_dot`.

    Returns:
        An `IPython.display.Image` in a notebook, else `None`.

    Example:

    >>> import layerwise as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> keras.utils.plot_model(model, to_file="model.png")  # doctest: +SKIP
    """
    if not model.built:
        raise ValueError(
            "The model has not been built yet: call it on data or give it an `Input` before "
            "plotting it."
        )
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(str(to_file))[1].lstrip(".") or "png"
    tmp = f"{to_file}.tmp.{os.getpid()}"
    dot.write(tmp, format=extension)
    os.replace(tmp, to_file)
    if extension != "pdf":
        try:
            from IPython import display, get_ipython  # optional: notebooks only

            if get_ipython() is not None:
                return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
