"""`Model`: a `Layer` with the training API (`compile`, `fit`, `evaluate`, `predict`)."""

from __future__ import annotations

import torch

from layerwise.layers.layer import Layer, _to_tensor
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
            from layerwise.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got inputs/outputs: to build a functional "
                "model call `keras.Model(inputs, outputs)` itself."
            )
        super().__init__(**kwargs)
        self._init_trainer()

    @property
    def layers(self) -> list[Layer]:
        """The layers directly inside this model."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

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

    def to_json(self, **kwargs) -> str:
        """Returns the model's architecture as Keras-format JSON (no weights)."""
        from layerwise.saving.serialization import model_to_json

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
        from layerwise.models.summary import print_summary

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
