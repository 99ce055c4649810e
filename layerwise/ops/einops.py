"""`keras.ops.rearrange`: einops-style axis rearrangement (`"b h w c -> b (h w) c"`)."""

from __future__ import annotations

import re

from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.ops._symbolic import keras_op

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|1|\.\.\.")


def _parse(side: str) -> list[list[str]]:
    """`"b (h w) c"` -> `[["b"], ["h", "w"], ["c"]]` (`"1"` is an empty group)."""
    groups, current = [], None
    for token in _TOKEN.findall(side):
        if token == "(":
            current = []
        elif token == ")":
            groups.append(current)
            current = None
        elif current is not None:
            if token != "1":
                current.append(token)
        else:
            groups.append([] if token == "1" else [token])
    return groups


@keras_op("einops")
def rearrange(tensor, pattern, **axes_lengths):
    """Reorders, merges and splits axes as described by an einops `pattern`."""
    x = _t(tensor)
    if "->" not in pattern:
        raise ValueError(f"`pattern` must contain '->'. Received: pattern={pattern!r}")
    left, right = (_parse(side) for side in pattern.split("->"))
    if len(left) != x.ndim:
        raise ValueError(f"Pattern {pattern!r} describes {len(left)} axes but the tensor has "
                         f"{x.ndim} (shape {tuple(x.shape)}).")
    sizes = dict(axes_lengths)
    for group, size in zip(left, x.shape):
        unknown = [a for a in group if a not in sizes]
        known = 1
        for a in group:
            known *= sizes.get(a, 1)
        if len(unknown) > 1:
            raise ValueError(f"Cannot infer the sizes of {unknown} in {pattern!r}; pass them as "
                             "keyword arguments.")
        if unknown:
            sizes[unknown[0]] = size // known
    elementary = [a for group in left for a in group]
    x = x.reshape([sizes[a] for a in elementary])
    order = [a for group in right for a in group]
    if sorted(order) != sorted(elementary):
        raise ValueError(f"Both sides of {pattern!r} must name the same axes.")
    x = x.permute([elementary.index(a) for a in order])
    shape = []
    for group in right:
        size = 1
        for a in group:
            size *= sizes[a]
        shape.append(size)
    return x.reshape(shape) if shape else x.reshape(())


