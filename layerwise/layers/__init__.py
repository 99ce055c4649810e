"""`layerwise.layers`: the building blocks of models."""

from layerwise.layers.activations import ELU as ELU
from layerwise.layers.activations import LeakyReLU as LeakyReLU
from layerwise.layers.activations import PReLU as PReLU
from layerwise.layers.activations import ReLU as ReLU
from layerwise.layers.activations import Softmax as Softmax
from layerwise.layers.core import Activation as Activation
from layerwise.layers.core import Dense as Dense
from layerwise.layers.core import Identity as Identity
from layerwise.layers.input_layer import Input as Input
from layerwise.layers.input_layer import InputLayer as InputLayer
from layerwise.layers.layer import Layer as Layer
from layerwise.layers.merging import Add as Add
from layerwise.layers.merging import Average as Average
from layerwise.layers.merging import Concatenate as Concatenate
from layerwise.layers.merging import Dot as Dot
from layerwise.layers.merging import Maximum as Maximum
from layerwise.layers.merging import Minimum as Minimum
from layerwise.layers.merging import Multiply as Multiply
from layerwise.layers.merging import Subtract as Subtract
from layerwise.layers.merging import add as add
from layerwise.layers.merging import average as average
from layerwise.layers.merging import concatenate as concatenate
from layerwise.layers.merging import dot as dot
from layerwise.layers.merging import maximum as maximum
from layerwise.layers.merging import minimum as minimum
from layerwise.layers.merging import multiply as multiply
from layerwise.layers.merging import subtract as subtract
from layerwise.layers.regularization import ActivityRegularization as ActivityRegularization
from layerwise.layers.regularization import Dropout as Dropout
from layerwise.layers.reshaping import Flatten as Flatten
from layerwise.layers.reshaping import Permute as Permute
from layerwise.layers.reshaping import RepeatVector as RepeatVector
from layerwise.layers.reshaping import Reshape as Reshape


def _registry() -> dict:
    import layerwise.layers as module

    return {name: obj for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, Layer)}


def serialize(layer) -> dict:
    """Returns the Keras-format dict (`module`, `class_name`, `config`, ...) of a layer."""
    from layerwise.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects=None) -> Layer:
    """Builds a layer from the dict returned by `serialize` (or written by Keras)."""
    from layerwise.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier):
    """Returns a layer from a config dict, or the layer itself."""
    if isinstance(identifier, Layer):
        return identifier
    return deserialize(identifier)
