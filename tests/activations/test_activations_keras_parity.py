"""Every activation function and activation layer against Keras 3 on the same tensor.

The functions run the same torch kernels as Keras' torch backend, so the values
are compared for exact equality (NaN-aware), not within a tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw


def _inputs(shape=(4, 6), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-8.0, 8.0, size=shape).astype(np.float32)
    flat = x.reshape(-1)
    # Boundaries where piecewise activations switch branches.
    flat[:12] = [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 0.5, -0.5, 2.0, 20.0, -20.0, 1e-8]
    return x


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _assert_same(ours, theirs, what):
    ours, theirs = _np(ours), _np(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, what
    np.testing.assert_array_equal(ours, theirs, err_msg=what)


# (name, kwargs): every function, with its optional arguments exercised.
FUNCTION_CASES = [
    ("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 6.0}),
    ("relu", {"max_value": 2.5}), ("relu", {"threshold": 1.0}),
    ("relu", {"negative_slope": 0.2, "max_value": 4.0, "threshold": 0.5}),
    ("relu", {"negative_slope": 0.3, "max_value": 5.0}),
    ("relu", {"negative_slope": 0.3, "threshold": 2.0}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}),
    ("relu6", {}), ("softmax", {}), ("softmax", {"axis": 0}), ("softmax", {"axis": None}),
    ("log_softmax", {}), ("log_softmax", {"axis": 0}), ("log_softmax", {"axis": None}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("softplus", {}), ("softsign", {}),
    ("soft_shrink", {}), ("soft_shrink", {"threshold": 1.5}), ("sparse_plus", {}),
    ("silu", {}), ("swish", {}), ("squareplus", {}), ("squareplus", {"b": 2}),
    ("gelu", {}), ("gelu", {"approximate": True}), ("celu", {}), ("celu", {"alpha": 2.0}),
    ("glu", {}), ("glu", {"axis": 0}), ("tanh", {}), ("tanh_shrink", {}), ("hard_tanh", {}),
    ("hard_shrink", {}), ("hard_shrink", {"threshold": 2.0}),
    ("threshold", {"threshold": 0.5, "default_value": -1.0}),
    ("sigmoid", {}), ("sparse_sigmoid", {}), ("exponential", {}), ("hard_sigmoid", {}),
    ("log_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}), ("linear", {}), ("mish", {}),
    ("sparsemax", {}), ("sparsemax", {"axis": 0}),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", FUNCTION_CASES,
                         ids=[f"{n}{kw or ''}" for n, kw in FUNCTION_CASES])
def test_function_matches_keras(keras, name, kwargs):
    x = _inputs()
    ours = getattr(lw.activations, name)(torch.from_numpy(x), **kwargs)
    theirs = getattr(keras.activations, name)(keras.ops.convert_to_tensor(x), **kwargs)
    _assert_same(ours, theirs, name)


@pytest.mark.keras
def test_every_keras_name_resolves_to_the_same_values(keras):
    from keras.src.activations import ALL_OBJECTS_DICT

    x = _inputs()
    for name in ALL_OBJECTS_DICT:
        if name == "threshold":
            continue  # Needs arguments; covered above.
        ours = lw.activations.get(name)
        theirs = keras.activations.get(name)
        assert ours.__name__ == theirs.__name__, name
        _assert_same(ours(torch.from_numpy(x)), theirs(keras.ops.convert_to_tensor(x)), name)
        assert lw.activations.serialize(ours) == keras.activations.serialize(theirs), name
        assert lw.activations.deserialize(keras.activations.serialize(theirs)) is ours


@pytest.mark.keras
def test_float64_and_3d_inputs(keras):
    x = np.random.default_rng(1).normal(0, 4, size=(2, 3, 5))
    for name in ("relu", "gelu", "softmax", "elu", "selu", "mish", "hard_silu", "softplus"):
        _assert_same(getattr(lw.activations, name)(torch.from_numpy(x)),
                     getattr(keras.activations, name)(keras.ops.convert_to_tensor(x)), name)


def test_names_are_case_insensitive_and_none_is_linear():
    assert lw.activations.get("ReLU") is lw.activations.relu
    assert lw.activations.get(None) is lw.activations.linear
    assert lw.activations.get("swish") is lw.activations.silu
    assert lw.activations.get({"class_name": "function", "config": "tanh"}) is lw.activations.tanh
    with pytest.raises(ValueError, match="Did you mean"):
        lw.activations.get("relu7")


@pytest.mark.parametrize("fn", [torch.relu, torch.tanh, torch.nn.functional.gelu,
                                torch.nn.ReLU(), lambda t: t * 2])
def test_torch_callables_are_accepted(fn):
    assert lw.activations.get(fn) is fn
    x = torch.linspace(-2, 2, 8).reshape(2, 4)
    torch.testing.assert_close(lw.layers.Activation(fn)(x), fn(x))
    dense = lw.layers.Dense(3, activation=fn)
    out = dense(x)
    torch.testing.assert_close(out, fn(x @ dense.kernel + dense.bias))


def test_serialize_torch_function_gives_its_name():
    assert lw.activations.serialize(torch.relu) == "relu"
    assert lw.activations.serialize(lw.activations.hard_swish) == "hard_silu"


def test_softmax_and_sigmoid_remember_their_logits():
    from layerwise.activations.logits import logits_of

    x = torch.randn(3, 4)
    assert logits_of(lw.activations.softmax(x), "softmax", -1) is x
    assert logits_of(lw.activations.softmax(x, axis=0), "softmax", -1) is None
    assert logits_of(lw.activations.sigmoid(x), "sigmoid") is x
    assert logits_of(lw.activations.sigmoid(x), "softmax", -1) is None
    assert logits_of(torch.softmax(x, -1), "softmax", -1) is None


# ------------------------------------------------------------------------- layers
LAYER_CASES = [
    ("ReLU", {}), ("ReLU", {"max_value": 6.0}), ("ReLU", {"max_value": 3.0}),
    ("ReLU", {"negative_slope": 0.1, "threshold": 1.0}),
    ("ReLU", {"negative_slope": 0.2, "max_value": 4.0, "threshold": 0.5}),
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.01}),
    ("ELU", {}), ("ELU", {"alpha": 0.3}),
    ("Softmax", {}), ("Softmax", {"axis": 1}), ("Softmax", {"axis": (1, 2)}),
    ("Softmax", {"axis": [2]}),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs", LAYER_CASES,
                         ids=[f"{n}{kw or ''}" for n, kw in LAYER_CASES])
def test_layer_matches_keras(keras, name, kwargs):
    x = _inputs((2, 3, 4))
    ours = getattr(lw.layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    _assert_same(ours(torch.from_numpy(x)), theirs(keras.ops.convert_to_tensor(x)), name)
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in kwargs:
        assert config[key] == keras_config.get(key, kwargs[key]), key
    again = type(ours).from_config(config)
    _assert_same(again(torch.from_numpy(x)), ours(torch.from_numpy(x)), f"{name} from_config")


@pytest.mark.keras
def test_softmax_layer_mask_matches_keras(keras):
    x = _inputs((2, 3, 4))
    mask = np.random.default_rng(3).integers(0, 2, size=(2, 1, 4)).astype(bool)
    ours = lw.layers.Softmax()(torch.from_numpy(x), mask=torch.from_numpy(mask))
    theirs = keras.layers.Softmax()(keras.ops.convert_to_tensor(x),
                                    mask=keras.ops.convert_to_tensor(mask))
    _assert_same(ours, theirs, "masked softmax")


@pytest.mark.keras
@pytest.mark.parametrize("shared_axes", [None, [1, 2], 2])
def test_prelu_matches_keras(keras, shared_axes):
    x = _inputs((2, 3, 4))
    ours = lw.layers.PReLU(alpha_initializer=lw.initializers.RandomUniform(0.0, 0.5, seed=3),
                           shared_axes=shared_axes)
    theirs = keras.layers.PReLU(
        alpha_initializer=keras.initializers.RandomUniform(0.0, 0.5, seed=3),
        shared_axes=shared_axes)
    out = ours(torch.from_numpy(x))
    keras_out = theirs(keras.ops.convert_to_tensor(x))
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    _assert_same(ours.alpha, theirs.alpha.value, "alpha (same seed)")
    np.testing.assert_allclose(_np(out), _np(keras_out), rtol=1e-6, atol=1e-7)
    config = ours.get_config()
    assert config["shared_axes"] == theirs.get_config()["shared_axes"]
    assert config["alpha_initializer"]["class_name"] == "RandomUniform"
    again = lw.layers.PReLU.from_config(config)
    again(torch.from_numpy(x))
    _assert_same(again.alpha, ours.alpha, "from_config alpha")


def test_prelu_trains_and_applies_its_constraint():
    layer = lw.layers.PReLU(alpha_initializer="zeros", alpha_regularizer="l2",
                            alpha_constraint="non_neg")
    x = torch.tensor([[-1.0, -2.0, 3.0]])
    out = layer(x)
    assert torch.equal(out.detach(), torch.tensor([[0.0, 0.0, 3.0]]))
    assert len(layer.losses) == 1
    opt = lw.optimizers.SGD(learning_rate=1.0)
    (out.sum()).backward()
    opt.apply([layer.alpha.grad], [layer.alpha])
    assert torch.all(layer.alpha >= 0)  # The gradient pushed alpha negative; NonNeg clipped it.


def test_leaky_relu_keras2_alpha_argument():
    with pytest.warns(UserWarning, match="negative_slope"):
        layer = lw.layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1


def test_layer_argument_validation():
    with pytest.raises(ValueError, match="max_value"):
        lw.layers.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        lw.layers.LeakyReLU(negative_slope=-0.1)


def test_activation_layers_in_a_model():
    model = lw.Sequential([lw.Input((4,)), lw.layers.Dense(8), lw.layers.LeakyReLU(),
                           lw.layers.Dense(3), lw.layers.Softmax()])
    out = model(torch.randn(5, 4))
    torch.testing.assert_close(out.sum(-1), torch.ones(5))


@pytest.mark.keras
def test_input_conversion_matches_keras(keras):
    """NumPy arrays keep their dtype; Python lists become floatx, as in Keras."""
    x64 = np.array([[-1.5, 0.5, 2.0]])
    for name in ("relu", "sigmoid", "gelu", "tanh"):
        for value in (x64, x64.tolist(), x64.astype(np.float32)):
            ours = getattr(lw.activations, name)(value)
            theirs = getattr(keras.activations, name)(value)
            _assert_same(ours, theirs, f"{name} {type(value).__name__}")
