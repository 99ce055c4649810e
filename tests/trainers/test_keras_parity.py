"""Differential tests: the same model in layerwise and in real Keras 3 (torch backend).

Each test builds the model in both libraries, copies Keras' initial weights into
layerwise with `get_weights`/`set_weights` (same `(in, out)` kernel layout), feeds
the same batches and compares outputs, losses, metrics and updated weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import layerwise

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = [pytest.mark.keras,
              pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")]

RTOL, ATOL = 1e-5, 1e-6


def make_pair(keras, layers_fn, compile_kwargs=None):
    """Builds `layers_fn(module)` in Keras and layerwise, with Keras' weights in both."""
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)
    k_model = keras.Sequential(layers_fn(keras))
    layerwise.backend.clear_session(free_memory=False)
    l_model = layerwise.Sequential(layers_fn(layerwise))
    l_model.set_weights(k_model.get_weights())
    if compile_kwargs is not None:
        k_model.compile(**compile_kwargs(keras))
        l_model.compile(**compile_kwargs(layerwise))
    return k_model, l_model


def mlp(units_in=784, hidden=128, classes=10, out_activation="softmax"):
    def layers_fn(mod):
        return [mod.Input((units_in,)), mod.layers.Dense(hidden, activation="relu"),
                mod.layers.Dense(classes, activation=out_activation)]
    return layers_fn


def onehot(labels, classes):
    return np.eye(classes, dtype="float32")[labels]


def assert_weights_close(k_model, l_model, rtol=RTOL, atol=ATOL):
    k_w, l_w = k_model.get_weights(), l_model.get_weights()
    assert len(k_w) == len(l_w)
    for i, (a, b) in enumerate(zip(k_w, l_w, strict=True)):
        assert a.shape == b.shape, f"weight {i}"
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol, err_msg=f"weight {i}")


# ----------------------------------------------------------------- forward pass
@pytest.mark.parametrize("layers_fn", [
    mlp(),
    mlp(20, 16, 3, "sigmoid"),
    lambda m: [m.Input((7,)), m.layers.Dense(5, activation="tanh", use_bias=False),
               m.layers.Dense(1)],
    lambda m: [m.Input((6,)), m.layers.Dense(4, activation="elu"),
               m.layers.Dense(4, activation="softplus"), m.layers.Dense(2, activation="softmax")],
], ids=["mnist_mlp", "small_sigmoid", "no_bias_linear", "elu_softplus"])
def test_forward_matches_keras(keras, layers_fn):
    k_model, l_model = make_pair(keras, layers_fn)
    in_dim = k_model.input_shape[-1]
    x = np.random.default_rng(1).normal(size=(33, in_dim)).astype("float32")
    expected = k_model.predict(x, verbose=0)
    np.testing.assert_allclose(l_model.predict(x, verbose=0), expected, rtol=RTOL, atol=ATOL)
    # `model(x)` on NumPy input agrees with `predict`.
    np.testing.assert_allclose(l_model(x).detach().numpy(), expected, rtol=RTOL, atol=ATOL)


def test_weight_layout_matches_keras(keras):
    k_model, l_model = make_pair(keras, mlp())
    shapes = [w.shape for w in l_model.get_weights()]
    assert shapes == [(784, 128), (128,), (128, 10), (10,)]
    assert shapes == [w.shape for w in k_model.get_weights()]


@pytest.mark.parametrize("layers_fn,shape", [
    (lambda m: [m.Input((4, 5, 3)), m.layers.Flatten(), m.layers.Dense(6)], (4, 5, 3)),
    (lambda m: [m.Input((12,)), m.layers.Reshape((3, 4)), m.layers.Dense(2),
                m.layers.Reshape((-1,))], (12,)),
    (lambda m: [m.Input((3, 4, 2)), m.layers.Permute((3, 1, 2)), m.layers.Flatten(),
                m.layers.Dense(5)], (3, 4, 2)),
    (lambda m: [m.Input((4,)), m.layers.RepeatVector(3), m.layers.Dense(2),
                m.layers.Flatten()], (4,)),
    (lambda m: [m.Input((8,)), m.layers.Dense(6), m.layers.Activation("tanh"),
                m.layers.Activation("softmax")], (8,)),
    (lambda m: [m.Input((8,)), m.layers.Dense(6, activation="relu"), m.layers.Dropout(0.5),
                m.layers.Dense(3)], (8,)),
    (lambda m: [m.Input((8,)), m.layers.Identity(), m.layers.Dense(3),
                m.layers.Identity()], (8,)),
    (lambda m: [m.Input((8,)), m.layers.Dense(4), m.layers.ActivityRegularization(0.1, 0.1),
                m.layers.Dense(2)], (8,)),
], ids=["flatten", "reshape", "permute", "repeat_vector", "activation", "dropout_inference",
        "identity", "activity_regularization"])
def test_shape_layers_forward_matches_keras(keras, layers_fn, shape):
    k_model, l_model = make_pair(keras, layers_fn)
    assert tuple(l_model.output_shape) == tuple(k_model.output_shape)
    x = np.random.default_rng(2).normal(size=(10, *shape)).astype("float32")
    expected = k_model.predict(x, verbose=0)
    got = l_model.predict(x, verbose=0)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------------- losses
def _loss_case(name, rng):
    x = rng.normal(size=(50, 6)).astype("float32")
    labels = rng.integers(0, 3, size=50)
    if name == "categorical_crossentropy":
        return x, onehot(labels, 3), 3, "softmax"
    if name == "sparse_categorical_crossentropy":
        return x, labels, 3, "softmax"
    if name == "binary_crossentropy":
        return x, rng.integers(0, 2, size=(50, 1)).astype("float32"), 1, "sigmoid"
    return x, rng.normal(size=(50, 2)).astype("float32"), 2, None


LOSSES = ["categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
          "mse", "mae"]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize("loss", LOSSES)
def test_evaluate_loss_matches_keras(keras, loss, weighted):
    rng = np.random.default_rng(3)
    x, y, units, activation = _loss_case(loss, rng)
    sw = rng.uniform(0.0, 3.0, size=50).astype("float32") if weighted else None
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((6,)), m.layers.Dense(units, activation=activation)],
        lambda m: {"optimizer": "sgd", "loss": loss})
    expected = k_model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0)
    got = l_model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0)
    assert isinstance(got, float)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    # One batch: test_on_batch gives that batch's loss.
    np.testing.assert_allclose(
        l_model.test_on_batch(x[:20], y[:20], sample_weight=None if sw is None else sw[:20]),
        k_model.test_on_batch(x[:20], y[:20], sample_weight=None if sw is None else sw[:20]),
        rtol=RTOL, atol=ATOL)


def test_sample_weight_changes_the_loss(keras):
    """Guards the test above: weights that matter give a different loss."""
    rng = np.random.default_rng(3)
    x, y, units, activation = _loss_case("mse", rng)
    _, l_model = make_pair(
        keras, lambda m: [m.Input((6,)), m.layers.Dense(units)],
        lambda m: {"optimizer": "sgd", "loss": "mse"})
    sw = np.zeros(50, dtype="float32")
    sw[:5] = 1.0
    plain = l_model.evaluate(x, y, verbose=0)
    weighted = l_model.evaluate(x, y, sample_weight=sw, verbose=0)
    assert abs(plain - weighted) > 1e-3


# ------------------------------------------------------------- optimizer steps
OPTIMIZERS = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("Adam", {"learning_rate": 0.01}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
]
OPT_IDS = ["sgd", "sgd_momentum", "sgd_nesterov", "rmsprop", "rmsprop_momentum",
           "rmsprop_centered", "adam", "adam_amsgrad"]


@pytest.mark.parametrize("opt_name,opt_kwargs", OPTIMIZERS, ids=OPT_IDS)
def test_train_on_batch_matches_keras(keras, opt_name, opt_kwargs):
    rng = np.random.default_rng(4)
    k_model, l_model = make_pair(
        keras, mlp(20, 16, 4),
        lambda m: {"optimizer": getattr(m.optimizers, opt_name)(**opt_kwargs),
                   "loss": "categorical_crossentropy", "metrics": ["accuracy"]})
    initial = l_model.get_weights()
    for step in range(5):
        x = rng.normal(size=(32, 20)).astype("float32")
        y = onehot(rng.integers(0, 4, size=32), 4)
        expected = k_model.train_on_batch(x, y)
        got = l_model.train_on_batch(x, y)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"[loss, accuracy] at step {step}")
    assert_weights_close(k_model, l_model)
    # The weights did move (the comparison is not between two untouched models).
    assert max(np.abs(a - b).max() for a, b in zip(initial, l_model.get_weights(), strict=True)) > 1e-3


# Adam divides by sqrt(v): with lr=0.01 on this loss the 1e-7 float differences of the
# gradients are amplified chaotically, so this test uses Keras' default rate.
@pytest.mark.parametrize("opt_name,opt_kwargs", [
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.001}),
    ("Adam", {"learning_rate": 0.001}),
], ids=["sgd_momentum", "rmsprop", "adam"])
def test_mnist_sized_model_training_matches_keras(keras, opt_name, opt_kwargs):
    rng = np.random.default_rng(5)
    k_model, l_model = make_pair(
        keras, mlp(),
        lambda m: {"optimizer": getattr(m.optimizers, opt_name)(**opt_kwargs),
                   "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]})
    x = rng.uniform(size=(64, 784)).astype("float32")
    y = rng.integers(0, 10, size=64)
    for _ in range(5):
        expected = k_model.train_on_batch(x, y, return_dict=True)
        got = l_model.train_on_batch(x, y, return_dict=True)
        assert set(got) == set(expected) == {"loss", "accuracy"}
        for key in expected:
            np.testing.assert_allclose(got[key], expected[key], rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)
    np.testing.assert_allclose(l_model.evaluate(x, y, verbose=0),
                               k_model.evaluate(x, y, verbose=0), rtol=RTOL, atol=ATOL)


def test_evaluate_with_metrics_matches_keras(keras):
    rng = np.random.default_rng(6)
    k_model, l_model = make_pair(
        keras, mlp(12, 8, 3),
        lambda m: {"optimizer": "adam", "loss": "categorical_crossentropy",
                   "metrics": ["accuracy", "mse", "mae"]})
    x = rng.normal(size=(70, 12)).astype("float32")
    y = onehot(rng.integers(0, 3, size=70), 3)
    expected = k_model.evaluate(x, y, batch_size=32, verbose=0)
    got = l_model.evaluate(x, y, batch_size=32, verbose=0)
    assert len(got) == len(expected) == 4
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    expected_d = k_model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    got_d = l_model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    assert set(got_d) == set(expected_d)
    for key in expected_d:
        np.testing.assert_allclose(got_d[key], expected_d[key], rtol=RTOL, atol=ATOL)


def test_fit_one_epoch_unshuffled_matches_keras(keras):
    """`fit` with shuffle=False walks the batches in order, like Keras."""
    rng = np.random.default_rng(7)
    k_model, l_model = make_pair(
        keras, mlp(10, 8, 3),
        lambda m: {"optimizer": m.optimizers.SGD(0.1, momentum=0.5),
                   "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]})
    x = rng.normal(size=(100, 10)).astype("float32")
    y = rng.integers(0, 3, size=100)
    kh = k_model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                     validation_split=0.2)
    lh = l_model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                     validation_split=0.2)
    assert sorted(lh.history) == sorted(kh.history)
    for key in kh.history:
        np.testing.assert_allclose(lh.history[key], kh.history[key], rtol=1e-4, atol=1e-5,
                                   err_msg=key)
    assert_weights_close(k_model, l_model, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ regularization
def test_activity_regularization_loss_matches_keras(keras):
    rng = np.random.default_rng(8)

    def layers_fn(m):
        return [m.Input((8,)), m.layers.Dense(4),
                m.layers.ActivityRegularization(l1=0.01, l2=0.05), m.layers.Dense(1)]

    k_model, l_model = make_pair(
        keras, layers_fn, lambda m: {"optimizer": m.optimizers.SGD(0.01), "loss": "mse"})
    x = rng.normal(size=(16, 8)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    # The penalty is part of the loss (test_on_batch: no update)...
    plain = float(np.mean((l_model.predict(x, verbose=0) - y) ** 2))
    first = l_model.test_on_batch(x, y)
    assert first > plain + 1e-3
    np.testing.assert_allclose(first, k_model.test_on_batch(x, y), rtol=RTOL, atol=ATOL)
    # ...and of its gradient.
    for _ in range(3):
        np.testing.assert_allclose(l_model.train_on_batch(x, y), k_model.train_on_batch(x, y),
                                   rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)


def test_dense_activity_regularizer_matches_keras(keras):
    rng = np.random.default_rng(8)
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((8,)), m.layers.Dense(4, activity_regularizer="l2"),
                          m.layers.Dense(1)],
        lambda m: {"optimizer": m.optimizers.SGD(0.01), "loss": "mse"})
    x = rng.normal(size=(16, 8)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    for _ in range(2):
        np.testing.assert_allclose(l_model.train_on_batch(x, y), k_model.train_on_batch(x, y),
                                   rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)


@pytest.mark.parametrize("regularizer", ["l2", "l1", "l1_l2"])
def test_kernel_regularizer_loss_matches_keras(keras, regularizer):
    rng = np.random.default_rng(9)

    def layers_fn(m):
        reg = {"l2": m.regularizers.L2(0.05), "l1": m.regularizers.L1(0.01),
               "l1_l2": m.regularizers.L1L2(l1=0.01, l2=0.02)}[regularizer]
        return [m.Input((8,)), m.layers.Dense(6, activation="relu", kernel_regularizer=reg),
                m.layers.Dense(3, activation="softmax", bias_regularizer="l2")]

    k_model, l_model = make_pair(
        keras, layers_fn,
        lambda m: {"optimizer": m.optimizers.SGD(0.05), "loss": "categorical_crossentropy"})
    x = rng.normal(size=(24, 8)).astype("float32")
    y = onehot(rng.integers(0, 3, size=24), 3)
    np.testing.assert_allclose(l_model.evaluate(x, y, verbose=0),
                               k_model.evaluate(x, y, verbose=0), rtol=RTOL, atol=ATOL)
    for _ in range(3):
        np.testing.assert_allclose(l_model.train_on_batch(x, y), k_model.train_on_batch(x, y),
                                   rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)
    assert len(l_model.losses) == len(k_model.losses) == 2


# ------------------------------------------------------------- class weights
def test_class_weight_matches_keras(keras):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(40, 5)).astype("float32")
    y = rng.integers(0, 3, size=40)
    class_weight = {0: 1.0, 1: 5.0, 2: 0.25}
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((5,)), m.layers.Dense(3, activation="softmax")],
        lambda m: {"optimizer": m.optimizers.SGD(0.1), "loss": "sparse_categorical_crossentropy"})
    for _ in range(3):
        expected = k_model.train_on_batch(x, y, class_weight=class_weight)
        got = l_model.train_on_batch(x, y, class_weight=class_weight)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)
    # fit with class_weight, one batch per epoch, no shuffling: same history.
    kh = k_model.fit(x, y, class_weight=class_weight, batch_size=40, epochs=3, shuffle=False,
                     verbose=0)
    lh = l_model.fit(x, y, class_weight=class_weight, batch_size=40, epochs=3, shuffle=False,
                     verbose=0)
    np.testing.assert_allclose(lh.history["loss"], kh.history["loss"], rtol=RTOL, atol=ATOL)
    # ...and the weighting matters.
    unweighted = l_model.evaluate(x, y, verbose=0)
    weighted = l_model.train_on_batch(x, y, class_weight=class_weight)
    assert abs(unweighted - weighted) > 1e-3


def test_one_hot_class_weight_matches_keras(keras):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(30, 5)).astype("float32")
    y = onehot(rng.integers(0, 3, size=30), 3)
    class_weight = {0: 2.0, 1: 0.5, 2: 1.0}
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((5,)), m.layers.Dense(3, activation="softmax")],
        lambda m: {"optimizer": m.optimizers.SGD(0.1), "loss": "categorical_crossentropy"})
    np.testing.assert_allclose(l_model.train_on_batch(x, y, class_weight=class_weight),
                               k_model.train_on_batch(x, y, class_weight=class_weight),
                               rtol=RTOL, atol=ATOL)


# --------------------------------------------------------- accuracy resolution
@pytest.mark.parametrize("units,y_shape,loss", [
    (1, (12, 1), "binary_crossentropy"),
    (1, (12,), "binary_crossentropy"),
    (3, (12,), "sparse_categorical_crossentropy"),
    (3, (12, 1), "sparse_categorical_crossentropy"),
    (3, (12, 3), "categorical_crossentropy"),
])
def test_accuracy_resolves_like_keras(keras, units, y_shape, loss):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(12, 4)).astype("float32")
    if loss == "categorical_crossentropy":
        y = onehot(rng.integers(0, units, 12), units)
    else:
        y = rng.integers(0, max(units, 2), size=y_shape).astype("float32")
    activation = "sigmoid" if units == 1 else "softmax"
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((4,)), m.layers.Dense(units, activation=activation)],
        lambda m: {"optimizer": "sgd", "loss": loss, "metrics": ["accuracy"]})
    expected = k_model.evaluate(x, y, verbose=0, return_dict=True)
    got = l_model.evaluate(x, y, verbose=0, return_dict=True)
    k_cls = type(k_model.metrics[1].metrics[0]).__name__
    l_cls = type(l_model.metrics[1].metrics[0]).__name__
    assert l_cls == k_cls
    np.testing.assert_allclose(got["accuracy"], expected["accuracy"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------- fit options
FIT_OPTIONS = {
    "sample_weight_validation_split": lambda x, y, sw: {"sample_weight": sw,
                                                        "validation_split": 0.2},
    "class_weight_validation_data": lambda x, y, sw: {
        "class_weight": {0: 1.0, 1: 3.0, 2: 0.5}, "validation_data": (x[:10], y[:10])},
    "weighted_metrics": lambda x, y, sw: {"sample_weight": sw,
                                          "compile": {"weighted_metrics": ["acc"]}},
    "column_sample_weight": lambda x, y, sw: {"sample_weight": sw.reshape(-1, 1)},
    "weighted_validation_data": lambda x, y, sw: {
        "validation_data": (x[:10], y[:10], sw[:10]), "compile": {"weighted_metrics": ["acc"]}},
    "validation_freq_list": lambda x, y, sw: {"validation_freq": [2, 3],
                                              "validation_data": (x[:10], y[:10])},
}


@pytest.mark.parametrize("option", sorted(FIT_OPTIONS))
def test_fit_options_match_keras(keras, option):
    rng = np.random.default_rng(13)
    x = rng.normal(size=(50, 6)).astype("float32")
    y = rng.integers(0, 3, size=50)
    sw = rng.uniform(0.0, 2.0, size=50).astype("float32")
    weights = [rng.normal(size=(6, 3)).astype("float32"), np.zeros(3, "float32")]
    histories = []
    for module in (keras, layerwise):
        kwargs = FIT_OPTIONS[option](x, y, sw)
        compile_extra = kwargs.pop("compile", {})
        module.backend.clear_session(free_memory=False)
        model = module.Sequential([module.Input((6,)),
                                   module.layers.Dense(3, activation="softmax")])
        model.set_weights(weights)
        model.compile(optimizer=module.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                      metrics=["acc"], **compile_extra)
        history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0, **kwargs)
        histories.append(history.history)
    expected, got = histories
    assert list(got) == list(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=RTOL, atol=ATOL, err_msg=key)


# -------------------------------------------------------------- target shapes
TARGETS = {
    "mse_flat_targets": ("mse", 1, None, lambda r: r.normal(size=40).astype("float32")),
    "mae_float64_targets": ("mae", 1, None, lambda r: r.normal(size=40)),
    "bce_flat_int_targets": ("binary_crossentropy", 1, "sigmoid",
                             lambda r: r.integers(0, 2, 40)),
    "scce_column_float_labels": ("sparse_categorical_crossentropy", 4, "softmax",
                                 lambda r: r.integers(0, 4, (40, 1)).astype("float32")),
    "bce_multilabel": ("binary_crossentropy", 3, "sigmoid", lambda r: r.integers(0, 2, (40, 3))),
    "mse_float16_targets": ("mse", 2, None, lambda r: r.normal(size=(40, 2)).astype("float16")),
}


@pytest.mark.parametrize("case", sorted(TARGETS))
def test_target_shapes_and_dtypes_match_keras(keras, case):
    loss, units, activation, make_y = TARGETS[case]
    rng = np.random.default_rng(14)
    x = rng.normal(size=(40, 5)).astype("float32")
    y = make_y(rng)
    sw = rng.uniform(0.0, 2.0, size=40).astype("float32")
    metrics = ["accuracy", "mae"] if "crossentropy" in loss else ["mse"]
    k_model, l_model = make_pair(
        keras, lambda m: [m.Input((5,)), m.layers.Dense(units, activation=activation)],
        lambda m: {"optimizer": m.optimizers.SGD(0.1), "loss": loss, "metrics": metrics})
    for kwargs in ({}, {"sample_weight": sw}):
        np.testing.assert_allclose(l_model.evaluate(x, y, verbose=0, **kwargs),
                                   k_model.evaluate(x, y, verbose=0, **kwargs),
                                   rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(l_model.train_on_batch(x, y, sample_weight=sw),
                               k_model.train_on_batch(x, y, sample_weight=sw),
                               rtol=RTOL, atol=ATOL)
    assert_weights_close(k_model, l_model)
