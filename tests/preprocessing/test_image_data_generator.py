"""`ImageDataGenerator`: behaviour, the augmentation tutorial, and parity with Keras' legacy
implementation (`keras.src.legacy.preprocessing.image`) under fixed seeds."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch

import layerwise
from layerwise.preprocessing import image as lw_image
from layerwise.preprocessing.image import ImageDataGenerator

pytest.importorskip("PIL")

# Values are 0..255 floats; the batched warp samples in float32 (SciPy in float64).
ATOL = 2e-3


def assert_close(a, b):
    """Equal up to float32 sampling error, relative to the scale of the data."""
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5 * max(1.0, float(np.abs(b).max())))


@pytest.fixture(scope="module")
def legacy(keras):
    from keras.src.legacy.preprocessing import image as legacy_image

    return legacy_image


def images(n=10, h=12, w=17, c=3, seed=0, data_format="channels_last"):
    x = np.random.RandomState(seed).randint(0, 256, (n, h, w, c)).astype("float32")
    return x if data_format == "channels_last" else np.ascontiguousarray(x.transpose(0, 3, 1, 2))


# ------------------------------------------------------------------ Keras parity
CONFIGS = [
    dict(rotation_range=40),
    dict(width_shift_range=0.2, height_shift_range=0.3),
    dict(width_shift_range=3, height_shift_range=[1, 2, 3]),
    dict(width_shift_range=2.5),
    dict(shear_range=20),
    dict(zoom_range=0.3),
    dict(zoom_range=[0.5, 0.9]),
    dict(horizontal_flip=True, vertical_flip=True),
    dict(channel_shift_range=30.0),
    dict(rotation_range=30, fill_mode="constant", cval=5.0),
    dict(rotation_range=30, fill_mode="reflect"),
    dict(rotation_range=30, fill_mode="wrap"),
    dict(rotation_range=30, interpolation_order=0),
    dict(samplewise_center=True, samplewise_std_normalization=True),
    dict(rescale=1 / 255.0, preprocessing_function=lambda im: im[::-1] * 0.5 + 1),
    dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
         zoom_range=0.2, horizontal_flip=True, fill_mode="nearest", rescale=1.0 / 255),
]


@pytest.mark.keras
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(sorted(c)))
def test_flow_matches_keras_with_seed(legacy, config, data_format):
    x, y = images(data_format=data_format), np.arange(10)
    ours = ImageDataGenerator(data_format=data_format, **config)
    theirs = legacy.ImageDataGenerator(data_format=data_format, **config)
    mine, ref = ours.flow(x, y, batch_size=4, seed=3), theirs.flow(x, y, batch_size=4, seed=3)
    for i in (0, 1, 2):  # `__getitem__` (the fit path)
        (xa, ya), (xb, yb) = mine[i], ref[i]
        np.testing.assert_array_equal(ya, yb)
        assert xa.dtype == xb.dtype and xa.shape == xb.shape
        assert_close(xa, xb)
    (xa, ya), (xb, yb) = next(mine), next(ref)  # `__next__` (the `for x, y in it` path)
    np.testing.assert_array_equal(ya, yb)
    assert_close(xa, xb)


@pytest.mark.keras
@pytest.mark.parametrize("local_scale", [False, True])
def test_brightness_matches_keras(legacy, local_scale):
    x = images(n=6)
    if local_scale:
        x = x * 3 - 200  # outside [0, 255]: Keras rescales through 8 bits and back
    config = dict(brightness_range=(0.3, 1.7))
    mine = ImageDataGenerator(**config).flow(x, batch_size=6, seed=1, shuffle=False)[0]
    ref = legacy.ImageDataGenerator(**config).flow(x, batch_size=6, seed=1, shuffle=False)[0]
    np.testing.assert_allclose(mine, ref, atol=1e-3 if not local_scale else 1e-2)


@pytest.mark.keras
@pytest.mark.parametrize("params", [
    dict(theta=30), dict(tx=3, ty=-2), dict(shear=25), dict(zx=1.3, zy=0.7),
    dict(theta=-20, tx=1.5, shear=10, zx=0.9, zy=1.1, flip_horizontal=True),
    dict(flip_vertical=True, channel_shift_intensity=12.0), dict(brightness=0.6),
])
@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
def test_apply_transform_matches_keras(legacy, params, fill_mode):
    x = images(n=1, h=9, w=14)[0]
    ours = ImageDataGenerator(fill_mode=fill_mode, cval=7.0)
    theirs = legacy.ImageDataGenerator(fill_mode=fill_mode, cval=7.0)
    np.testing.assert_allclose(ours.apply_transform(x, params),
                               theirs.apply_transform(x, params), atol=ATOL)


@pytest.mark.keras
def test_functions_match_keras(legacy):
    x = images(n=1, h=10, w=13)[0]
    for kwargs in (dict(theta=25, channel_axis=2, row_axis=0, col_axis=1),
                   dict(tx=2, zx=1.2, channel_axis=2, row_axis=0, col_axis=1,
                        fill_mode="constant", cval=3),
                   dict(shear=15, order=0, channel_axis=2, row_axis=0, col_axis=1)):
        np.testing.assert_allclose(lw_image.apply_affine_transform(x, **kwargs),
                                   legacy.apply_affine_transform(x, **kwargs), atol=ATOL)
    chw = np.ascontiguousarray(x.transpose(2, 0, 1))
    np.testing.assert_allclose(lw_image.apply_affine_transform(chw, theta=10),
                               legacy.apply_affine_transform(chw, theta=10), atol=ATOL)
    np.testing.assert_allclose(lw_image.apply_channel_shift(chw, 20.0),
                               legacy.apply_channel_shift(chw, 20.0), atol=1e-4)
    np.testing.assert_allclose(lw_image.apply_brightness_shift(x, 1.4),
                               legacy.apply_brightness_shift(x, 1.4))


@pytest.mark.keras
def test_random_transform_and_standardize_match_keras(legacy):
    x = images(n=1)[0]
    cfg = dict(rotation_range=20, zoom_range=0.1, horizontal_flip=True,
               samplewise_center=True, rescale=0.5)
    ours, theirs = ImageDataGenerator(**cfg), legacy.ImageDataGenerator(**cfg)
    np.testing.assert_allclose(ours.random_transform(x, seed=5),
                               theirs.random_transform(x, seed=5), atol=ATOL)
    assert ours.get_random_transform(x.shape, seed=9) == theirs.get_random_transform(
        x.shape, seed=9)
    np.testing.assert_allclose(ours.standardize(x.copy()), theirs.standardize(x.copy()),
                               rtol=1e-6, atol=1e-5)


@pytest.mark.keras
@pytest.mark.parametrize("config", [
    dict(featurewise_center=True, featurewise_std_normalization=True),
    dict(zca_whitening=True),
    dict(featurewise_center=True, rescale=1 / 255.0, rotation_range=10),
])
def test_fit_statistics_match_keras(legacy, config):
    x = images(n=8, h=6, w=5)
    ours, theirs = ImageDataGenerator(**config), legacy.ImageDataGenerator(**config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(x, augment="rotation_range" in config, seed=2)
        theirs.fit(x, augment="rotation_range" in config, seed=2)
    for name in ("mean", "std", "zca_whitening_matrix"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.flow(x, batch_size=8, shuffle=False, seed=0)[0],
                               theirs.flow(x, batch_size=8, shuffle=False, seed=0)[0],
                               rtol=1e-4, atol=1e-3)


@pytest.mark.keras
@pytest.mark.parametrize("class_mode", ["categorical", "binary", "sparse", "input", None])
def test_flow_from_directory_matches_keras(legacy, image_tree, class_mode, capsys):
    cfg = dict(rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2,
               height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
               validation_split=0.25)
    kwargs = dict(target_size=(15, 18), batch_size=4, class_mode=class_mode, seed=11,
                  subset="training")
    mine = ImageDataGenerator(**cfg).flow_from_directory(image_tree, **kwargs)
    ref = legacy.ImageDataGenerator(**cfg).flow_from_directory(image_tree, **kwargs)
    assert capsys.readouterr().out.count("Found 10 images belonging to 2 classes.") == 2
    assert mine.class_indices == ref.class_indices == {"cats": 0, "dogs": 1}
    assert mine.filenames == ref.filenames and mine.samples == ref.samples == 10
    np.testing.assert_array_equal(mine.classes, ref.classes)
    assert len(mine) == len(ref) == 3
    for i in range(len(mine)):
        a, b = mine[i], ref[i]
        a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_allclose(u, v, atol=1e-5)


@pytest.mark.keras
def test_flow_from_dataframe_matches_keras(legacy, image_tree):
    pd = pytest.importorskip("pandas")
    files = sorted(str(p.relative_to(image_tree)) for p in image_tree.rglob("*.jpg"))
    df = pd.DataFrame({"filename": files + ["missing.jpg"],
                       "class": [f.split(os.sep)[0] for f in files] + ["cats"],
                       "w": np.arange(len(files) + 1, dtype="float32")})
    for class_mode in ("categorical", "binary", "raw"):
        kwargs = dict(directory=str(image_tree), target_size=(10, 12), batch_size=5,
                      seed=4, weight_col="w",
                      class_mode=class_mode, y_col="w" if class_mode == "raw" else "class")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mine = ImageDataGenerator(zoom_range=0.2).flow_from_dataframe(df, **kwargs)
            ref = legacy.ImageDataGenerator(zoom_range=0.2).flow_from_dataframe(df, **kwargs)
        assert mine.filenames == ref.filenames and len(mine) == len(ref)
        for u, v in zip(mine[1], ref[1]):
            np.testing.assert_allclose(u, v, atol=ATOL)


# ------------------------------------------------------------------ the tutorial
def small_model(input_shape):
    layers = layerwise.layers
    if hasattr(layers, "Conv2D") and hasattr(layers, "MaxPooling2D"):
        body = [layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(4)]
    else:
        body = []
    model = layerwise.Sequential([layerwise.Input(input_shape), *body, layers.Flatten(),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_augmentation_tutorial_runs_as_written(make_image_tree, tmp_path, capsys):
    train_dir = make_image_tree(tmp_path / "train", per_class=10, size_range=(160, 220))
    train_datagen = ImageDataGenerator(
        rescale=1. / 255, rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
        shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    train_generator = train_datagen.flow_from_directory(
        str(train_dir), target_size=(150, 150), batch_size=20, class_mode="binary")
    assert "Found 20 images belonging to 2 classes." in capsys.readouterr().out
    assert len(train_generator) == 1
    assert train_generator.class_indices == {"cats": 0, "dogs": 1}
    for x_batch, y_batch in train_generator:
        assert x_batch.shape == (20, 150, 150, 3) and x_batch.dtype == np.float32
        assert y_batch.shape == (20,) and set(np.unique(y_batch)) <= {0.0, 1.0}
        assert 0 <= x_batch.min() and x_batch.max() <= 1 + 1e-5
        break
    model = small_model((150, 150, 3))
    history = model.fit(train_generator, steps_per_epoch=1, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    with pytest.warns(DeprecationWarning):
        history = model.fit_generator(train_generator, steps_per_epoch=1, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    test_generator = ImageDataGenerator(rescale=1. / 255).flow_from_directory(
        str(train_dir), target_size=(150, 150), batch_size=20, class_mode=None, shuffle=False)
    assert model.predict(test_generator, verbose=0).shape == (20, 1)
    assert np.isfinite(model.evaluate(train_generator, verbose=0)[0])


# ------------------------------------------------------------------ behaviour
def test_flow_yields_x_y_sample_weight_and_misc_inputs():
    x, y, sw = images(n=7), np.arange(7), np.linspace(0, 1, 7)
    it = ImageDataGenerator().flow(x, y, sample_weight=sw, batch_size=3, shuffle=False)
    xb, yb, swb = it[2]
    assert xb.shape == (1, 12, 17, 3) and yb.tolist() == [6] and swb.tolist() == [1.0]
    np.testing.assert_array_equal(it[0][0], x[:3])  # no augmentation: the data itself
    misc = np.arange(14).reshape(7, 2)
    (xb, mb), yb = ImageDataGenerator().flow((x, misc), y, batch_size=2, shuffle=False)[1]
    np.testing.assert_array_equal(mb, misc[2:4])
    assert len(it) == 3
    with pytest.raises(IndexError):
        it[3]


def test_flow_does_not_modify_the_input_and_accepts_tensors():
    x = images(n=4)
    before = x.copy()
    gen = ImageDataGenerator(rotation_range=30, rescale=0.5, samplewise_center=True)
    out = gen.flow(torch.from_numpy(x), torch.arange(4), batch_size=4, seed=0)[0]
    np.testing.assert_array_equal(x, before)
    assert isinstance(out[0], np.ndarray) and out[0].shape == x.shape


def test_subset_and_validation_split():
    x, y = images(n=10), np.tile([0, 1], 5)
    gen = ImageDataGenerator(validation_split=0.2)
    train = gen.flow(x, y, subset="training", shuffle=False, batch_size=100)[0]
    val = gen.flow(x, y, subset="validation", shuffle=False, batch_size=100)[0]
    np.testing.assert_array_equal(val[0], x[:2])
    np.testing.assert_array_equal(train[0], x[2:])
    with pytest.raises(ValueError, match="different number of classes"):
        gen.flow(x, np.sort(y), subset="training")
    with pytest.raises(ValueError, match="validation_split"):
        ImageDataGenerator(validation_split=1.5)


def test_directory_subsets_split_each_class(image_tree):
    gen = ImageDataGenerator(validation_split=1 / 3)
    train = gen.flow_from_directory(image_tree, target_size=(8, 8), subset="training")
    val = gen.flow_from_directory(image_tree, target_size=(8, 8), subset="validation")
    assert train.samples == 8 and val.samples == 4
    assert not set(train.filenames) & set(val.filenames)
    assert sorted(val.classes.tolist()) == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="needs `validation_split`"):
        ImageDataGenerator().flow_from_directory(image_tree, subset="training")


@pytest.mark.parametrize("color_mode, channels", [("grayscale", 1), ("rgb", 3), ("rgba", 4)])
def test_color_modes_and_classes(image_tree, color_mode, channels):
    it = ImageDataGenerator().flow_from_directory(
        image_tree, target_size=(9, 7), color_mode=color_mode, classes=["dogs"], batch_size=2,
        class_mode="categorical")
    x, y = it[0]
    assert x.shape == (2, 9, 7, channels) and y.shape == (2, 1)
    assert it.class_indices == {"dogs": 0} and it.samples == 6


def test_save_to_dir(tmp_path):
    out = tmp_path / "aug"
    out.mkdir()
    ImageDataGenerator(rotation_range=10).flow(images(n=3), batch_size=3, save_to_dir=str(out),
                                               save_prefix="aug", seed=0)[0]
    names = sorted(os.listdir(out))
    assert len(names) == 3 and all(n.startswith("aug_") and n.endswith(".png") for n in names)


def test_iterator_is_endless_and_reproducible():
    x = images(n=5)
    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True)
    a = [next(gen.flow(x, batch_size=2, seed=7)) for _ in range(1)]
    it = gen.flow(x, batch_size=2, seed=7)
    batches = [next(it) for _ in range(4)]  # wraps around after 3 batches
    np.testing.assert_array_equal(a[0], batches[0])
    assert [len(b) for b in batches] == [2, 2, 1, 2]


def test_fit_with_workers_and_validation_iterator():
    x = images(n=12, h=8, w=8)
    y = (np.arange(12) % 2).astype("float32")
    gen = ImageDataGenerator(rotation_range=15, rescale=1 / 255.0)
    train = gen.flow(x, y, batch_size=4, seed=1)
    train.workers = 2
    model = small_model((8, 8, 3))
    history = model.fit(train, validation_data=gen.flow(x, y, batch_size=6), epochs=2,
                        verbose=0)
    assert set(history.history) >= {"loss", "val_loss"} and len(history.history["loss"]) == 2


def test_argument_errors():
    with pytest.raises(ValueError, match="fill_mode"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="zoom_range"):
        ImageDataGenerator(zoom_range=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="brightness_range"):
        ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="class_mode"):
        ImageDataGenerator().flow_from_directory(".", class_mode="other")
    with pytest.raises(ValueError, match="does not exist"):
        ImageDataGenerator().flow_from_directory("/nonexistent/folder")
    with pytest.warns(UserWarning, match="fit"):
        ImageDataGenerator(featurewise_center=True).flow(images(n=2), batch_size=2)[0]


def test_interpolation_order_above_one_uses_scipy():
    pytest.importorskip("scipy")
    x = images(n=2)
    out = ImageDataGenerator(zoom_range=0.2, interpolation_order=3).flow(x, seed=0,
                                                                         batch_size=2)[0]
    assert out.shape == x.shape and np.isfinite(out).all()
