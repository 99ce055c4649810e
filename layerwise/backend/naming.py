"""Unique, Keras-style object names (`dense`, `dense_1`, ...)."""

from __future__ import annotations

import re
from collections import defaultdict

_NAME_COUNTS: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """Converts `CamelCase` to `snake_case` as Keras does (`Conv2D` -> `conv2d`)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def uniquify(base: str) -> str:
    """Returns `base` the first time, then `base_1`, `base_2`, ..."""
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Forgets every name given so far (used by `clear_session`)."""
    _NAME_COUNTS.clear()
