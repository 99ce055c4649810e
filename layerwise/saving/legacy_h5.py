"""The legacy Keras 2 HDF5 format (`.h5`): full models and weights-only files.

A full-model file has the root attributes `model_config` (the architecture as
JSON) and `training_config` (the compile arguments), the group
`/model_weights` and, for a compiled model, `/optimizer_weights`. The weights
group lists its layers in the attribute `layer_names`; each layer's group lists
its weights in `weight_names` (the layer's trainable then non-trainable
weights), and each name is the path of a dataset in that group. Attributes
larger than HDF5's 64 KB header limit are split into `layer_names0`,
`layer_names1`, ...; strings may be stored as bytes or str. Weights-only files
are the same weights group at the root of the file.

Reading goes by layer order (the layers with weights, in `model.layers`
order) or by layer name (`by_name=True`); `skip_mismatch=True` skips the
layers whose weights do not match, with a warning, in both modes. Keras 2
config forms (`batch_input_shape`, node lists, string dtypes, `axis` lists,
bytecode `Lambda`s) are understood. Every dataset's shape is checked against
its variable before it is read.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from layerwise.saving._files import atomic_target, h5py_module
from layerwise.saving._h5_attrs import read_attribute
from layerwise.saving._loader import compile_from_file_config, model_from_file_config
from layerwise.saving.keras_zip import KERAS_VERSION
from layerwise.saving.weights_h5 import (
    _assign,
    finalize_layers,
    read_dataset,
    safe_dataset,
    safe_group,
)
from layerwise.trainers.compile_config import prepare_optimizer, serialize_compile_config

HDF5_OBJECT_HEADER_LIMIT = 64512
MAX_ATTRIBUTE_CHUNKS = 10_000
MAX_CONFIG_BYTES = 64 << 20
_LOSS_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
                 "mape": "mean_absolute_percentage_error",
                 "msle": "mean_squared_logarithmic_error", "kld": "kl_divergence",
                 "kullback_leibler_divergence": "kl_divergence", "logcosh": "log_cosh"}


# ---------------------------------------------------------------- attributes
def save_attributes(group, name: str, data: list[str]) -> None:
    """Writes a list of strings as Keras does, split into chunks over 64 KB."""
    encoded = [s.encode("utf8") for s in data]
    too_big = [s for s in encoded if len(s) > HDF5_OBJECT_HEADER_LIMIT]
    if too_big:
        raise ValueError(
            f"Cannot save attribute {name!r}: entries longer than {HDF5_OBJECT_HEADER_LIMIT} "
            f"bytes ({[s[:40] for s in too_big][:3]})."
        )
    array = np.asarray(encoded) if encoded else np.asarray([], dtype="S1")
    chunks = 1
    parts = np.array_split(array, chunks)
    while any(p.nbytes > HDF5_OBJECT_HEADER_LIMIT for p in parts):
        chunks += 1
        parts = np.array_split(array, chunks)
    if chunks > 1:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part
    else:
        group.attrs[name] = array


def _decode_list(value, name: str) -> list[str]:
    array = np.asarray(value)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"Invalid HDF5 attribute {name!r}: expected a list of names.")
    if array.size == 0:
        return []
    out = []
    for item in array.tolist():
        if isinstance(item, bytes):
            try:
                item = item.decode("utf8")
            except UnicodeDecodeError:
                raise ValueError(f"Invalid HDF5 attribute {name!r}: names are not UTF-8.") \
                    from None
        if not isinstance(item, str):
            raise ValueError(f"Invalid HDF5 attribute {name!r}: expected strings, got {item!r}.")
        out.append(item)
    return out


def load_attributes(group, name: str) -> list[str]:
    """Reads a list of strings written whole (`name`) or in chunks (`name0`, `name1`, ...)."""
    try:
        if name in group.attrs:
            return _decode_list(read_attribute(group, name), name)
        data: list[str] = []
        chunk = 0
        while f"{name}{chunk}" in group.attrs:
            if chunk >= MAX_ATTRIBUTE_CHUNKS:
                raise ValueError(f"Invalid HDF5 attribute {name!r}: too many chunks.")
            data.extend(_decode_list(read_attribute(group, f"{name}{chunk}"), name))
            chunk += 1
        return data
    except (OSError, TypeError, KeyError, RuntimeError) as error:
        raise ValueError(f"Cannot read HDF5 attribute {name!r}: {error}") from None


def _attr_text(f, name: str, limit: int = MAX_CONFIG_BYTES):
    if name not in f.attrs:
        return None
    value = read_attribute(f, name)  # checked first, bounded in time
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bytes):
        if len(value) > limit:
            raise ValueError(f"The HDF5 attribute {name!r} is larger than {limit} bytes.")
        try:
            value = value.decode("utf8")
        except UnicodeDecodeError:
            raise ValueError(f"The HDF5 attribute {name!r} is not UTF-8 text.") from None
    if not isinstance(value, str):
        raise ValueError(f"The HDF5 attribute {name!r} is not text.")
    if len(value) > limit:
        raise ValueError(f"The HDF5 attribute {name!r} is larger than {limit} bytes.")
    return value


def _parse_json(text: str, what: str, source: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise ValueError(f"{source}: the {what} is not valid JSON: {error}") from None


# ------------------------------------------------------------------- weights
def legacy_weights(layer) -> list:
    """Keras' legacy weight order: trainable weights, then non-trainable ones."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _qualified_names(layer) -> dict[int, str]:
    """`id(variable) -> "layer/sublayer/weight"` for the weights of `layer`."""
    names: dict[int, str] = {}

    def visit(obj, prefix: str, depth: int) -> None:
        if depth > 64:
            return
        for v in list(obj._trainable_variables) + list(obj._non_trainable_variables):
            names.setdefault(id(v), f"{prefix}/{v.name}")
        for sub in obj._direct_sublayers():
            visit(sub, f"{prefix}/{sub.name}", depth + 1)

    visit(layer, layer.name, 0)
    return names


def _write_subset(group, weights: list, names: dict[int, str]) -> None:
    used: set[str] = set()
    weight_names = []
    for w in weights:
        base = names.get(id(w), getattr(w, "path", None) or getattr(w, "name", "variable"))
        name, i = base, 1
        while name in used:
            name, i = f"{base}_{i}", i + 1
        used.add(name)
        weight_names.append(name)
    save_attributes(group, "weight_names", weight_names)
    for name, w in zip(weight_names, weights):
        value = w.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        group.create_dataset(name, data=value.numpy())


def write_weights_group(group, model) -> None:
    """Writes Keras' legacy weights layout (`layer_names`, per-layer `weight_names`)."""
    layers = list(model.layers)
    save_attributes(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = "torch"
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in sorted(layers, key=lambda x: x.name):
        _write_subset(group.create_group(layer.name), legacy_weights(layer),
                      _qualified_names(layer))
    own = list(model._trainable_variables) + list(model._non_trainable_variables)
    _write_subset(group.create_group("top_level_model_weights"), own,
                  {id(v): f"{model.name}/{v.name}" for v in own})


def _read_subset(layer_group, targets: list, what: str):
    """`[(variable, dataset)]` for a layer group, or the reason it does not match."""
    names = load_attributes(layer_group, "weight_names")
    if len(names) != len(targets):
        return (f"{what} expects {len(targets)} weight(s), the file has {len(names)} "
                f"({names[:6]})")
    pairs = []
    for name, target in zip(names, targets):
        dataset = safe_dataset(layer_group, name)
        if dataset is None:
            return f"{what}: the file lists weight {name!r} but has no such dataset"
        if tuple(dataset.shape) != tuple(target.shape):
            return (f"{what}: weight {name!r} has shape {tuple(dataset.shape)} in the file, "
                    f"the layer expects {tuple(target.shape)}")
        pairs.append((target, dataset))
    return pairs


def _has_weight_names(group, name: str) -> bool:
    layer_group = safe_group(group, name)
    if layer_group is None:
        raise ValueError(f"The file lists layer {name!r} but has no group for it.")
    return bool(load_attributes(layer_group, "weight_names"))


def _add_subset(result, plan: list, problems: list[str]) -> None:
    """Adds `_read_subset`'s pairs to `plan`, or its message to `problems`."""
    if isinstance(result, str):
        problems.append(result)
    else:
        plan.extend(result)


def _plan_by_name(group, model, layer_names, source: str):
    """`(plan, problems)` matching the file's layers to the model's by name."""
    plan: list = []
    problems: list[str] = []
    index: dict[str, list] = {}
    for layer in model.layers:
        index.setdefault(layer.name, []).append(layer)
    for k, name in enumerate(layer_names):
        if name not in index:
            continue
        layer_group = safe_group(group, name)
        if layer_group is None:
            raise ValueError(f"{source} lists layer {name!r} but has no group for it.")
        for layer in index[name]:
            _add_subset(_read_subset(layer_group, legacy_weights(layer),
                                     f"layer #{k} (named '{layer.name}')"), plan, problems)
    return plan, problems


def _plan_by_order(group, model, layer_names, source: str):
    """`(plan, problems)` matching the file's layers with weights to the model's, in order."""
    plan: list = []
    problems: list[str] = []
    layers = [layer for layer in model.layers if legacy_weights(layer)]
    saved = [name for name in layer_names if _has_weight_names(group, name)]
    if len(saved) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from {source}: the model has "
            f"{len(layers)} layers with weights, the file has {len(saved)} "
            f"({saved[:10]}). Use `by_name=True` to match layers by name."
        )
    for k, (name, layer) in enumerate(zip(saved, layers)):
        _add_subset(_read_subset(safe_group(group, name), legacy_weights(layer),
                                 f"layer #{k} (named '{layer.name}' in the model, '{name}' "
                                 "in the file)"), plan, problems)
    return plan, problems


def read_weights_group(group, model, skip_mismatch: bool = False, by_name: bool = False,
                       source: str = "the file") -> None:
    """Loads Keras' legacy weights layout into `model`, all or nothing.

    Args:
        group: The `/model_weights` group (full-model files) or the file's root.
        model: The built model.
        skip_mismatch: Skip (with a warning) layers whose weights differ in
            number or shape instead of raising.
        by_name: Match layers by name instead of by order.
        source: How to name the file in messages.
    """
    layer_names = load_attributes(group, "layer_names")
    if not layer_names and "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise ValueError(
            f"{source} has no 'layer_names' attribute: it is not a Keras HDF5 weights file."
        )
    plan_layers = _plan_by_name if by_name else _plan_by_order
    plan, problems = plan_layers(group, model, layer_names, source)
    top = safe_group(group, "top_level_model_weights")
    own = list(model._trainable_variables) + list(model._non_trainable_variables)
    if top is not None and (own or load_attributes(top, "weight_names")):
        _add_subset(_read_subset(top, own, "the top-level weights of the model"), plan,
                    problems)
    if problems:
        message = (f"Could not load the weights from {source}:\n  " + "\n  ".join(problems[:20]))
        if not skip_mismatch:
            raise ValueError(message + "\nPass `skip_mismatch=True` to load the other layers.")
        warnings.warn(message + "\nThese layers were skipped (`skip_mismatch=True`).",
                      stacklevel=3)
    values = [(target, read_dataset(dataset, target.shape)) for target, dataset in plan]
    for target, value in values:
        _assign(target, value)
    finalize_layers(model)


# ---------------------------------------------------------------- full model
def _legacy_model_config(model) -> dict:
    return {"class_name": type(model).__name__ if type(model).__name__ != "Functional"
            else "Functional", "config": model.get_config()}


def _training_config(model) -> dict | None:
    config = serialize_compile_config(model)
    if not config:
        return None
    optimizer = config.pop("optimizer")
    loss = config.get("loss")
    if isinstance(loss, str):
        config["loss"] = _LOSS_ALIASES.get(loss, loss)
    config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


def save_model_to_hdf5(model, filepath: str, include_optimizer: bool = True) -> None:
    """Writes a Keras 2-style full-model `.h5` file, atomically."""
    h5py = h5py_module()
    if include_optimizer:
        prepare_optimizer(model)
    with atomic_target(filepath) as temp:
        with h5py.File(temp, "w") as f:
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = "torch"
            f.attrs["model_config"] = json.dumps(_legacy_model_config(model))
            training_config = _training_config(model) if include_optimizer else None
            if training_config is not None:
                f.attrs["training_config"] = json.dumps(training_config)
            write_weights_group(f.create_group("model_weights"), model)
            optimizer = getattr(model, "optimizer", None)
            if include_optimizer and optimizer is not None and optimizer.built:
                group = f.create_group("optimizer_weights")
                names = _optimizer_weight_names(optimizer)
                save_attributes(group, "weight_names", names)
                for name, value in zip(names, optimizer.get_weights()):
                    group.create_dataset(name, data=value)


def _optimizer_weight_names(optimizer) -> list[str]:
    """Unique dataset names for the optimizer state (`adam/0`, `adam/1`, ...; order matters)."""
    return [f"{optimizer.name}/{i}" for i in range(len(optimizer.variables))]


def save_weights_to_hdf5(model, filepath: str) -> None:
    """Writes a legacy weights-only `.h5` file (the weights group at the root), atomically."""
    h5py = h5py_module()
    with atomic_target(filepath) as temp:
        with h5py.File(temp, "w") as f:
            write_weights_group(f, model)


def open_h5(filepath):
    """Opens an HDF5 file for reading; `ValueError` for anything that is not one."""
    h5py = h5py_module()
    if not hasattr(filepath, "read") and not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}")
    try:
        return h5py.File(filepath, "r")
    except (OSError, ValueError, RuntimeError, TypeError) as error:
        raise ValueError(f"{filepath!r} is not a valid HDF5 file: {error}") from None


def is_legacy_layout(f) -> bool:
    """Whether an open HDF5 file uses the legacy layout (`layer_names`, `model_weights`)."""
    return ("layer_names" in f.attrs or "layer_names0" in f.attrs or "model_config" in f.attrs
            or "model_weights" in f)


def legacy_weights_root(f):
    """The group holding `layer_names`: `/model_weights` in full-model files, else the root."""
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs and "model_weights" in f:
        group = safe_group(f, "model_weights")
        if group is None:
            raise ValueError("Invalid HDF5 file: 'model_weights' is not a group.")
        return group
    return f


def normalize_legacy_config(config, depth: int = 0):
    """Keras 2 config forms -> the forms layerwise reads (recursively over nested layers)."""
    if depth > 200:
        raise ValueError("The model config is nested too deeply.")
    if isinstance(config, list):
        return [normalize_legacy_config(c, depth + 1) for c in config]
    if not isinstance(config, dict):
        return config
    config = dict(config)
    inner = config.get("config")
    if isinstance(inner, dict) and "class_name" in config:
        inner = dict(inner)
        axis = inner.get("axis")
        if isinstance(axis, list) and len(axis) == 1 and isinstance(axis[0], int):
            inner["axis"] = axis[0]
        if "layers" in inner:
            inner["layers"] = normalize_legacy_config(inner["layers"], depth + 1)
        if isinstance(inner.get("layer"), dict):  # wrappers
            inner["layer"] = normalize_legacy_config(inner["layer"], depth + 1)
        for key in ("input_layers", "output_layers"):
            # Keras 2 wrote one input / output as a list of one reference; Keras calls
            # such models with, and returns, a single tensor.
            refs = inner.get(key)
            if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list) \
                    and len(refs[0]) == 3 and isinstance(refs[0][0], str):
                inner[key] = refs[0]
        config["config"] = inner
    elif isinstance(inner, list) and config.get("class_name") == "Sequential":
        config["config"] = {"layers": normalize_legacy_config(inner, depth + 1)}
    return config


def load_model_from_hdf5(filepath, custom_objects=None, compile: bool = True,
                         safe_mode: bool = True):
    """Loads a full model from a legacy `.h5` file (Keras 2, Keras 3 or layerwise)."""
    source = repr(os.fspath(filepath)) if not hasattr(filepath, "read") else "the file"
    with open_h5(filepath) as f:
        try:
            text = _attr_text(f, "model_config")
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from None
        if text is None:
            raise ValueError(
                f"No model config found in {source}: it holds weights only. Build the model "
                "and use `model.load_weights(...)`."
            )
        config = normalize_legacy_config(_parse_json(text, "model config", source))
        budget = os.path.getsize(filepath) if isinstance(filepath, (str, os.PathLike)) else 0
        model = model_from_file_config(config, source, custom_objects, safe_mode,
                                       weights_budget=budget)
        training = None
        if compile:
            training_text = _attr_text(f, "training_config")
            if training_text is None:
                warnings.warn(f"No training configuration found in {source}, so the model was "
                              "*not* compiled. Compile it manually.", stacklevel=3)
            else:
                training = _parse_json(training_text, "training config", source)
        try:
            read_weights_group(legacy_weights_root(f), model, source=source)
            if training is not None:
                compile_from_file_config(model, training, source, custom_objects, legacy=True)
                _load_optimizer_weights(f, model, source)
        except ValueError:
            raise
        except (OSError, KeyError, TypeError, RuntimeError, IndexError, AttributeError,
                RecursionError) as error:
            raise ValueError(f"Could not read the weights in {source}: {error}") from error
    return model


def _load_optimizer_weights(f, model, source: str) -> None:
    group = safe_group(f, "optimizer_weights") if "optimizer_weights" in f else None
    if group is None or model.optimizer is None:
        return
    names = load_attributes(group, "weight_names")
    prepare_optimizer(model)
    entries = model.optimizer.variables
    reason = None
    if len(names) != len(entries):
        reason = f"the optimizer has {len(entries)} variables, the file {len(names)}"
    pairs = []
    for name, entry in zip(names, entries) if reason is None else []:
        dataset = safe_dataset(group, name)
        if dataset is None or tuple(dataset.shape) != tuple(entry.shape):
            reason = f"optimizer weight {name!r} is missing or has another shape"
            break
        pairs.append(dataset)
    if reason is not None:
        warnings.warn(f"Error in loading the saved optimizer state from {source} ({reason}). "
                      "As a result, your model is starting with a freshly initialized "
                      "optimizer.", stacklevel=4)
        return
    model.optimizer.set_weights([read_dataset(d, d.shape) for d in pairs])
