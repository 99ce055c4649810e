"""`Sequential`: a linear stack of layers."""

from __future__ import annotations

from layerwise.backend.keras_tensor import KerasTensor
from layerwise.layers.input_layer import InputLayer
from layerwise.layers.layer import Layer
from layerwise.models.graph_replay import adjust_input_rank
from layerwise.models.model import Model
from layerwise.registry.serialization import (
    clean_layer_config,
    deserialize_keras_object,
    serialize_keras_object,
)


class Sequential(Model):
    """A plain stack of layers, each with one input and one output.

    When the input shape is known (an `Input`, or `input_shape=` on the first
    layer) the model is built as layers are added, so `summary()` works and
    shape errors show up at `add` with the layer's name.

    Args:
        layers: Optional list of layers (an `Input` may come first).
        trainable: Whether the model's weights are trainable.
        name: Model name.

    Example:

    >>> import layerwise as keras
    >>> model = keras.Sequential([
    ...     keras.Input(shape=(784,)),
    ...     keras.layers.Dense(128, activation="relu"),
    ...     keras.layers.Dense(10, activation="softmax"),
    ... ])
    >>> model.count_params()
    101770
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._input_holder: list[InputLayer] = []  # a list: not registered as a submodule
        self._outputs: list[KerasTensor] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def _input_layer(self) -> InputLayer | None:
        return self._input_holder[0] if self._input_holder else None

    def _set_input_layer(self, layer: InputLayer) -> None:
        # Not an attribute assignment: nn.Module would register it as a sublayer.
        self._input_holder[:] = [layer]

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the `InputLayer`."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def add(self, layer, rebuild: bool = True) -> None:
        """Adds a layer on top of the stack."""
        if isinstance(layer, KerasTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})."
            )
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self.layers:
                raise ValueError(
                    f"An `Input` can only be the first element of a Sequential model; model "
                    f"'{self.name}' already has layers or an input."
                )
            self._set_input_layer(layer)
            return
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"Layer '{layer.name}' is already in model '{self.name}'.")
        if self._input_layer is None and not self.layers and layer._batch_input_shape is not None:
            self._set_input_layer(InputLayer(batch_shape=layer._batch_input_shape,
                                           name=f"{layer.name}_input"))
        key = layer.name if not hasattr(type(self), layer.name) else f"layer_{layer.name}"
        if key in self._modules:
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Give each layer "
                "a unique name with `name=`."
            )
        self.add_module(key, layer)
        if rebuild and self._input_layer is not None:
            self._call_symbolic(layer)
        elif rebuild and len(self.layers) > 1 and _model_input_shape(self.layers[0]) is not None:
            # A built model first (a pretrained base): its input shape builds the stack, as
            # in Keras, so weights, `summary()` and trainable counts are complete at once.
            self.build(_model_input_shape(self.layers[0]))

    def _call_symbolic(self, layer) -> None:
        previous = self._outputs[-1] if self._outputs else self._input_layer.output
        output = layer(previous)
        if not isinstance(output, KerasTensor):
            raise ValueError(
                f"Layer '{layer.name}' returned several outputs; every layer of a Sequential "
                "model must have exactly one output."
            )
        self._outputs.append(output)
        self.built = True
        self._build_input_shape = self._input_layer.batch_shape

    def pop(self) -> Layer:
        """Removes and returns the last layer."""
        layers = self.layers
        if not layers:
            raise IndexError("There are no layers in the model.")
        last = layers[-1]
        key = next(k for k, m in self._modules.items() if m is last)
        del self._modules[key]
        if self._outputs:
            self._outputs.pop()
        return last

    def build(self, input_shape=None) -> None:
        """Builds the model for inputs of `input_shape` (batch dimension first)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(
                    "You must provide an `input_shape` argument to build a Sequential model "
                    "without an `Input`, e.g. `model.build((None, 784))`."
                )
            return
        input_shape = tuple(input_shape)
        if self._input_layer is None:
            self._set_input_layer(InputLayer(batch_shape=(None, *input_shape[1:]),
                                             name=f"{self.name}_input"))
        self._outputs = []
        for layer in self.layers:
            self._call_symbolic(layer)
        self.built = True

    def call(self, inputs, training=None):
        if self._input_layer is not None:
            inputs = adjust_input_rank(inputs, self._input_layer.batch_shape)
        for layer in self.layers:
            inputs = layer(inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def inputs(self) -> list[KerasTensor]:
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input yet.")
        return [self._input_layer.output]

    @property
    def outputs(self) -> list[KerasTensor]:
        if not self._outputs:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output yet.")
        return [self._outputs[-1]]

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0]

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if self._outputs:
            return self._outputs[-1].shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")

    def get_config(self) -> dict:
        """Keras' Sequential config: the layers (the `InputLayer` first) in Keras format."""
        layers = [serialize_keras_object(layer) for layer in self.layers]
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._input_layer is not None:
            layers.insert(0, serialize_keras_object(self._input_layer))
            config["build_input_shape"] = list(self._input_layer.batch_shape)
        config["layers"] = layers
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Builds a Sequential model from its config (layerwise, Keras 3 or Keras 2)."""
        if isinstance(config, list):  # Keras 1/2 wrote the bare list of layers.
            config = {"layers": config}
        layer_configs = config.get("layers", [])
        top = clean_layer_config({k: v for k, v in config.items()
                                  if k in ("name", "trainable", "dtype")})
        model = cls(**top)
        for layer_config in layer_configs:
            model.add(deserialize_keras_object(layer_config, custom_objects=custom_objects))
        build_shape = config.get("build_input_shape")
        if not model.built and isinstance(build_shape, (list, tuple)) and build_shape:
            model.build(tuple(build_shape))
        return model


def _model_input_shape(layer):
    """The input shape of a model with defined inputs (one input), else None."""
    if not isinstance(layer, Model):
        return None
    try:
        inputs = layer.inputs
    except AttributeError:
        return None
    return tuple(inputs[0].shape) if len(inputs) == 1 else None
