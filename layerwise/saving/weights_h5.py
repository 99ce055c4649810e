"""Keras 3's weights layout in HDF5 (`model.weights.h5`, `.weights.h5`) <-> layer variables.

Keras 3 stores each layer's own variables under a group named by walking the
model: `/layers/<snake_case class>[_N]/vars/<i>` for the layers of a
`Sequential` or functional model (numbered per class name, in `model.layers`
order), attribute names for the sublayers of custom layers and subclassed
models (`/block/d1/vars/0`), nested models nested, the optimizer state under
`/optimizer/vars/<i>`, and the model's own variables under `/vars`. Every
`vars` group carries the object's name as its `name` attribute. This module
walks a layerwise model the same way, so files are interchangeable.

Reading is defensive: only hard links to groups and plain numeric datasets
are followed (no soft / external links, no external or virtual datasets), each
dataset's declared shape is checked against the variable it is meant for
before anything is read (so a hostile shape cannot cause a giant allocation),
and every value is read before any variable is changed, so a failed load
leaves the model as it was.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from layerwise.backend.naming import to_snake_case
from layerwise.layers.layer import Layer
from layerwise.models.functional import Functional
from layerwise.models.model import Model
from layerwise.models.sequential import Sequential
from layerwise.optimizers.optimizer import Optimizer
from layerwise.saving._files import h5py_module
from layerwise.trainers.compile_config import prepare_optimizer

_NUMERIC_KINDS = "biuf"


# ------------------------------------------------------------------ safe access
def _check_name(part: str, where: str) -> None:
    if not part or part in (".", "..") or "\x00" in part:
        raise ValueError(f"Invalid HDF5 path component {part!r} in {where!r}.")


def safe_group(parent, path: str):
    """The group at `path` under `parent`, following only hard links; `None` if absent.

    Raises:
        ValueError: for soft/external links, a non-group object, or a path with
            empty, `.` or `..` components (absolute paths included).
    """
    h5py = h5py_module()
    current = parent
    for part in path.split("/"):
        _check_name(part, path)
        if part not in current:
            return None
        link = current.get(part, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise ValueError(
                f"Not allowed: the HDF5 file links {path!r} to another location "
                f"({type(link).__name__})."
            )
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise ValueError(f"Invalid HDF5 file: {path!r} is not a group.")
    return current


def safe_dataset(group, name: str):
    """The plain numeric dataset `name` (may contain `/`) of `group`, or `None` if absent.

    Raises:
        ValueError: for links, external or virtual storage, or non-numeric data.
    """
    h5py = h5py_module()
    if "/" in name:
        parent_path, name = name.rsplit("/", 1)
        group = safe_group(group, parent_path)
        if group is None:
            return None
    _check_name(name, name)
    if name not in group:
        return None
    link = group.get(name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        raise ValueError(f"Not allowed: HDF5 dataset {name!r} is a {type(link).__name__}.")
    dataset = group[name]
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"Invalid HDF5 file: {name!r} is not a dataset.")
    if dataset.external:
        raise ValueError(f"Not allowed: HDF5 dataset {name!r} stores its data in external files.")
    if dataset.is_virtual:
        raise ValueError(f"Not allowed: HDF5 dataset {name!r} is a virtual dataset.")
    kind = dataset.dtype.kind
    bfloat16 = kind == "V" and dataset.dtype.itemsize == 2 and _attr_str(dataset, "dtype") == "bfloat16"
    if kind not in _NUMERIC_KINDS and not bfloat16:
        raise ValueError(
            f"Invalid HDF5 file: dataset {name!r} has dtype {dataset.dtype}, not numbers."
        )
    return dataset


def _attr_str(obj, key: str):
    value = obj.attrs.get(key) if key in obj.attrs else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def read_dataset(dataset, expected_shape: tuple) -> np.ndarray | torch.Tensor:
    """Reads `dataset`, whose declared shape was already checked to be `expected_shape`."""
    if tuple(dataset.shape) != tuple(expected_shape):  # defensive: callers check first
        raise ValueError(
            f"HDF5 dataset {dataset.name!r} has shape {tuple(dataset.shape)}, expected "
            f"{tuple(expected_shape)}."
        )
    try:
        value = dataset[()]
    except (OSError, RuntimeError, TypeError, ValueError) as error:
        raise ValueError(f"Could not read HDF5 dataset {dataset.name!r}: {error}") from None
    value = np.asarray(value)
    if value.dtype.kind == "V":  # bfloat16 stored as 2 raw bytes
        return torch.from_numpy(np.array(value).view(np.int16)).view(torch.bfloat16)
    return value


def _to_numpy(tensor: torch.Tensor) -> tuple[np.ndarray, str | None]:
    """A value to write, and Keras' `dtype` attribute for bfloat16."""
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        return tensor.to(torch.float32).numpy(), "bfloat16"
    return tensor.numpy(), None


# ----------------------------------------------------------------- model walk
def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _is_saveable(obj) -> bool:
    return isinstance(obj, (Layer, Optimizer))


def _is_container(obj) -> bool:
    return isinstance(obj, (list, tuple, dict, torch.nn.ModuleList, torch.nn.ModuleDict))


def _container_items(container) -> list:
    if isinstance(container, (dict, torch.nn.ModuleDict)):
        return list(container.values())
    return list(container)


def _holds_layers(container, depth: int = 0) -> bool:
    if depth > 8:
        return False
    for item in _container_items(container):
        if _is_saveable(item) or (_is_container(item) and _holds_layers(item, depth + 1)):
            return True
    return False


def _children(obj) -> list[tuple[str, Any]]:
    """The attributes Keras' saver visits, in its order."""
    if not isinstance(obj, Layer):
        return []  # optimizers have no children
    if isinstance(obj, (Functional, Sequential)):
        children: list[tuple[str, Any]] = [("layers", obj.layers)]
        if getattr(obj, "optimizer", None) is not None:
            children.append(("optimizer", obj.optimizer))
        return children
    found: dict[str, Any] = {}
    for name, module in obj._modules.items():
        if module is not None and (_is_saveable(module) or _is_container(module)):
            found[name] = module
    for name, value in vars(obj).items():
        if name.startswith("__") or name in found or name in ("_modules", "_parameters",
                                                             "_buffers"):
            continue
        if _is_container(value) and not isinstance(value, torch.nn.Module) and \
                _holds_layers(value):
            found[name] = value
    if isinstance(obj, Model):
        found["layers"] = obj.layers
        if getattr(obj, "optimizer", None) is not None:
            found["optimizer"] = obj.optimizer
    return [(name, found[name]) for name in sorted(found, key=_name_key)]


def saveables(model, include_optimizer: bool = True) -> list[tuple[str, Any]]:
    """`(group path, layer or optimizer)` pairs, as Keras 3's saver visits them."""
    out: list[tuple[str, Any]] = []
    visited: set[int] = set()

    def join(path: str, name: str) -> str:
        return f"{path}/{name}" if path else name

    def visit(obj, path: str, depth: int) -> None:
        if id(obj) in visited or depth > 64:
            return
        if isinstance(obj, Optimizer) and not include_optimizer:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for name, child in _children(obj):
            if _is_saveable(child):
                visit(child, join(path, name), depth + 1)
            elif _is_container(child):
                visit_container(child, join(path, name), depth + 1, set())

    def visit_container(container, path: str, depth: int, seen: set[int]) -> None:
        if id(container) in seen or depth > 64:
            return
        seen.add(id(container))
        used: dict[str, int] = {}
        for item in _container_items(container):
            if _is_saveable(item):
                visit(item, join(path, _unique(to_snake_case(type(item).__name__), used)),
                      depth + 1)
            elif _is_container(item):
                visit_container(item, join(path, _unique("container", used)), depth + 1, seen)

    visit(model, "", 0)
    return out


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def own_variables(layer) -> list:
    """A layer's own variables in Keras' saving order (trainable, then non-trainable)."""
    out, seen = [], set()
    for v in list(layer._trainable_variables) + list(layer._non_trainable_variables):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"


# --------------------------------------------------------------------- writing
class _WriteStore(dict):
    """What `save_own_variables(store)` hooks write to: `{"0": array, ...}`."""


def write_weights(model, h5file, include_optimizer: bool = True) -> None:
    """Writes the model's variables (and optimizer state) into an open `h5py.File`.

    Args:
        model: A built layerwise model or layer.
        h5file: A writable `h5py.File` (or group).
        include_optimizer: Also write `/optimizer/vars` for a compiled model.
    """
    if include_optimizer:
        prepare_optimizer(model)
    for path, obj in saveables(model, include_optimizer):
        group = h5file.require_group(_vars_path(path))
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        if isinstance(obj, Optimizer):
            values = [torch.as_tensor(v) for v in obj.variables]
        elif _custom_hook(obj, "save_own_variables"):
            store = _WriteStore()
            obj.save_own_variables(store)
            values = None
            for key, value in store.items():
                _write_value(group, str(key), torch.as_tensor(np.asarray(value))
                             if not isinstance(value, torch.Tensor) else value)
        else:
            values = own_variables(obj)
        for i, value in enumerate(values or []):
            _write_value(group, str(i), value)


def _custom_hook(obj, name: str) -> bool:
    method = getattr(type(obj), name, None)
    return method is not None and getattr(Layer, name, None) is not method


def _write_value(group, key: str, value: torch.Tensor) -> None:
    array, dtype_attr = _to_numpy(value)
    dataset = group.create_dataset(key, data=array)
    if dtype_attr:
        dataset.attrs["dtype"] = dtype_attr


# --------------------------------------------------------------------- reading
class _ReadStore:
    """The read-only `store` given to custom `load_own_variables` hooks."""

    def __init__(self, group):
        self._group = group

    def keys(self):
        return list(self._group.keys()) if self._group is not None else []

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, key) -> bool:
        return self._group is not None and str(key) in self._group

    def __getitem__(self, key):
        dataset = safe_dataset(self._group, str(key)) if self._group is not None else None
        if dataset is None:
            raise KeyError(key)
        return read_dataset(dataset, dataset.shape)


def find_vars_group(h5file, path: str):
    """The `vars` group of `path` (or `None`), with Keras 2.13's layout as a fallback."""
    group = safe_group(h5file, _vars_path(path))
    if group is None and path and "_layer_checkpoint_dependencies" in h5file:
        group = safe_group(h5file, _vars_path(path.replace("layers", "_layer_checkpoint_dependencies")))
    return group


def _describe(obj, path: str) -> str:
    kind = "optimizer" if isinstance(obj, Optimizer) else "layer"
    return f"{kind} '{getattr(obj, 'name', '?')}' (group '/{_vars_path(path)}')"


def plan_values(targets: list, group, what: str) -> list[tuple[Any, Any]] | str:
    """Pairs each target variable with its dataset, or returns the reason they do not match."""
    keys = list(group.keys()) if group is not None else []
    if len(keys) != len(targets):
        return (f"{what} has {len(targets)} variable(s) but the file stores {len(keys)}"
                + ("" if keys else " (no weights for it in the file)"))
    pairs = []
    for i, target in enumerate(targets):
        dataset = safe_dataset(group, str(i))
        if dataset is None:
            return f"{what}: the file has no variable '{i}'"
        if tuple(dataset.shape) != tuple(target.shape):
            return (f"{what}: variable {i} ('{getattr(target, 'name', i)}') has shape "
                    f"{tuple(target.shape)} but the file stores shape {tuple(dataset.shape)}")
        pairs.append((target, dataset))
    return pairs


def read_weights(model, h5file, skip_mismatch: bool = False, load_optimizer: bool = True,
                 source: str = "the weights file") -> None:
    """Loads variables (and optimizer state) written by Keras 3 or `write_weights`.

    Args:
        model: The built layerwise model to load into.
        h5file: An open `h5py.File`.
        skip_mismatch: Skip (with a warning) the layers whose variables do not
            match the file in number or shape, instead of raising.
        load_optimizer: Also restore `/optimizer/vars` into the model's optimizer.
        source: How to name the file in messages.

    Raises:
        ValueError: when variables are missing or do not match (unless
            `skip_mismatch`), or the file is malformed. Nothing is changed then.
    """
    assignments: list[tuple[Any, Any]] = []
    optimizer_load = None
    hooks: list[tuple[Any, Any]] = []
    problems: list[str] = []
    for path, obj in saveables(model, include_optimizer=load_optimizer):
        group = find_vars_group(h5file, path)
        what = _describe(obj, path)
        if isinstance(obj, Optimizer):
            optimizer_load = _plan_optimizer(model, obj, group, what)
            continue
        if _custom_hook(obj, "load_own_variables"):
            hooks.append((obj, group))
            continue
        targets = own_variables(obj)
        if not targets:
            continue
        plan = plan_values(targets, group, what)
        if isinstance(plan, str):
            problems.append(plan)
            continue
        assignments.extend(plan)
    if problems:
        message = (f"Could not load the weights from {source}: {len(problems)} object(s) do not "
                   "match the model:\n  " + "\n  ".join(problems[:20]))
        if not skip_mismatch:
            raise ValueError(message + "\nPass `skip_mismatch=True` to load the others.")
        warnings.warn(message + "\nThese were skipped (`skip_mismatch=True`).", stacklevel=3)
    # Read everything first: a read error leaves the model unchanged.
    values = [(target, read_dataset(dataset, target.shape)) for target, dataset in assignments]
    optimizer_values = None
    if optimizer_load is not None:
        optimizer, pairs = optimizer_load
        optimizer_values = (optimizer, [read_dataset(d, d.shape) for _, d in pairs])
    for target, value in values:
        _assign(target, value)
    for obj, group in hooks:
        obj.load_own_variables(_ReadStore(group))
    if optimizer_values is not None:
        optimizer, arrays = optimizer_values
        optimizer.set_weights(arrays)
    finalize_layers(model)


def _assign(target, value) -> None:
    # `np.array` (not `ascontiguousarray`, which makes scalars 1-D) keeps 0-d values 0-d.
    tensor = value if isinstance(value, torch.Tensor) else torch.from_numpy(np.array(value))
    with torch.no_grad():
        target.copy_(tensor.to(device=target.device, dtype=target.dtype))


def finalize_layers(model) -> None:
    """Calls `finalize_state()` on the layers that derive state from their variables."""
    for layer in model._flatten_layers(include_self=True):
        finalize = getattr(layer, "finalize_state", None)
        if callable(finalize) and own_variables(layer):
            finalize()


def _plan_optimizer(model, optimizer, group, what):
    """`(optimizer, [(entry, dataset)])` to restore, or `None` (with Keras' warning)."""
    if group is None or not len(group.keys()):
        return None
    if not optimizer.built and getattr(model, "built", False):
        prepare_optimizer(model)
    entries = optimizer.variables
    plan = plan_values(entries, group, what)
    if isinstance(plan, str):
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}': {plan}. The "
            "optimizer starts from a fresh state.", stacklevel=4)
        return None
    return optimizer, plan


def iter_weight_bytes(weights: Iterable) -> int:
    """Total bytes of `weights` (tensors)."""
    return int(sum(w.numel() * w.element_size() for w in weights))
