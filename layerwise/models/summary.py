"""`model.summary()`: Keras 3's table, laid out as Keras (via rich) lays it out."""

from __future__ import annotations

import math
import shutil


def _ratio_reduce(total, ratios, maximums, values):
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining, result = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _column_widths(line_length: int, positions) -> list[int]:
    """Outer widths (content + 1 space of padding each side), as rich computes them."""
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    requested, current = [], 0
    for pos in positions:
        width = pos - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        requested.append(width)
        current += width
    widths = [w + 2 for w in requested]
    available = line_length - (len(widths) + 1)
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """Word-wraps like rich: greedy on spaces; a word wider than the cell ends with '…'."""
    lines = []
    for paragraph in text.split("\n"):
        stripped = paragraph.lstrip(" ")
        line = paragraph[: len(paragraph) - len(stripped)]  # rich keeps the indentation
        first = True
        for word in stripped.split(" "):
            if len(word) > width:
                word = word[: width - 1] + "…"
            if first:
                candidate = line + word
            else:
                candidate = f"{line} {word}" if line else word
            if len(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
            first = False
        lines.append(line)
    return lines


def _render_row(cells, widths, aligns, edge, vertical="top") -> list[str]:
    wrapped = [_wrap(c, w - 2) for c, w in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    if vertical == "bottom":  # rich aligns header cells on their last line
        wrapped = [[""] * (height - len(w)) + w for w in wrapped]
    lines = []
    for i in range(height):
        parts = []
        for lines_of_cell, width, align in zip(wrapped, widths, aligns):
            text = lines_of_cell[i] if i < len(lines_of_cell) else ""
            inner = width - 2
            if align == "right":
                text = text.rjust(inner)
            elif align == "center":
                text = text.center(inner)
            else:
                text = text.ljust(inner)
            parts.append(" " + text + " ")
        lines.append(edge + edge.join(parts) + edge)
    return lines


def render_table(header, rows, widths, aligns) -> str:
    """Renders a table with rich's HEAVY_HEAD box and lines between rows."""
    out = ["┏" + "┳".join("━" * w for w in widths) + "┓"]
    out += _render_row(header, widths, aligns, "┃", vertical="bottom")
    out.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    for i, row in enumerate(rows):
        if i:
            out.append("├" + "┼".join("─" * w for w in widths) + "┤")
        out += _render_row(row, widths, aligns, "│")
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    return "\n".join(out)


def readable_memory_size(size: float) -> str:
    """`1.51 KB` style sizes, as Keras prints them."""
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(weights) -> int:
    unique = {id(w): w for w in weights}.values()
    return int(sum(math.prod(w.shape) for w in unique))


def _memory(weights) -> float:
    unique = {id(w): w for w in weights}.values()
    return float(sum(math.prod(w.shape) * w.element_size() for w in unique))


def _format_shape(shape) -> str:
    if isinstance(shape, (list,)) and shape and isinstance(shape[0], tuple):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _layer_output_shape(layer) -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, NotImplementedError, ValueError, TypeError):
        return "?"
    return _format_shape(shape)


def _connections(layer, network_nodes) -> str:
    parts = []
    for node in layer._inbound_nodes:
        if network_nodes is not None and id(node) not in network_nodes:
            continue
        for t in node.inputs:
            source = t.node.layer
            parts.append(f"{source.name}[{source._inbound_nodes.index(t.node)}][{t.index}]")
    return ", ".join(parts) or "-"


def _is_sequential_like(model) -> bool:
    """Keras' test: a chain of single-input nodes without shared layers."""
    nodes_by_depth = getattr(model, "_nodes_by_depth", None)
    if nodes_by_depth is None:
        return True
    nodes = []
    for depth_nodes in nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].inputs) > 1):
            return False
        nodes += depth_nodes
    ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(id(n) in ids for n in layer._inbound_nodes) > 1:
            return False
    return True


def _layer_rows(layer, show_trainable, prefix="", network_nodes=None, connected=False):
    name = f"{prefix}{layer.name} ({type(layer).__name__})"
    if layer.built:
        params = f"{layer.count_params():,}"
    else:
        params = "0 (unbuilt)"
    row = [name, _layer_output_shape(layer), params]
    if connected:
        row.append(_connections(layer, network_nodes))
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    return row


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False) -> None:
    """Prints (or passes to `print_fn`) the summary of `model`."""
    sequential_like = _is_sequential_like(model)
    network_nodes = getattr(model, "_network_nodes", None)
    if sequential_like:
        default_length = 88
        positions = list(positions or [0.45, 0.80, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        aligns = ["left", "left", "right"]
    else:
        default_length = 108
        positions = list(positions or [0.3, 0.56, 0.74, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        aligns = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    widths = _column_widths(line_length, positions)

    rows = []

    def add(layer, level):
        prefix = "   " * level + "└ " if level else ""
        rows.append(_layer_rows(layer, show_trainable, prefix, network_nodes,
                                connected=not sequential_like and level == 0))
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                add(inner, level + 1)

    for layer in model.layers:
        add(layer, 0)

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    trainable_count, non_trainable_count = _count(trainable), _count(non_trainable)
    trainable_mem, non_trainable_mem = _memory(trainable), _memory(non_trainable)
    optimizer = getattr(model, "optimizer", None)
    opt_vars = optimizer.variables if getattr(model, "compiled", False) and optimizer is not None \
        and optimizer.built else []
    opt_count, opt_mem = _count(opt_vars), _memory(opt_vars)
    total = trainable_count + non_trainable_count + opt_count
    total_mem = trainable_mem + non_trainable_mem + opt_mem

    lines = [f'Model: "{model.name}"', render_table(header, rows, widths, aligns),
             f" Total params: {total:,} ({readable_memory_size(total_mem)})",
             f" Trainable params: {trainable_count:,} ({readable_memory_size(trainable_mem)})",
             f" Non-trainable params: {non_trainable_count:,} "
             f"({readable_memory_size(non_trainable_mem)})"]
    if opt_vars:
        lines.append(f" Optimizer params: {opt_count:,} ({readable_memory_size(opt_mem)})")
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        print_fn(text + "\n")  # Keras passes the captured console text, newline included
