"""The layers Keras defines inside its application modules, against Keras' own classes,
and the graph operations that stay out of `Model.layers`."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise.applications._layers import CustomScaleLayer, LayerScale, StochasticDepth
from layerwise.applications._operations import AddOperation, ScalarOperation
from layerwise.registry.serialization import deserialize_keras_object, serialize_keras_object

X = np.random.default_rng(0).normal(size=(4, 3, 3, 5)).astype("float32")


@pytest.mark.keras
def test_layer_scale_matches_keras(keras):
    from keras.src.applications.convnext import LayerScale as KerasLayerScale

    theirs, ours = KerasLayerScale(0.3, 5), LayerScale(0.3, 5)
    expected = keras.ops.convert_to_numpy(theirs(X))
    np.testing.assert_allclose(ours(torch.as_tensor(X)).detach().numpy(), expected, rtol=1e-6)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.weights]
    gamma = np.linspace(-1, 1, 5).astype("float32")
    theirs.set_weights([gamma])
    ours.set_weights([gamma])
    np.testing.assert_allclose(ours(torch.as_tensor(X)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(X)), rtol=1e-6)


@pytest.mark.keras
def test_custom_scale_layer_matches_keras(keras):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasScale

    y = X[::-1].copy()
    expected = keras.ops.convert_to_numpy(KerasScale(0.17)([X, y]))
    got = CustomScaleLayer(0.17)([torch.as_tensor(X), torch.as_tensor(y)])
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_stochastic_depth_inference_identity_and_per_sample_training():
    layer = StochasticDepth(0.5)
    x = torch.as_tensor(X)
    torch.testing.assert_close(layer(x, training=False), x)
    torch.manual_seed(0)
    kept = 0
    for _ in range(10):  # each sample's branch is dropped, or kept and scaled by 1 / keep_prob
        out = layer(x, training=True)
        for o, xi in zip(out, x, strict=True):
            assert torch.equal(o, torch.zeros_like(xi)) or torch.allclose(o, xi / 0.5)
            kept += not torch.equal(o, torch.zeros_like(xi))
    assert 8 < kept < 32
    with pytest.raises(ValueError, match="drop_path_rate"):
        StochasticDepth(1.5)


@pytest.mark.parametrize("layer", [LayerScale(1e-6, 5), StochasticDepth(0.1),
                                   CustomScaleLayer(0.2)])
def test_config_round_trip(layer):
    clone = deserialize_keras_object(serialize_keras_object(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


def test_operations_compute_but_are_not_layers():
    inp = keras.Input((4,))
    dense = keras.layers.Dense(4, name="d")
    h = ScalarOperation("multiply", 0.5)(ScalarOperation("add", 3.0)(dense(inp)))
    out = AddOperation()([inp, h])
    model = keras.Model(inp, out)
    assert [layer.name for layer in model.layers] == ["input_layer", "d"]
    x = torch.randn(2, 4)
    expected = x + (dense(x) + 3.0) * 0.5
    torch.testing.assert_close(model(x), expected)
    clone = type(model).from_config(model.get_config())
    clone.set_weights(model.get_weights())
    torch.testing.assert_close(clone(x), expected)
    with pytest.raises(ValueError, match="`op`"):
        ScalarOperation("divide", 2.0)
