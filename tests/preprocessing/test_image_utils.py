"""`load_img`, `img_to_array`, `array_to_img`, `save_img`, `smart_resize` (against Keras)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

import layerwise
from layerwise.utils import image_utils

Image = pytest.importorskip("PIL.Image")


def test_public_paths():
    for name in ("load_img", "img_to_array", "array_to_img", "save_img", "smart_resize"):
        assert getattr(layerwise.utils, name) is getattr(image_utils, name)
        assert getattr(layerwise.preprocessing.image, name) is getattr(image_utils, name)


@pytest.mark.parametrize("ext", ["png", "jpg", "bmp"])
@pytest.mark.parametrize("color_mode, channels", [("rgb", 3), ("rgba", 4), ("grayscale", 1)])
def test_save_load_round_trip(tmp_path, ext, color_mode, channels):
    x = np.random.RandomState(0).randint(0, 256, (7, 9, 3)).astype("float32")
    path = tmp_path / f"img.{ext}"
    layerwise.utils.save_img(str(path), x, scale=False)
    img = layerwise.utils.load_img(path, color_mode=color_mode)
    arr = layerwise.utils.img_to_array(img)
    assert arr.shape == (7, 9, channels) and arr.dtype == np.float32
    if ext != "jpg" and color_mode == "rgb":
        np.testing.assert_array_equal(arr, x)
    chw = layerwise.utils.img_to_array(img, data_format="channels_first")
    assert chw.shape == (channels, 7, 9)


def test_load_img_resizes_and_keeps_aspect_ratio(tmp_path):
    path = tmp_path / "wide.png"
    Image.fromarray(np.zeros((20, 40, 3), dtype=np.uint8)).save(path)
    assert layerwise.utils.load_img(path, target_size=(10, 15)).size == (15, 10)
    img = layerwise.utils.load_img(path, target_size=(10, 10), keep_aspect_ratio=True,
                                   interpolation="bilinear")
    assert img.size == (10, 10)
    buffer = io.BytesIO(path.read_bytes())
    assert layerwise.utils.load_img(buffer).size == (40, 20)
    with pytest.raises(ValueError, match="interpolation"):
        layerwise.utils.load_img(path, target_size=(5, 5), interpolation="cubic")
    with pytest.raises(ValueError, match="color_mode"):
        layerwise.utils.load_img(path, color_mode="cmyk")
    with pytest.raises(TypeError, match="path"):
        layerwise.utils.load_img(42)


def test_array_to_img_modes_and_errors():
    assert layerwise.utils.array_to_img(np.zeros((4, 4, 1))).mode == "L"
    assert layerwise.utils.array_to_img(np.full((4, 4, 1), 1000.0), scale=False).mode == "I"
    assert layerwise.utils.array_to_img(torch.zeros(3, 4, 5), data_format="channels_first"
                                        ).size == (5, 4)
    with pytest.raises(ValueError, match="rank 3"):
        layerwise.utils.array_to_img(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="channel"):
        layerwise.utils.array_to_img(np.zeros((4, 4, 2)))


def test_jpeg_rgba_is_converted_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="RGBA"):
        layerwise.utils.save_img(str(tmp_path / "a.jpg"), np.zeros((4, 4, 4)))


@pytest.mark.keras
def test_image_utils_match_keras(keras, tmp_path):
    rng = np.random.RandomState(1)
    x = rng.uniform(-3, 7, (6, 8, 3)).astype("float32")
    ours, theirs = layerwise.utils.array_to_img(x), keras.utils.array_to_img(x)
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    path = tmp_path / "x.png"
    keras.utils.save_img(str(path), x)
    for kwargs in (dict(), dict(target_size=(5, 7)), dict(color_mode="grayscale"),
                   dict(target_size=(4, 4), keep_aspect_ratio=True, interpolation="bicubic")):
        np.testing.assert_array_equal(
            layerwise.utils.img_to_array(layerwise.utils.load_img(path, **kwargs)),
            keras.utils.img_to_array(keras.utils.load_img(path, **kwargs)))


@pytest.mark.keras
@pytest.mark.parametrize("shape, size", [((34, 50, 3), (20, 20)), ((2, 30, 12, 1), (8, 16)),
                                         ((10, 10, 3), (10, 10))])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
def test_smart_resize_matches_keras(keras, shape, size, interpolation):
    from keras.src.utils import image_utils as k_image_utils

    x = np.random.RandomState(0).uniform(0, 255, shape).astype("float32")
    ours = layerwise.utils.smart_resize(x, size, interpolation=interpolation)
    theirs = k_image_utils.smart_resize(x, size, interpolation=interpolation)
    assert isinstance(ours, np.ndarray)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-5, atol=1e-3)
    tensor_out = layerwise.utils.smart_resize(torch.from_numpy(x), size)
    assert isinstance(tensor_out, torch.Tensor)


def test_smart_resize_errors():
    with pytest.raises(ValueError, match="size"):
        layerwise.utils.smart_resize(np.zeros((4, 4, 3)), (2, 2, 2))
    with pytest.raises(ValueError, match="rank"):
        layerwise.utils.smart_resize(np.zeros((4, 4)), (2, 2))
