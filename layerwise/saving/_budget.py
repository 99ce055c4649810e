"""The allocation budget of loading: what a file may make the loader allocate.

A model file is data, and data must not decide how much memory the loader
takes. Before a model described by a file is built for real:

1. its config is scanned for the layers whose config alone asks for large
   host arrays (`StringLookup` / `IntegerLookup` / `TextVectorization` with
   `output_mode="tf_idf"` and `pad_to_max_tokens=True` allocate `max_tokens`
   IDF weights);
2. the model is built once on PyTorch's `meta` device (no memory), and every
   tensor its layers hold is counted in bytes: weights, registered buffers and
   any other tensor or NumPy array attribute (normalization statistics, lookup
   tables);
3. the total must fit the budget: the bytes of weights the file really holds
   (bytes read, never a size the file declares) plus an allowance for what a
   file does not store (default 1 GiB).

A model over budget is refused with a `ValueError` naming its largest layer.
For a legitimate model whose non-stored tensors exceed the allowance (or a
large model built from JSON, which stores no weights), raise the allowance:

>>> import layerwise as keras
>>> keras.saving.set_load_allowance(8 << 30)  # doctest: +SKIP

or set the environment variable `LAYERWISE_LOAD_ALLOWANCE` (bytes, or with a
`K`/`M`/`G` suffix: `LAYERWISE_LOAD_ALLOWANCE=8G`).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable

import numpy as np
import torch

from layerwise.backend import naming, settings

# Per-sample input elements above this are refused (2**28 floats = 1 GiB per sample).
MAX_INPUT_ELEMENTS = 1 << 28
DEFAULT_ALLOWANCE = 1 << 30
_ALLOWANCE: list[int | None] = [None]
_LOOKUP_CLASSES = ("StringLookup", "IntegerLookup", "TextVectorization")
_MAX_SCAN_DEPTH = 400
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def set_load_allowance(num_bytes: int | None) -> None:
    """Sets the bytes a loaded model may allocate beyond the weights its file stores.

    Args:
        num_bytes: A non-negative number of bytes, or `None` for the default
            (`LAYERWISE_LOAD_ALLOWANCE`, else 1 GiB).
    """
    if num_bytes is not None and (isinstance(num_bytes, bool) or not isinstance(num_bytes, int)
                                  or num_bytes < 0):
        raise ValueError(
            "`num_bytes` must be a non-negative integer (bytes) or None. Received: "
            f"num_bytes={num_bytes!r}"
        )
    _ALLOWANCE[0] = num_bytes


def get_load_allowance() -> int:
    """The bytes a loaded model may allocate beyond the weights its file stores."""
    if _ALLOWANCE[0] is not None:
        return _ALLOWANCE[0]
    text = settings.env_text("LAYERWISE_LOAD_ALLOWANCE").upper()
    if not text:
        return DEFAULT_ALLOWANCE
    scale = _UNITS.get(text[-1:], 1)
    digits = text[:-1] if text[-1:] in _UNITS else text
    try:
        return int(float(digits) * scale)
    except ValueError:
        raise ValueError(
            "LAYERWISE_LOAD_ALLOWANCE must be a number of bytes (suffix K, M, G or T "
            f"allowed). Received: {text!r}"
        ) from None


def _refuse(what: str, size: int, budget: int, stored: int, source: str) -> ValueError:
    return ValueError(
        f"Refusing to build {what}: it would allocate {size} bytes, more than the loading "
        f"budget of {budget} bytes ({stored} bytes of weights stored in {source} + an "
        f"allowance of {budget - stored}). The file is corrupted or crafted to exhaust "
        "memory; if you trust it, raise the allowance with "
        "`layerwise.saving.set_load_allowance(num_bytes)` or LAYERWISE_LOAD_ALLOWANCE."
    )


def _as_int(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)) and np.isfinite(value):
        return max(int(value), 0)
    return 0


def config_bytes(config, depth: int = 0) -> list[tuple[str, int]]:
    """`[(layer description, bytes)]` that configs alone make layers allocate on the host."""
    found: list[tuple[str, int]] = []
    if depth > _MAX_SCAN_DEPTH:
        return found
    if isinstance(config, dict):
        inner = config.get("config")
        if config.get("class_name") in _LOOKUP_CLASSES and isinstance(inner, dict):
            mode = str(inner.get("output_mode", "")).replace("-", "_")
            if mode == "tf_idf" and inner.get("pad_to_max_tokens"):
                # IDF weights padded to `max_tokens`: float64, then a float32 copy.
                size = 12 * _as_int(inner.get("max_tokens"))
                found.append((f"layer {inner.get('name')!r} ({config['class_name']}, "
                              f"max_tokens={inner.get('max_tokens')!r})", size))
        for value in config.values():
            found.extend(config_bytes(value, depth + 1))
    elif isinstance(config, list):
        for value in config:
            found.extend(config_bytes(value, depth + 1))
    return found


def _tensor_bytes(value) -> int:
    if isinstance(value, torch.Tensor):
        try:
            return int(value.untyped_storage().nbytes())
        except (RuntimeError, NotImplementedError):
            return int(value.numel() * value.element_size())
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    return 0


def layer_bytes(model) -> list[tuple[str, int]]:
    """`[(layer description, bytes)]` of every tensor each layer of `model` holds."""
    seen: set[int] = set()
    out = []
    # Innermost layers first, so that a tensor counts for the layer that owns it.
    for layer in reversed(list(model._flatten_layers(include_self=True))):
        total = 0
        values = list(getattr(layer, "_trainable_variables", []))
        values += list(getattr(layer, "_non_trainable_variables", []))
        values += list(layer.parameters(recurse=False)) + list(layer.buffers(recurse=False))
        values += list(vars(layer).values())
        for value in values:
            if id(value) in seen:
                continue
            seen.add(id(value))
            total += _tensor_bytes(value)
        if total:
            out.append((f"layer {layer.name!r} ({type(layer).__name__})", total))
    return out


def _check(measure, stored_bytes: int, source: str, culprit: str) -> None:
    """Refuses when the `(what, bytes)` that `measure()` lists exceed the budget.

    `culprit` formats the refusal's subject from the largest entry (`{what}`, `{size}`)
    and the `{total}`.
    """
    budget = stored_bytes + get_load_allowance()
    found = measure()
    total = sum(size for _, size in found)
    if total > budget:
        what, size = max(found, key=lambda item: item[1])
        raise _refuse(culprit.format(what=what, size=size, total=total), total, budget,
                      stored_bytes, source)


def check_config(config, stored_bytes: int, source: str) -> None:
    """Refuses a config whose layers alone would exceed the budget (before any build)."""
    _check(lambda: config_bytes(config), stored_bytes, source,
           "{what} ({size} bytes; all such layers: {total})")


def check_model(model, stored_bytes: int, source: str) -> None:
    """Refuses a (meta-device) model whose tensors exceed the budget."""
    _check(lambda: layer_bytes(model), stored_bytes, source,
           "the model (largest: {what}, {size} bytes)")


class _RestoreState:
    """Restores name counters and random states changed by the dry run."""

    def __enter__(self):
        self._names = dict(naming._NAME_COUNTS)
        self._py = random.getstate()
        self._np = np.random.get_state()
        self._torch = torch.random.get_rng_state()
        return self

    def __exit__(self, *exc):
        naming._NAME_COUNTS.clear()
        naming._NAME_COUNTS.update(self._names)
        random.setstate(self._py)
        np.random.set_state(self._np)
        torch.random.set_rng_state(self._torch)


def _build_on_meta(config: dict, build: Callable):
    """The model of `config` built on the `meta` device; `None` if a layer cannot be."""
    with _RestoreState():
        try:
            with torch.device("meta"):
                return build(copy.deepcopy(config))
        except (RuntimeError, NotImplementedError, TypeError) as error:
            text = str(error).lower()
            if "meta" in text or "device" in text or "not implemented" in text:
                return None  # some layer cannot be built on `meta`: build it for real
            raise


def check_inputs(model) -> None:
    """Refuses inputs declaring more than `MAX_INPUT_ELEMENTS` elements per sample."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return
    for tensor in inputs or []:
        n = 1
        for d in tuple(tensor.shape)[1:]:
            n *= 1 if d is None else int(d)
        if n > MAX_INPUT_ELEMENTS:
            raise ValueError(
                f"The config declares an input of shape {tuple(tensor.shape)} "
                f"({n} elements per sample, more than {MAX_INPUT_ELEMENTS}); refusing to "
                "build it."
            )


def check_before_build(config: dict, stored_bytes: int, source: str, build: Callable) -> None:
    """Checks the whole budget of `config` before the model is built for real.

    Args:
        config: The model's config (a file's `config.json`, `model_config` or JSON).
        stored_bytes: Bytes of weights the file really holds (read, not declared).
        source: How to name the file in errors.
        build: `config -> model` (the deserializer), run on the `meta` device.

    Raises:
        ValueError: naming the largest layer and the sizes.
    """
    check_config(config, stored_bytes, source)
    model = _build_on_meta(config, build)
    if model is None:
        return
    check_inputs(model)
    if hasattr(model, "_flatten_layers"):
        check_model(model, stored_bytes, source)
