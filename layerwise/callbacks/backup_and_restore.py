"""`BackupAndRestore`: resumes an interrupted `fit` where it stopped."""

from __future__ import annotations

import json
import os
import random
import shutil
import warnings
import zipfile

import numpy as np
import torch

from layerwise.callbacks._save_frequency import SaveFrequency
from layerwise.callbacks.callback import Callback
from layerwise.utils.atomic import atomic_copy, atomic_write

_FORMAT_VERSION = 1


class BackupAndRestore(SaveFrequency, Callback):
    """Backs up the training state, and restores it when an interrupted `fit` restarts.

    The state is saved in `backup_dir` at the end of each epoch, or every
    `save_freq` batches. When `fit` starts and a backup exists (training was
    interrupted, e.g. the process was killed), the state is restored and training
    continues from the epoch, or the batch, where the backup was made. Once `fit`
    completes, the backup is deleted (`delete_checkpoint=True`).

    The backup holds everything that makes the resumed run equal to an
    uninterrupted one with the same seed:

    - the model weights (trainable and not) and the optimizer state (slots, step
      count `iterations`, learning rate);
    - the epoch and batch counters;
    - the random states of Python's `random`, NumPy's global generator, torch
      (CPU and CUDA) and of layers that own a generator (`Dropout(seed=...)`):
      at the start of the epoch (so a shuffled epoch is replayed with the same
      order, its finished batches skipped) and at the time of the backup;
    - with `save_freq` in batches, the states of the metrics, so the resumed
      epoch reports the same logs.

    It is written to a single file with safe formats only (a NumPy `.npz` read
    with `allow_pickle=False`, holding arrays and a JSON record: nothing is
    unpickled), atomically (a temporary file renamed over the previous backup):
    killing the process during a backup leaves the previous one intact.

    The model, its `compile()` arguments and the `fit()` arguments must be the
    same when training restarts. The state of other callbacks (e.g. the wait
    counter of `EarlyStopping`) is not saved, as in Keras. With
    `steps_per_epoch` over array data, a resumed run starts reading the data
    from its beginning, as a new `fit` does.

    Args:
        backup_dir: Folder where the backup is stored. It must not be used by
            anything else (another `BackupAndRestore` or a `ModelCheckpoint`):
            it is deleted at the end of training.
        save_freq: `"epoch"` (back up at the end of each epoch) or an integer
            (back up every `save_freq` batches, counted across epochs).
        double_checkpoint: If `True`, the previous backup is kept as well (with a
            `.bkp` suffix) and used if the latest one cannot be read.
        delete_checkpoint: If `True` (default), the backup folder is deleted when
            training finishes.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> class InterruptingCallback(keras.callbacks.Callback):
    ...     def on_epoch_begin(self, epoch, logs=None):
    ...         if epoch == 4:
    ...             raise RuntimeError("Interrupting!")
    >>> callback = keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    >>> model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    >>> model.compile(keras.optimizers.SGD(), loss="mse")
    >>> try:
    ...     model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=10, batch_size=1,
    ...               callbacks=[callback, InterruptingCallback()], verbose=0)
    ... except RuntimeError:
    ...     pass
    >>> history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=10,
    ...                     batch_size=1, callbacks=[callback], verbose=0)
    >>> len(history.history["loss"])  # Resumed at epoch 4: 6 more epochs.
    6
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq="epoch",
                 double_checkpoint: bool = False, delete_checkpoint: bool = True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._epoch_index = 0
        self._epoch_rng = None
        self._resume = None
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._state_path = os.path.join(self.backup_dir, "training_state.npz")
        self._prev_state_path = f"{self._state_path}.bkp"
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(
                "Invalid value for argument `save_freq`. "
                f"Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )

    # ---------------------------------------------------------------- restore
    def on_train_begin(self, logs=None):
        self._resume = None
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        state = self._read_state()
        if state is None:
            return
        meta, arrays = state
        model = self.model
        if not model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call "
                f"`fit()`. Model {model} is unbuilt. You can build it beforehand by calling it "
                "on a batch of data."
            )
        weights = [arrays[f"model/{i}"] for i in range(meta["model_weights"])]
        if len(weights) != len(model.weights):
            raise ValueError(
                f"The backup in {self.backup_dir!r} holds {len(weights)} weights, but the model "
                f"has {len(model.weights)}: it was made for another model. Delete the folder "
                "to start training from scratch."
            )
        model.set_weights(weights)
        optimizer = getattr(model, "optimizer", None)
        n_opt = meta["optimizer_weights"]
        if optimizer is not None and n_opt:
            if not optimizer.built:
                optimizer.build(list(model.trainable_weights))
            optimizer.set_weights([arrays[f"optimizer/{i}"] for i in range(n_opt)])
        epoch, step = int(meta["epoch"]), int(meta["step"])
        self._current_epoch = epoch if step == 0 else int(meta.get("completed_epochs", epoch))
        self._last_batch_seen = int(meta["last_batch_seen"])
        self._batches_seen_since_last_saving = int(meta["batches_seen_since_last_saving"])
        loop = getattr(model, "epoch_loop", None)
        if loop is not None:
            loop.resume_at(epoch, step, on_resume=self._on_resume_batches)
        self._resume = {"epoch": epoch, "step": step, "meta": meta, "arrays": arrays}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_index = epoch
        resume = self._resume
        if resume is not None and epoch == resume["epoch"]:
            # The random state at the start of the interrupted epoch: the same shuffle.
            _set_rng(self.model, resume["meta"]["rng"]["epoch"], resume["arrays"], "rng/epoch")
            if resume["step"] == 0:
                self._resume = None
        if self.save_freq != "epoch":
            self._epoch_rng = _get_rng(self.model)

    def _on_resume_batches(self, first_batch) -> None:
        """Called by `fit` once the finished batches of the resumed epoch are skipped."""
        resume, self._resume = self._resume, None
        if resume is None:
            return
        meta, arrays = resume["meta"], resume["arrays"]
        _set_metric_states(self.model, meta.get("metrics"), arrays, first_batch)
        _set_rng(self.model, meta["rng"]["current"], arrays, "rng/current")

    # ------------------------------------------------------------------- save
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch + 1, step=0)

    def _save_on_batch(self, batch: int, logs) -> None:
        self._save_model(epoch=self._epoch_index, step=batch + 1)

    def _save_model(self, epoch: int, step: int) -> None:
        """Writes the training state; training resumes at batch `step` of `epoch`."""
        model = self.model
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._state_path):
            atomic_copy(self._state_path, self._prev_state_path)
        arrays: dict[str, np.ndarray] = {}
        weights = model.get_weights()
        for i, w in enumerate(weights):
            arrays[f"model/{i}"] = np.asarray(w)
        optimizer = getattr(model, "optimizer", None)
        opt_weights = optimizer.get_weights() if optimizer is not None and optimizer.built else []
        for i, w in enumerate(opt_weights):
            arrays[f"optimizer/{i}"] = np.asarray(w)
        current = _get_rng(model)
        epoch_rng = current if step == 0 or self._epoch_rng is None else self._epoch_rng
        rng_meta = {
            "current": _rng_to_arrays(current, arrays, "rng/current"),
            "epoch": _rng_to_arrays(epoch_rng, arrays, "rng/epoch"),
        }
        meta = {
            "format": _FORMAT_VERSION,
            "epoch": epoch,
            "step": step,
            "completed_epochs": self._current_epoch,
            "last_batch_seen": self._last_batch_seen,
            "batches_seen_since_last_saving": self._batches_seen_since_last_saving,
            "model_weights": len(weights),
            "optimizer_weights": len(opt_weights),
            "rng": rng_meta,
            "metrics": _get_metric_states(model, arrays) if step else None,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        with atomic_write(self._state_path, "wb") as f:
            np.savez(f, **arrays)

    def on_train_end(self, logs=None):
        self._resume = None
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)

    # -------------------------------------------------------------- reading
    def _read_state(self):
        """`(meta, arrays)` of the latest backup (or of the previous one), or `None`."""
        if not os.path.exists(self._state_path):
            if self.double_checkpoint and os.path.exists(self._prev_state_path):
                return _load(self._prev_state_path)
            return None
        try:
            return _load(self._state_path)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
            if not os.path.exists(self._prev_state_path):
                raise OSError(
                    f"The training backup {self._state_path!r} cannot be read ({e}). Delete "
                    f"{self.backup_dir!r} to start training from scratch."
                ) from e
            warnings.warn(f"The training backup {self._state_path!r} cannot be read ({e}); "
                          "restoring the previous one.", stacklevel=2)
            atomic_copy(self._prev_state_path, self._state_path)
            return _load(self._state_path)


def _load(path: str):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    if meta.get("format") != _FORMAT_VERSION:
        raise ValueError(f"Unknown backup format {meta.get('format')!r} in {path!r}.")
    return meta, arrays


# ------------------------------------------------------------ random states
def _modules(model) -> dict:
    """`{key: module}` for the model and its sublayers, keyed by position and class.

    Positions (not layer names, which depend on how many layers were made before)
    identify the same layer in the same architecture built again.
    """
    modules = model.modules() if hasattr(model, "modules") else [model]
    return {f"{i}:{type(m).__name__}": m for i, m in enumerate(modules)}


def _layer_generators(model):
    """`{key: generator}` of the generators owned by the model's layers."""
    found = {}
    for name, module in _modules(model).items():
        attrs = getattr(module, "__dict__", {})
        generator = attrs.get("_generator")
        if isinstance(generator, torch.Generator):
            found[f"{name}|_generator"] = generator
        generators = attrs.get("_generators")
        if isinstance(generators, dict):
            for device, gen in generators.items():
                if isinstance(gen, torch.Generator):
                    # The key type (a `str` or a `torch.device`) is kept: `s` or `d`.
                    kind = "s" if isinstance(device, str) else "d"
                    found[f"{name}|_generators|{kind}|{device}"] = gen
    return found


def _get_rng(model) -> dict:
    """A snapshot of every random state training uses."""
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    snapshot = {
        "python": [version, list(internal), gauss],
        "numpy": {"kind": kind, "keys": np.array(keys, dtype=np.uint32), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state().numpy().copy(),
        "cuda": [],
        "layers": {k: g.get_state().cpu().numpy().copy()
                   for k, g in _layer_generators(model).items()},
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        snapshot["cuda"] = [s.numpy().copy() for s in torch.cuda.get_rng_state_all()]
    return snapshot


def _rng_to_arrays(snapshot: dict, arrays: dict, prefix: str) -> dict:
    """Puts the arrays of `snapshot` into `arrays`; returns the JSON part."""
    arrays[f"{prefix}/numpy_keys"] = snapshot["numpy"]["keys"]
    arrays[f"{prefix}/torch"] = snapshot["torch"]
    for i, state in enumerate(snapshot["cuda"]):
        arrays[f"{prefix}/cuda/{i}"] = state
    layer_keys = sorted(snapshot["layers"])
    for i, key in enumerate(layer_keys):
        arrays[f"{prefix}/layer/{i}"] = snapshot["layers"][key]
    numpy_meta = {k: v for k, v in snapshot["numpy"].items() if k != "keys"}
    return {"python": snapshot["python"], "numpy": numpy_meta, "cuda": len(snapshot["cuda"]),
            "layers": layer_keys}


def _set_rng(model, meta: dict, arrays: dict, prefix: str) -> None:
    version, internal, gauss = meta["python"]
    random.setstate((version, tuple(internal), gauss))
    np_meta = meta["numpy"]
    np.random.set_state((np_meta["kind"], arrays[f"{prefix}/numpy_keys"], np_meta["pos"],
                         np_meta["has_gauss"], np_meta["cached_gaussian"]))
    torch.set_rng_state(torch.from_numpy(arrays[f"{prefix}/torch"].copy()))
    n_cuda = meta["cuda"]
    if n_cuda and torch.cuda.is_available() and torch.cuda.device_count() == n_cuda:
        torch.cuda.set_rng_state_all(
            [torch.from_numpy(arrays[f"{prefix}/cuda/{i}"].copy()) for i in range(n_cuda)])
    existing = _layer_generators(model)
    modules = _modules(model)
    for i, key in enumerate(meta["layers"]):
        state = torch.from_numpy(arrays[f"{prefix}/layer/{i}"].copy())
        generator = existing.get(key)
        if generator is None:
            # Generators made at a layer's first call (`Dropout(seed=...)`) are made now.
            name, attr, *where = key.split("|")
            module = modules.get(name)
            if module is None or attr != "_generators" or len(where) != 2:
                continue
            kind, device = where
            generator = torch.Generator(device=device)
            dict_key = device if kind == "s" else torch.device(device)
            module.__dict__.setdefault("_generators", {})[dict_key] = generator
        generator.set_state(state)


# ------------------------------------------------------------- metric states
def _metric_attributes(metric):
    for attr, value in vars(metric).items():
        if isinstance(value, torch.Tensor):
            yield attr, value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield attr, value


def _leaf_metrics(model) -> list:
    """The model's metrics, with containers (`compile_metrics`) replaced by their metrics."""
    leaves = []
    for metric in getattr(model, "metrics", []):
        inner = getattr(metric, "metrics", None)
        leaves.extend(inner if isinstance(inner, list) else [metric])
    return leaves


def _get_metric_states(model, arrays: dict) -> list:
    """Saves the metric accumulators (tensors into `arrays`); returns the JSON part."""
    records = []
    for i, metric in enumerate(_leaf_metrics(model)):
        scalars, tensors = {}, []
        for attr, value in _metric_attributes(metric):
            if isinstance(value, torch.Tensor):
                arrays[f"metric/{i}/{attr}"] = value.detach().cpu().numpy().copy()
                tensors.append(attr)
            else:
                scalars[attr] = value
        records.append({"name": metric.name, "scalars": scalars, "tensors": tensors})
    return records


def _set_metric_states(model, records, arrays: dict, first_batch) -> None:
    if not records:
        return
    names = [r["name"] for r in records]
    if [m.name for m in _leaf_metrics(model)] != names and first_batch is not None:
        # The compiled metrics are made at the first step: one evaluation step makes them
        # (its values are overwritten below, its random draws undone by the caller).
        xb, yb, swb = first_batch
        model.test_step(_pack(xb, yb, swb))
    metrics = _leaf_metrics(model)
    if [m.name for m in metrics] != names:
        warnings.warn(
            "BackupAndRestore could not restore the metric states of the interrupted epoch "
            f"(the backup has {names}, the model {[m.name for m in metrics]}): the logs of "
            "this epoch only cover its remaining batches.", stacklevel=3)
        return
    with torch.no_grad():
        for i, (metric, record) in enumerate(zip(metrics, records)):
            for attr in record["tensors"]:
                value = torch.from_numpy(arrays[f"metric/{i}/{attr}"].copy())
                current = getattr(metric, attr, None)
                if isinstance(current, torch.Tensor) and current.shape == value.shape:
                    current.copy_(value.to(dtype=current.dtype))
                else:
                    device = getattr(metric, "device", torch.device("cpu"))
                    setattr(metric, attr, value.to(device))
            for attr, value in record["scalars"].items():
                setattr(metric, attr, value)


def _pack(x, y, sample_weight):
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)
