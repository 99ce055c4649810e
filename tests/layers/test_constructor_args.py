"""NumPy scalars in layer constructors, accepted as Keras 2 did (`Dense(np.int64(16))`)."""

from __future__ import annotations

import abc
import inspect
import json

import numpy as np
import pytest
import torch

import layerwise
from layerwise import layers

CASES = [
    (lambda: layers.Dense(np.int64(16)), lambda: layers.Dense(16)),
    (lambda: layers.Dense(units=np.int32(4), use_bias=np.bool_(False)),
     lambda: layers.Dense(units=4, use_bias=False)),
    (lambda: layers.Conv2D(np.int64(4), (np.int64(3), np.int32(3)), strides=np.int64(1)),
     lambda: layers.Conv2D(4, (3, 3), strides=1)),
    (lambda: layers.MaxPooling2D(pool_size=[np.int64(2), 2]),
     lambda: layers.MaxPooling2D(pool_size=[2, 2])),
    (lambda: layers.Dropout(np.float32(0.5)), lambda: layers.Dropout(0.5)),
    (lambda: layers.Reshape((np.int64(2), np.int64(3))), lambda: layers.Reshape((2, 3))),
    (lambda: layers.RepeatVector(np.int64(3)), lambda: layers.RepeatVector(3)),
]


def _without_name(config):
    return {k: v for k, v in config.items() if k != "name"}


@pytest.mark.parametrize("index", range(len(CASES)))
def test_numpy_scalars_give_the_python_config(index):
    numpy_layer, python_layer = CASES[index][0](), CASES[index][1]()
    config = numpy_layer.get_config()
    json.dumps(config)  # plain Python values only
    assert _without_name(config) == _without_name(python_layer.get_config())


def test_numpy_units_layer_computes():
    layer = layers.Dense(np.int64(16))
    assert layer(torch.ones(2, 3)).shape == (2, 16)
    model = layerwise.Sequential([layerwise.Input((np.int64(3),)), layers.Dense(np.int64(2))])
    assert model.output_shape == (None, 2)


def test_invalid_values_still_refused():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(np.int64(0))
    with pytest.raises(ValueError, match="units"):
        layers.Dense(np.float64(1.5))


def test_arrays_are_left_alone():
    # Only scalars are converted: array arguments (tables, constants) keep their type.
    class Holder(layers.Layer):
        def __init__(self, table, scale, **kwargs):
            super().__init__(**kwargs)
            self.table, self.scale = table, scale

    holder = Holder(np.arange(3), scale=np.float32(2.0))
    assert isinstance(holder.table, np.ndarray) and type(holder.scale) is float


def test_custom_layers_keep_their_signature_and_mix_with_abc():
    class Sized(layers.Layer, abc.ABC):
        def __init__(self, size, *, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.size, self.scale = size, scale

    layer = Sized(np.int64(3), scale=np.float64(0.5))
    assert (type(layer.size), type(layer.scale)) == (int, float)
    assert list(inspect.signature(Sized.__init__).parameters)[:3] == ["self", "size", "scale"]
