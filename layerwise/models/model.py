"""`Model`: a `Layer` with the training API (`compile`, `fit`, `evaluate`, `predict`)."""

from __future__ import annotations

import inspect

import torch

from layerwise.backend.keras_tensor import is_symbolic
from layerwise.layers.layer import Layer, _to_tensor, _tuple_shape
from layerwise.models.summary import print_summary
from layerwise.registry.names import names
from layerwise.registry.serialization import model_to_json
from layerwise.trainers.compile_config import (
    compile_args_from_config,
    prepare_optimizer,
    serialize_compile_config,
)
from layerwise.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A layer with training and inference features.

    Subclass it and define `call` (subclassed models), or use `Sequential`.

    Example:

    >>> import torch, layerwise as keras
    >>> class TwoLayers(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = keras.layers.Dense(8, activation="relu")
    ...         self.out = keras.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> TwoLayers()(torch.ones(2, 3)).shape
    torch.Size([2, 1])
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            # `keras.Model(inputs, outputs)` builds a functional model, as in Keras.
            # `Functional` subclasses `Model`: found by name, not imported (no cycle).
            return super().__new__(names("layer")["Functional"])
        if _functional_init_arguments(args, kwargs):
            # `CustomModel(inputs, outputs)` for a subclass: a functional subclass, as in Keras.
            # Deferred: `functional_subclass` subclasses `Model` (an allowed entry point).
            from layerwise.models.functional_subclass import functional_variant

            return super().__new__(functional_variant(cls))
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got inputs/outputs: to build a functional "
                "model call `keras.Model(inputs, outputs)` itself."
            )
        super().__init__(**kwargs)
        self._init_trainer()

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Creates a model from its config: a functional config rebuilds the graph (also
        for functional subclasses), any other config goes to the constructor."""
        # Deferred: `functional_subclass` subclasses `Model` (an allowed entry point).
        from layerwise.models.functional_subclass import revive_functional

        model = revive_functional(cls, config, custom_objects)
        return model if model is not None else super().from_config(config)

    @property
    def layers(self) -> list[Layer]:
        """The layers directly inside this model (graph operations such as `x + 1` left out)."""
        return [m for m in self._modules.values()
                if isinstance(m, Layer) and not getattr(m, "_is_operation", False)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Returns a layer by `name` or by `index` (in `model.layers` order)."""
        if index is not None and name is not None:
            raise ValueError("Provide only `name` or `index`, not both.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but the model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name!r}. Existing layers are: {[layer.name for layer in self.layers]}."
            )
        raise ValueError("Provide either a layer `name` or an `index`.")

    # ------------------------------------------------------------- compile config
    def compile(self, *args, **kwargs):
        bound = inspect.signature(Trainer.compile).bind(self, *args, **kwargs)
        bound.apply_defaults()
        Trainer.compile(self, *args, **kwargs)
        recorded = {k: v for k, v in bound.arguments.items() if k not in ("self", "kwargs")}
        recorded.update(bound.arguments.get("kwargs") or {})
        # What `compile` received, for `get_compile_config()` (Keras' `compile_config`).
        self._compile_args = recorded

    compile.__doc__ = Trainer.compile.__doc__
    compile.__signature__ = inspect.signature(Trainer.compile)

    def get_compile_config(self) -> dict:
        """The compile arguments in Keras' serialized form (`{}` when not compiled)."""
        return serialize_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        """Compiles the model from `get_compile_config()` output (or Keras' `compile_config`)."""
        self.compile(**compile_args_from_config(config))
        if self.built:
            prepare_optimizer(self)

    def build_from_config(self, config: dict | None) -> None:
        """Builds the model for `config["input_shape"]` (subclassed models run on zeros)."""
        shape = (config or {}).get("input_shape")
        if self.built or shape is None:
            return
        if type(self).build is not Layer.build:
            super().build_from_config(config)
            return

        def zeros(s):
            if isinstance(s, tuple):
                return torch.zeros([1 if d is None else int(d) for d in s], dtype=self.torch_dtype)
            if isinstance(s, list):
                return [zeros(v) for v in s]
            if isinstance(s, dict):
                return {k: zeros(v) for k, v in s.items()}
            raise ValueError(f"Invalid `input_shape` in the build config: {s!r}")

        with torch.no_grad():
            self(zeros(_tuple_shape(shape)), training=False)

    # ------------------------------------------------------------------- saving
    def save(self, filepath, overwrite: bool = True, zipped: bool | None = None, **kwargs) -> None:
        """Saves the model (architecture, weights, compile arguments, optimizer state).

        Args:
            filepath: A `.keras` path (Keras 3 archive, recommended) or a `.h5`
                path (legacy Keras 2 HDF5).
            overwrite: Whether to replace an existing file without asking.
            zipped: Only the zipped `.keras` form is supported.
            include_optimizer: (keyword, `.h5` only) whether to save the optimizer state.

        The file is written atomically. Reload it with `keras.models.load_model`.
        """
        # Lazy entry point: `saving` (file formats) sits above `models`.
        from layerwise.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size=None) -> None:
        """Saves the weights (and optimizer state) to a `.weights.h5` (or legacy `.h5`) file."""
        # Lazy entry point: `saving` (file formats) sits above `models`.
        from layerwise.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Loads weights from a `.weights.h5`, `.keras` or legacy `.h5` file.

        Args:
            filepath: The weights file.
            skip_mismatch: Skip the layers that do not match the file, with a warning.
            by_name: (keyword, legacy `.h5` files) match layers by name, not order.
        """
        # Lazy entry point: `saving` (file formats) sits above `models`.
        from layerwise.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format: str = "onnx", verbose: bool | None = None,
               input_signature=None, **kwargs) -> None:
        """Exports the model for inference; layerwise supports `format="onnx"`.

        Args:
            filepath: The `.onnx` file to write (atomically).
            format: `"onnx"` (written with `torch.onnx`).
            verbose: Print a confirmation message (default `True`).
            input_signature: Optional example inputs (tensors / arrays) or shapes
                for the export; by default zeros of the model's input shapes,
                with a dynamic batch dimension.
        """
        # Lazy entry point: `saving` (file formats) sits above `models`.
        from layerwise.saving.onnx_export import export_model

        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def evaluate_report(self, x, y, class_names=None, history=None, batch_size=None):
        """Evaluates a classifier into a report: accuracy, per-class scores, confusion, ROC.

        Returns a `layerwise.reports.EvaluationReport` (`print(report)`,
        `report.to_html("report.html")`, `report.to_dict()`).
        """
        # Deliberate lazy entry point into layerwise.reports, which sits above models.
        from layerwise.reports.report import evaluate_report

        return evaluate_report(self, x, y, class_names=class_names, history=history,
                               batch_size=batch_size)

    def to_json(self, **kwargs) -> str:
        """Returns the model's architecture as Keras-format JSON (no weights)."""
        return model_to_json(self, **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras' summary table: layers, output shapes, parameter counts.

        Args:
            line_length: Total width of the table (default: 88, capped to the terminal).
            positions: Relative or absolute right edges of the columns.
            print_fn: Function called with the summary text (default `print`).
            expand_nested: Show the layers inside nested models.
            show_trainable: Add a column telling whether each layer is trainable.
        """
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def __call__(self, *args, **kwargs):
        if args and not isinstance(args[0], torch.Tensor):
            args = (_to_model_input(args[0]), *args[1:])
        return super().__call__(*args, **kwargs)


def _to_model_input(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_model_input(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_model_input(v) for k, v in x.items()}
    return _to_tensor(x)


def _functional_init_arguments(args, kwargs) -> bool:
    """Keras' test for `Model(inputs, outputs)`-style arguments (symbolic inputs)."""
    if len(args) == 2:
        inputs = args[0]
    elif len(args) == 1 and "outputs" in kwargs:
        inputs = args[0]
    elif not args and "inputs" in kwargs and "outputs" in kwargs:
        inputs = kwargs["inputs"]
    else:
        return False
    return is_symbolic(inputs)
