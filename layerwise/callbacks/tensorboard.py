"""`TensorBoard`: writes scalars, histograms and the model graph for TensorBoard."""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import torch

from layerwise.backend.config import image_data_format
from layerwise.callbacks.callback import Callback
from layerwise.utils.atomic import atomic_path, atomic_write

_MISSING = (
    "The TensorBoard callback writes event files with `torch.utils.tensorboard`, which needs "
    "the `tensorboard` package: `pip install tensorboard`."
)


def _summary_writer_class():
    try:  # optional library, loaded only when the callback is used
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise ImportError(_MISSING) from e
    return SummaryWriter


class TensorBoard(Callback):
    """Enables visualizations for TensorBoard.

    Writes standard TensorBoard event files (with `torch.utils.tensorboard`; the
    `tensorboard` package is needed, `pip install tensorboard`), laid out as
    Keras does:

    - `<log_dir>/train`: `epoch_<metric>` scalars (and `epoch_learning_rate`)
      at the end of each epoch, `batch_<metric>` scalars every `update_freq`
      batches, weight histograms (`<weight path>/histogram`) every
      `histogram_freq` epochs, weight images with `write_images`, and the
      model's Keras graph (its JSON, shown by the "Graphs" dashboard as a
      conceptual graph) for `Sequential` and functional models;
    - `<log_dir>/validation`: the `epoch_<metric>` scalars of the validation
      logs (without their `val_` prefix) and `evaluation_<metric>_vs_iterations`
      after each evaluation.

    View them with `tensorboard --logdir=path_to_your_logs`.

    Event files are append-only logs of checksummed records (the TensorBoard
    format): they are flushed at the end of each epoch; a crash can only lose the
    records written since, never corrupt the earlier ones.

    Args:
        log_dir: The folder of the log files.
        histogram_freq: Frequency (in epochs) of the weight histograms
            (0: none).
        write_graph: Whether to write the model graph.
        write_images: Whether to write the weights as images (with histograms).
        write_steps_per_second: Whether to log the training steps per second
            (`batch_steps_per_second`, `epoch_steps_per_second`).
        update_freq: `"batch"`, `"epoch"` or an integer: write the batch
            metrics every this many batches (`"batch"`: every batch). Writing
            often slows training down (reading the logs waits for the device).
        profile_batch: Profiling is not available with PyTorch (as in Keras'
            torch backend): must be 0.
        embeddings_freq: Frequency (in epochs) at which `Embedding` layers are
            saved for the projector (needs `model.save_weights`).
        embeddings_metadata: Metadata file name (or dict layer name -> file name)
            of the embedding layers.

    Example:

    >>> import layerwise as keras
    >>> tensorboard_callback = keras.callbacks.TensorBoard(log_dir="./logs")
    """

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None):
        super().__init__()
        self._writer_class = _summary_writer_class()
        self.log_dir = str(os.fspath(log_dir))
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and not (
            isinstance(self.update_freq, int) and self.update_freq > 0
        ):
            raise ValueError(
                "`update_freq` must be 'batch', 'epoch' or a positive integer. Received: "
                f"update_freq={update_freq!r}"
            )
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        if profile_batch:
            raise ValueError(
                "Profiling is not yet available with the torch backend. Please open a PR if "
                f"you'd like to add this feature. Received: profile_batch={profile_batch} "
                "(must be 0)"
            )
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._writers: dict = {}
        self._warned_images = False

    # ---------------------------------------------------------------- writers
    def set_model(self, model):
        """Sets the model and writes its graph if `write_graph`."""
        self._model = model
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self._log_write_dir, "train")
        self._val_dir = os.path.join(self._log_write_dir, "validation")
        self._close_writers()
        self._writers = {}
        if self.write_graph:
            self._write_keras_model_summary()
        if self.embeddings_freq:
            self._configure_embeddings()

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = self._writer_class(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = self._writer_class(self._val_dir)
        return self._writers["val"]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()

    def _flush_writers(self) -> None:
        for writer in self._writers.values():
            writer.flush()

    def _write_keras_model_summary(self) -> None:
        """Writes the model's JSON with the `graph_keras_model` plugin (Keras' graph)."""
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            json_string = self.model.to_json()
        except Exception as exc:  # A model that cannot be serialized is still trained.
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}",
                          stacklevel=2)
            return
        # Optional library (tensorboard), loaded only when histograms are written.
        from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboard.compat.proto.tensor_pb2 import TensorProto
        from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

        metadata = SummaryMetadata()
        metadata.plugin_data.plugin_name = "graph_keras_model"
        metadata.plugin_data.content = b"1"
        tensor = TensorProto(dtype=7, string_val=[json_string.encode("utf-8")],  # DT_STRING
                             tensor_shape=TensorShapeProto())
        summary = Summary(value=[Summary.Value(tag="keras", metadata=metadata, tensor=tensor)])
        writer = self._train_writer
        writer._get_file_writer().add_summary(summary, 0)
        writer.flush()

    def _configure_embeddings(self) -> None:
        """Writes the projector configuration of the `Embedding` layers."""
        # Optional library (tensorboard), loaded only when embeddings are configured.
        from google.protobuf import text_format
        from tensorboard.plugins import projector

        config = projector.ProjectorConfig()
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)
        for layer in self.model.layers:
            if any(cls.__name__ == "Embedding" for cls in type(layer).__mro__):
                embedding = config.embeddings.add()
                embedding.tensor_name = (
                    "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE")
                if metadata is not None:
                    if isinstance(metadata, str):
                        embedding.metadata_path = metadata
                    elif layer.name in metadata:
                        embedding.metadata_path = metadata.pop(layer.name)
        if metadata and not isinstance(metadata, str):
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                f"`embeddings_metadata` argument: {metadata.keys()}"
            )
        os.makedirs(self._log_write_dir, exist_ok=True)
        path = os.path.join(self._log_write_dir, "projector_config.pbtxt")
        with atomic_write(path, "w") as f:
            f.write(text_format.MessageToString(config))

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0

    def on_train_end(self, logs=None):
        self._close_writers()
        self._writers = {}

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            step = int(optimizer.iterations)
            writer = self._val_writer
            for name, value in logs.items():
                if _is_scalar(value):
                    writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), step)

    def _idle_batch_hooks(self) -> set:
        """Batch hooks `CallbackList` may skip: all of them with epoch-level summaries."""
        cls = type(self)
        if self.update_freq == "epoch" and not self.write_steps_per_second and (
            cls.on_train_batch_begin is TensorBoard.on_train_batch_begin
            and cls.on_train_batch_end is TensorBoard.on_train_batch_end
        ):
            return {"on_train_batch_begin", "on_train_batch_end"}
        return set()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.write_steps_per_second:
            batch_run_time = time.time() - self._batch_start_time
            if batch_run_time > 0:
                self._train_writer.add_scalar("batch_steps_per_second", 1.0 / batch_run_time,
                                              step)
        if self.update_freq == "epoch" or step % self.update_freq != 0:
            return
        if logs is not None:
            writer = self._train_writer
            for name, value in logs.items():
                if _is_scalar(value):
                    writer.add_scalar(f"batch_{name}", float(value), step)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = float(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        """Writes the epoch metrics, and the histograms every `histogram_freq` epochs."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        self._flush_writers()

    # ---------------------------------------------------------------- logging
    def _collect_learning_rate(self, logs: dict) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:
            for opt in inner:
                logs[f"learning_rate_{opt.name}"] = float(opt.learning_rate)
        elif optimizer is not None and hasattr(optimizer, "learning_rate"):
            logs["learning_rate"] = float(optimizer.learning_rate)
        return logs

    def _compute_steps_per_second(self) -> float:
        current_iteration = float(self.model.optimizer.iterations)
        elapsed = time.time() - self._epoch_start_time
        return (current_iteration - self._previous_epoch_iterations) / max(elapsed, 1e-12)

    def _log_epoch_metrics(self, epoch, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._compute_steps_per_second()
        if train_logs:
            writer = self._train_writer
            for name, value in train_logs.items():
                if _is_scalar(value):
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)
        if val_logs:
            writer = self._val_writer
            for name, value in val_logs.items():
                if _is_scalar(value):
                    writer.add_scalar(f"epoch_{name[4:]}", float(value), epoch)

    def _log_weights(self, epoch) -> None:
        """Writes a histogram (and with `write_images` an image) of every weight."""
        writer = self._train_writer
        for layer in self.model.layers:
            for weight in layer.weights:
                weight_name = getattr(weight, "path", getattr(weight, "name", "weight"))
                weight_name = str(weight_name).replace(":", "_")
                values = weight.detach().cpu().float().numpy()
                if values.size:
                    writer.add_histogram(f"{weight_name}/histogram", values, epoch)
                if self.write_images:
                    self._log_weight_as_image(values, f"{weight_name}/image", epoch)
        writer.flush()

    def _log_weight_as_image(self, weight: np.ndarray, weight_name: str, epoch) -> None:
        """Writes a weight as an image (biases, dense kernels, 1D conv kernels), as Keras."""
        w_img = np.squeeze(weight)
        shape = w_img.shape
        if len(shape) == 1:  # A bias.
            w_img = np.reshape(w_img, [1, shape[0], 1, 1])
        elif len(shape) == 2:  # A dense kernel.
            if shape[0] > shape[1]:
                w_img = np.transpose(w_img)
                shape = w_img.shape
            w_img = np.reshape(w_img, [1, shape[0], shape[1], 1])
        elif len(shape) == 3:  # A 1D convolution kernel.
            if image_data_format() == "channels_last":
                w_img = np.transpose(w_img, [2, 0, 1])
                shape = w_img.shape
            w_img = np.reshape(w_img, [shape[0], shape[1], shape[2], 1])
        shape = w_img.shape
        if len(shape) == 4 and shape[-1] in (1, 3, 4):
            low, high = float(np.min(w_img)), float(np.max(w_img))
            scaled = (w_img - low) / (high - low) if high > low else np.zeros_like(w_img)
            try:
                self._train_writer.add_images(weight_name, scaled, epoch, dataformats="NHWC")
            except ImportError as e:  # Images need Pillow.
                if not self._warned_images:
                    self._warned_images = True
                    warnings.warn(f"TensorBoard cannot write weight images: {e}",
                                  stacklevel=2)

    def _log_embeddings(self, epoch) -> None:
        path = os.path.join(self._log_write_dir, "train",
                            f"keras_embedding.ckpt-{epoch}.weights.h5")
        save_weights = getattr(self.model, "save_weights", None)
        if save_weights is None:
            warnings.warn("`embeddings_freq` needs `model.save_weights`; skipped.",
                          stacklevel=2)
            return

        os.makedirs(os.path.dirname(path), exist_ok=True)
        with atomic_path(path) as temp:
            save_weights(temp)


def _is_scalar(value) -> bool:
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return value.ndim == 0 or (value.ndim == 1 and value.shape[0] == 1)
    return False
