"""Property tests (hypothesis) for the image transforms: identity parameters give the input
back, flips are involutions, shapes and dtypes are preserved, outputs stay in range."""

from __future__ import annotations

import numpy as np
import pytest
import torch

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import layerwise  # noqa: E402
from layerwise.backend import affine as _affine  # noqa: E402
from layerwise.preprocessing.image import ImageDataGenerator  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None)

shapes = st.tuples(st.integers(1, 9), st.integers(1, 9), st.sampled_from([1, 3, 4]))
fill_modes = st.sampled_from(["nearest", "constant", "reflect", "wrap"])
formats = st.sampled_from(["channels_last", "channels_first"])


def random_image(shape, seed, data_format="channels_last"):
    x = np.random.RandomState(seed).uniform(0, 255, shape).astype("float32")
    return x if data_format == "channels_last" else np.ascontiguousarray(x.transpose(2, 0, 1))


transform_params = st.fixed_dictionaries({
    "theta": st.floats(-180, 180), "tx": st.floats(-5, 5), "ty": st.floats(-5, 5),
    "shear": st.floats(-40, 40), "zx": st.floats(0.5, 1.5), "zy": st.floats(0.5, 1.5),
    "flip_horizontal": st.booleans(), "flip_vertical": st.booleans(),
    "channel_shift_intensity": st.one_of(st.none(), st.floats(-50, 50)),
    "brightness": st.one_of(st.none(), st.floats(0.0, 1.0)),
})


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), fill_mode=fill_modes, data_format=formats,
       order=st.sampled_from([0, 1]))
def test_identity_parameters_give_the_input_back(shape, seed, fill_mode, data_format, order):
    x = random_image(shape, seed, data_format)
    gen = ImageDataGenerator(fill_mode=fill_mode, data_format=data_format,
                             interpolation_order=order)
    identity = {"theta": 0, "tx": 0, "ty": 0, "shear": 0, "zx": 1, "zy": 1,
                "flip_horizontal": False, "flip_vertical": False,
                "channel_shift_intensity": None, "brightness": None}
    np.testing.assert_array_equal(gen.apply_transform(x, identity), x)
    np.testing.assert_array_equal(gen.apply_transform(x, {}), x)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), fill_mode=fill_modes,
       convention=st.sampled_from(["scipy", "grid"]), order=st.sampled_from([0, 1]))
def test_identity_warp_gives_the_input_back(shape, seed, fill_mode, convention, order):
    x = torch.from_numpy(random_image(shape, seed))[None]
    out = _affine.warp(x, np.eye(3)[None], fill_mode=fill_mode, fill_value=-1.0, order=order,
                       convention=convention)
    # Up to float32 rounding of the normalized sampling grid (< 1e-5 of the 0..255 range);
    # `ImageDataGenerator` skips identity warps, so it is exact (test above).
    torch.testing.assert_close(out, x, rtol=0, atol=2.5e-3)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), data_format=formats,
       flips=st.sampled_from([{"flip_horizontal": True}, {"flip_vertical": True},
                              {"flip_horizontal": True, "flip_vertical": True}]))
def test_flips_are_involutions(shape, seed, data_format, flips):
    x = random_image(shape, seed, data_format)
    gen = ImageDataGenerator(data_format=data_format)
    once = gen.apply_transform(x, flips)
    np.testing.assert_array_equal(gen.apply_transform(once, flips), x)
    if shape[0] > 1 and shape[1] > 1 and not np.array_equal(once, x):
        assert once.shape == x.shape


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), mode=st.sampled_from(
    ["horizontal", "vertical", "horizontal_and_vertical"]))
def test_random_flip_layer_is_an_involution(shape, seed, mode):
    x = torch.from_numpy(random_image(shape, seed))[None].repeat(3, 1, 1, 1)
    layer = layerwise.layers.RandomFlip(mode, seed=seed)
    transformation = layer.get_random_transformation(x, training=True)
    once = layer.transform_images(x, transformation)
    torch.testing.assert_close(layer.transform_images(once, transformation), x)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), params=transform_params, fill_mode=fill_modes,
       data_format=formats)
def test_shape_dtype_and_range_are_preserved(shape, seed, params, fill_mode, data_format):
    x = random_image(shape, seed, data_format)
    lo, hi = float(x.min()), float(x.max())
    gen = ImageDataGenerator(fill_mode=fill_mode, cval=(lo + hi) / 2, data_format=data_format)
    out = gen.apply_transform(x, params)
    assert out.shape == x.shape and out.dtype == np.float32
    assert np.isfinite(out).all()
    if params["brightness"] is None:
        # Interpolation is convex, channel shifts are clipped to the image's range.
        assert lo - 1e-3 <= out.min() and out.max() <= hi + 1e-3
    else:
        assert 0 <= out.min() and out.max() <= 255


@SETTINGS
@given(side=st.integers(1, 8), seed=st.integers(0, 100))
def test_half_turn_equals_double_flip(side, seed):
    x = random_image((side, side, 2), seed)
    out = ImageDataGenerator().apply_transform(x, {"theta": 180})
    np.testing.assert_allclose(out, x[::-1, ::-1], atol=1e-3)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), batch=st.integers(1, 4),
       fill_mode=st.sampled_from(["nearest", "constant", "reflect", "wrap"]))
def test_zero_factor_layers_are_identities(shape, seed, batch, fill_mode):
    x = torch.from_numpy(random_image(shape, seed))[None].repeat(batch, 1, 1, 1)
    layers = layerwise.layers
    for layer in (layers.RandomRotation(0.0, fill_mode=fill_mode),
                  layers.RandomZoom(0.0, fill_mode=fill_mode),
                  layers.RandomTranslation(0.0, 0.0, fill_mode=fill_mode),
                  layers.RandomBrightness(0.0), layers.RandomContrast(0.0)):
        torch.testing.assert_close(layer(x, training=True), x, rtol=0, atol=1e-3)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 100), factor=st.floats(0.0, 1.0),
       batch=st.integers(1, 3))
def test_random_layers_keep_shape_dtype_and_value_range(shape, seed, factor, batch):
    x = torch.from_numpy(random_image(shape, seed))[None].repeat(batch, 1, 1, 1)
    layers = layerwise.layers
    for layer in (layers.RandomRotation(factor, seed=seed),
                  layers.RandomZoom(min(factor, 0.9), seed=seed),
                  layers.RandomTranslation(factor, factor, seed=seed),
                  layers.RandomFlip(seed=seed)):
        out = layer(x, training=True)
        assert out.shape == x.shape and out.dtype == torch.float32
        assert float(x.min()) - 1e-3 <= float(out.min()) and float(out.max()) <= float(
            x.max()) + 1e-3
    for layer in (layers.RandomContrast(factor, seed=seed), layers.RandomBrightness(
            factor, seed=seed)):
        out = layer(x, training=True)
        assert out.shape == x.shape and 0 <= float(out.min()) and float(out.max()) <= 255
