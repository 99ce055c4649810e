"""Files move between layerwise and real Keras 3 in both directions with identical predictions."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import layerwise

pytestmark = pytest.mark.keras
RNG = np.random.default_rng(0)


def _mlp(K):
    return K.Sequential([K.Input((6,)), K.layers.Dense(8, activation="relu"),
                         K.layers.Dropout(0.2), K.layers.Dense(3, activation="softmax")])


def _cnn(K):
    L = K.layers
    return K.Sequential([K.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same"),
                         L.BatchNormalization(), L.Activation("relu"), L.MaxPooling2D(),
                         L.Flatten(), L.Dense(3)])


def _two_input(K):
    L = K.layers
    a, b = K.Input((4,), name="a"), K.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="relu")(a), b])
    return K.Model([a, b], L.Dense(2, name="out")(L.Add()([L.Dense(4)(h), L.Dense(4)(h)])))


def _nested(K):
    L = K.layers
    inner = K.Sequential([K.Input((4,)), L.Dense(6, activation="tanh"),
                          L.BatchNormalization()], name="inner")
    x = K.Input((4,), name="x")
    return K.Model(x, L.Dense(2)(L.concatenate([inner(x), x])))


MODELS = {"mlp": (_mlp, [(6,)]), "cnn": (_cnn, [(8, 8, 2)]),
          "two_input": (_two_input, [(4,), (3,)]), "nested": (_nested, [(4,)])}


def _inputs(shapes, n=5):
    xs = [RNG.random((n, *s)).astype("float32") for s in shapes]
    return xs if len(xs) > 1 else xs[0]


def _targets(model, x):
    out = model.predict(x, verbose=0)
    return np.zeros_like(out)


def _assert_same(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def _trained_keras(keras, name):
    builder, shapes = MODELS[name]
    keras.backend.clear_session()
    model = builder(keras)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = _inputs(shapes)
    model.fit(x, RNG.random(np.shape(model.predict(x, verbose=0))).astype("float32"),
              epochs=2, verbose=0)
    return model, x


def _trained_layerwise(name):
    builder, shapes = MODELS[name]
    model = builder(layerwise)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = _inputs(shapes)
    model.fit(x, RNG.random(np.shape(model.predict(x, verbose=0))).astype("float32"),
              epochs=2, verbose=0)
    return model, x


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_files_load_in_layerwise(keras, name, tmp_path):
    model, x = _trained_keras(keras, name)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    model.save_weights(tmp_path / "m.weights.h5")

    loaded = layerwise.models.load_model(tmp_path / "m.keras")
    _assert_same(loaded.predict(x, verbose=0), expected)
    # compile=True restored the optimizer: same step count and the same slot values.
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    for ours, theirs in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_allclose(ours.detach().numpy(), np.asarray(theirs.numpy()),
                                   rtol=1e-6, atol=1e-7)

    legacy = layerwise.models.load_model(tmp_path / "m.h5")  # compiled with loss="mse"
    _assert_same(legacy.predict(x, verbose=0), expected)
    assert legacy.compiled and legacy.optimizer is not None

    fresh = MODELS[name][0](layerwise)
    fresh.load_weights(tmp_path / "m.weights.h5")
    _assert_same(fresh.predict(x, verbose=0), expected)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_layerwise_files_load_in_keras(keras, name, tmp_path):
    model, x = _trained_layerwise(name)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    model.save_weights(tmp_path / "m.weights.h5")

    loaded = keras.models.load_model(tmp_path / "m.keras")
    _assert_same(loaded.predict(x, verbose=0), expected)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    for ours, theirs in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_allclose(np.asarray(theirs.numpy()), ours.detach().numpy(),
                                   rtol=1e-6, atol=1e-7)

    legacy = keras.models.load_model(tmp_path / "m.h5", compile=False)
    _assert_same(legacy.predict(x, verbose=0), expected)

    keras.backend.clear_session()
    fresh = MODELS[name][0](keras)
    fresh.load_weights(tmp_path / "m.weights.h5")
    _assert_same(fresh.predict(x, verbose=0), expected)


def _h5_layout(path):
    out = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.append((name, getattr(obj, "shape", None))))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_weights_layout_is_keras_layout(keras, name, tmp_path):
    keras.backend.clear_session()
    km = MODELS[name][0](keras)
    km.compile(optimizer="adam", loss="mse")
    km.optimizer.build(km.trainable_variables)
    km.save_weights(tmp_path / "k.weights.h5")
    lm = MODELS[name][0](layerwise)
    lm.compile(optimizer="adam", loss="mse")
    lm.save_weights(tmp_path / "l.weights.h5")
    assert _h5_layout(tmp_path / "l.weights.h5") == _h5_layout(tmp_path / "k.weights.h5")


def _subclassed(K):
    L = K.layers

    class Block(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d1 = L.Dense(3)
            self.d2 = L.Dense(2)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(1,), name="scale", initializer="ones")

        def call(self, x):
            return self.d2(self.d1(x)) * self.scale

    class Net(K.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.block = Block()
            self.zz = L.Dense(1)
            self.drop = L.Dropout(0.5)

        def call(self, x, training=None):
            return self.zz(self.drop(self.block(x), training=training))

    return Net()


def test_subclassed_model_weights_have_keras_layout(keras, tmp_path):
    x = RNG.random((3, 4)).astype("float32")
    km, lm = _subclassed(keras), _subclassed(layerwise)
    km(x), lm(x)
    km.save_weights(tmp_path / "k.weights.h5")
    lm.save_weights(tmp_path / "l.weights.h5")
    assert _h5_layout(tmp_path / "l.weights.h5") == _h5_layout(tmp_path / "k.weights.h5")
    lm.load_weights(tmp_path / "k.weights.h5")
    _assert_same(lm.predict(x, verbose=0), km.predict(x, verbose=0))


def test_keras_compiled_objects_round_trip(keras, tmp_path):
    """Loss / metric / optimizer objects (not just names) cross in compile_config."""
    lm = _mlp(layerwise)
    lm.compile(optimizer=layerwise.optimizers.SGD(0.05, momentum=0.9),
               loss=layerwise.losses.CategoricalCrossentropy(label_smoothing=0.1),
               metrics=["accuracy", layerwise.metrics.AUC()])
    lm.save(tmp_path / "m.keras")
    km = keras.models.load_model(tmp_path / "m.keras")
    assert type(km.optimizer).__name__ == "SGD"
    assert km.optimizer.get_config()["momentum"] == pytest.approx(0.9)
    assert type(km.loss).__name__ == "CategoricalCrossentropy"
    km.save(tmp_path / "k.keras")
    back = layerwise.models.load_model(tmp_path / "k.keras")
    assert isinstance(back.optimizer, layerwise.optimizers.SGD)
    assert back.optimizer.momentum == pytest.approx(0.9)
    assert isinstance(back.loss, layerwise.losses.CategoricalCrossentropy)


# Every built-in layer that exists in both libraries, saved as `.keras` both ways.
LAYERS = [
    ("Dense", (6,), lambda L: L.Dense(3, activation="relu")),
    ("Activation", (6,), lambda L: L.Activation("tanh")),
    ("Identity", (6,), lambda L: L.Identity()),
    ("Conv1D", (10, 3), lambda L: L.Conv1D(4, 3)),
    ("Conv2D", (8, 8, 3), lambda L: L.Conv2D(4, 3, padding="same")),
    ("Conv3D", (5, 5, 5, 2), lambda L: L.Conv3D(3, 2)),
    ("Conv1DTranspose", (6, 3), lambda L: L.Conv1DTranspose(4, 3)),
    ("Conv2DTranspose", (6, 6, 3), lambda L: L.Conv2DTranspose(4, 3, strides=2)),
    ("Conv3DTranspose", (4, 4, 4, 2), lambda L: L.Conv3DTranspose(3, 2)),
    ("DepthwiseConv1D", (10, 3), lambda L: L.DepthwiseConv1D(3, depth_multiplier=2)),
    ("DepthwiseConv2D", (8, 8, 3), lambda L: L.DepthwiseConv2D(3)),
    ("SeparableConv1D", (10, 3), lambda L: L.SeparableConv1D(4, 3)),
    ("SeparableConv2D", (8, 8, 3), lambda L: L.SeparableConv2D(4, 3)),
    ("MaxPooling1D", (8, 3), lambda L: L.MaxPooling1D()),
    ("MaxPooling2D", (8, 8, 3), lambda L: L.MaxPooling2D()),
    ("MaxPooling3D", (4, 4, 4, 2), lambda L: L.MaxPooling3D()),
    ("AveragePooling1D", (8, 3), lambda L: L.AveragePooling1D(2)),
    ("AveragePooling2D", (8, 8, 3), lambda L: L.AveragePooling2D(2)),
    ("AveragePooling3D", (4, 4, 4, 2), lambda L: L.AveragePooling3D(2)),
    ("GlobalAveragePooling1D", (8, 3), lambda L: L.GlobalAveragePooling1D()),
    ("GlobalAveragePooling2D", (8, 8, 3), lambda L: L.GlobalAveragePooling2D()),
    ("GlobalAveragePooling3D", (4, 4, 4, 2), lambda L: L.GlobalAveragePooling3D()),
    ("GlobalMaxPooling1D", (8, 3), lambda L: L.GlobalMaxPooling1D()),
    ("GlobalMaxPooling2D", (8, 8, 3), lambda L: L.GlobalMaxPooling2D()),
    ("GlobalMaxPooling3D", (4, 4, 4, 2), lambda L: L.GlobalMaxPooling3D()),
    ("BatchNormalization", (6,), lambda L: L.BatchNormalization()),
    ("LayerNormalization", (6,), lambda L: L.LayerNormalization()),
    ("GroupNormalization", (8,), lambda L: L.GroupNormalization(groups=2)),
    ("UnitNormalization", (6,), lambda L: L.UnitNormalization()),
    ("Dropout", (6,), lambda L: L.Dropout(0.5)),
    ("AlphaDropout", (6,), lambda L: L.AlphaDropout(0.5)),
    ("GaussianDropout", (6,), lambda L: L.GaussianDropout(0.5)),
    ("GaussianNoise", (6,), lambda L: L.GaussianNoise(0.5)),
    ("SpatialDropout1D", (8, 3), lambda L: L.SpatialDropout1D(0.5)),
    ("SpatialDropout2D", (8, 8, 3), lambda L: L.SpatialDropout2D(0.5)),
    ("SpatialDropout3D", (4, 4, 4, 2), lambda L: L.SpatialDropout3D(0.5)),
    ("ActivityRegularization", (6,), lambda L: L.ActivityRegularization(0.1)),
    ("Flatten", (4, 3), lambda L: L.Flatten()),
    ("Permute", (4, 3), lambda L: L.Permute((2, 1))),
    ("RepeatVector", (6,), lambda L: L.RepeatVector(3)),
    ("Reshape", (6,), lambda L: L.Reshape((2, 3))),
    ("Cropping1D", (8, 3), lambda L: L.Cropping1D(1)),
    ("Cropping2D", (8, 8, 3), lambda L: L.Cropping2D(1)),
    ("Cropping3D", (6, 6, 6, 2), lambda L: L.Cropping3D(1)),
    ("UpSampling1D", (4, 3), lambda L: L.UpSampling1D(2)),
    ("UpSampling2D", (4, 4, 3), lambda L: L.UpSampling2D(2)),
    ("UpSampling3D", (3, 3, 3, 2), lambda L: L.UpSampling3D(2)),
    ("ZeroPadding1D", (4, 3), lambda L: L.ZeroPadding1D(1)),
    ("ZeroPadding2D", (4, 4, 3), lambda L: L.ZeroPadding2D(1)),
    ("ZeroPadding3D", (3, 3, 3, 2), lambda L: L.ZeroPadding3D(1)),
    ("ELU", (6,), lambda L: L.ELU()),
    ("LeakyReLU", (6,), lambda L: L.LeakyReLU()),
    ("PReLU", (6,), lambda L: L.PReLU()),
    ("ReLU", (6,), lambda L: L.ReLU(max_value=0.5)),
    ("Softmax", (6,), lambda L: L.Softmax()),
    ("Rescaling", (6,), lambda L: L.Rescaling(0.5, 0.1)),
    ("Resizing", (8, 8, 3), lambda L: L.Resizing(4, 4)),
    ("CenterCrop", (8, 8, 3), lambda L: L.CenterCrop(4, 4)),
    ("RandomFlip", (8, 8, 3), lambda L: L.RandomFlip()),
    ("RandomRotation", (8, 8, 3), lambda L: L.RandomRotation(0.1)),
    ("RandomZoom", (8, 8, 3), lambda L: L.RandomZoom(0.1)),
    ("RandomTranslation", (8, 8, 3), lambda L: L.RandomTranslation(0.1, 0.1)),
    ("RandomContrast", (8, 8, 3), lambda L: L.RandomContrast(0.1)),
    ("RandomBrightness", (8, 8, 3), lambda L: L.RandomBrightness(0.1)),
    ("Normalization", (6,), lambda L: L.Normalization(mean=0.5, variance=2.0)),
    ("Normalization_adapted", (6,), lambda L: L.Normalization()),
    ("Discretization", (6,), lambda L: L.Discretization(bin_boundaries=[0.2, 0.5])),
    ("CategoryEncoding", (3,), lambda L: L.CategoryEncoding(num_tokens=5,
                                                            output_mode="multi_hot")),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,shape,make", LAYERS, ids=[spec[0] for spec in LAYERS])
def test_every_builtin_layer_crosses_both_ways(keras, name, shape, make, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((2, *shape)).astype("float32")
    if name == "CategoryEncoding":
        x = rng.integers(0, 5, (2, 3)).astype("float32")
    keras.backend.clear_session()
    km = keras.Sequential([keras.Input(shape), make(keras.layers)])
    if km.weights:
        km.set_weights([rng.random(w.shape).astype("float32") + 0.5 for w in km.get_weights()])
    km.save(tmp_path / "k.keras")
    lm = layerwise.models.load_model(tmp_path / "k.keras")
    _assert_same(lm.predict(x, verbose=0), km.predict(x, verbose=0))

    lm2 = layerwise.Sequential([layerwise.Input(shape), make(layerwise.layers)])
    if lm2.weights:
        lm2.set_weights([rng.random(tuple(w.shape)).astype("float32") + 0.5
                         for w in lm2.get_weights()])
    lm2.save(tmp_path / "l.keras")
    km2 = keras.models.load_model(tmp_path / "l.keras")
    _assert_same(km2.predict(x, verbose=0), lm2.predict(x, verbose=0))


@pytest.mark.parametrize("merge", ["Add", "Subtract", "Multiply", "Average", "Maximum",
                                   "Minimum", "Concatenate", "Dot"])
def test_merging_layers_cross_both_ways(keras, merge, tmp_path):
    def build(K):
        a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
        layer = getattr(K.layers, merge)(axes=1) if merge == "Dot" else \
            getattr(K.layers, merge)()
        return K.Model([a, b], K.layers.Dense(2)(layer([K.layers.Dense(4)(a), b])))

    x = [RNG.random((3, 4)).astype("float32") for _ in range(2)]
    keras.backend.clear_session()
    km = build(keras)
    km.save(tmp_path / "k.keras")
    _assert_same(layerwise.models.load_model(tmp_path / "k.keras").predict(x, verbose=0),
                 km.predict(x, verbose=0))
    lm = build(layerwise)
    lm.save(tmp_path / "l.keras")
    _assert_same(keras.models.load_model(tmp_path / "l.keras").predict(x, verbose=0),
                 lm.predict(x, verbose=0))
