"""Official weight files: download with Keras' name and hash, the Keras cache, the Keras 1
dataset names of the published files, offline errors, and all-or-nothing loading."""

from __future__ import annotations

import hashlib
import os

import h5py
import numpy as np
import pytest

import layerwise as keras
from layerwise.applications import vgg
from layerwise.utils.file_utils import DownloadError

SHAPE = (32, 32, 3)


def _small_vgg(weights=None):
    return keras.applications.VGG16(weights=weights, include_top=False, input_shape=SHAPE)


def _keras1_file(path, model, seed: int = 0) -> list[np.ndarray]:
    """The layout of the published VGG16 files: `layer_names` at the root (the input
    layer included, without weights) and Keras 1 dataset names such as
    `block1_conv1_W_1:0`. Returns the arrays written, in `model.get_weights()` order."""
    rng = np.random.default_rng(seed)
    written = []
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array(
            [b"input_1"] + [layer.name.encode() for layer in model.layers[1:]])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.0.8"
        f.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S1")
        for layer in model.layers[1:]:
            group = f.create_group(layer.name)
            names = []
            for suffix, w in zip(("W", "b"), layer.get_weights(), strict=False):
                name = f"{layer.name}_{suffix}_1:0"
                value = rng.normal(0, 0.1, w.shape).astype("float32")
                group.create_dataset(name, data=value)
                names.append(name.encode())
                written.append(value)
            group.attrs["weight_names"] = np.array(names)
    return written


def test_keras1_named_file_loads(tmp_path):
    model = _small_vgg()
    path = tmp_path / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    written = _keras1_file(path, model)
    loaded = _small_vgg(weights=str(path))
    for expected, got in zip(written, loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(expected, got)


def _serve_vgg_notop(http_server, monkeypatch, tmp_path) -> tuple[list[np.ndarray], str]:
    """Serves a Keras 1 layout file under the official no-top name with its md5."""
    fname = vgg._FILES["vgg16"][1][0]
    source = tmp_path / "source.h5"
    written = _keras1_file(source, _small_vgg())
    data = source.read_bytes()
    md5 = hashlib.md5(data).hexdigest()
    http_server.files[fname] = data
    top = vgg._FILES["vgg16"][0]
    monkeypatch.setitem(vgg._FILES, "vgg16", (top, (fname, http_server.url(fname), md5)))
    return written, fname


@pytest.mark.slow
def test_imagenet_weights_download_into_layerwise_home(app_env, http_server, monkeypatch):
    written, fname = _serve_vgg_notop(http_server, monkeypatch, app_env)
    model = keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=SHAPE)
    for expected, got in zip(written, model.get_weights(), strict=True):
        np.testing.assert_array_equal(expected, got)
    assert os.path.isfile(app_env / "home" / "models" / fname)
    keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=SHAPE)
    assert len(http_server.requests) == 1  # the second model used the cache


@pytest.mark.slow
def test_imagenet_weights_found_in_keras_cache(app_env, http_server, monkeypatch):
    written, fname = _serve_vgg_notop(http_server, monkeypatch, app_env)
    os.makedirs(app_env / "keras" / "models")
    (app_env / "keras" / "models" / fname).write_bytes(http_server.files.pop(fname))
    model = keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=SHAPE)
    np.testing.assert_array_equal(written[0], model.get_weights()[0])
    assert http_server.requests == []


def test_offline_error_says_which_file_goes_where(app_env, http_server, monkeypatch):
    _, fname = _serve_vgg_notop(http_server, monkeypatch, app_env)
    del http_server.files[fname]
    with pytest.raises(DownloadError) as info:
        keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=SHAPE)
    message = str(info.value)
    assert fname in message and str(app_env / "home" / "models" / fname) in message
    assert str(app_env / "keras" / "models" / fname) in message


@pytest.mark.parametrize("content", [b"not an hdf5 file", b"\x89HDF\r\n\x1a\n" + b"\0" * 64])
def test_corrupt_weights_file_names_the_argument(tmp_path, content):
    path = tmp_path / "bad.h5"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"`weights`=.*bad\.h5"):
        _small_vgg(weights=str(path))


def test_wrong_weights_file_leaves_model_unchanged(tmp_path):
    other = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=SHAPE,
                                           alpha=0.35)
    path = tmp_path / "mobilenet.weights.h5"
    other.save_weights(str(path))
    model = _small_vgg()
    before = model.get_weights()
    with pytest.raises(ValueError, match="`weights`=") as info:
        keras.applications._weights.load_application_weights(model, str(path))
    assert "unchanged" in str(info.value)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_partially_matching_file_loads_nothing(tmp_path):
    """A file whose first layers match but a later one does not: no layer is changed."""
    model = _small_vgg()
    path = tmp_path / "w.h5"
    written = _keras1_file(path, model)
    with h5py.File(path, "a") as f:
        group = f["block5_conv3"]
        del group["block5_conv3_W_1:0"]
        group.create_dataset("block5_conv3_W_1:0", data=np.zeros((3, 3, 512, 7), "float32"))
    before = model.get_weights()
    with pytest.raises(ValueError, match="block5_conv3"):
        keras.applications._weights.load_application_weights(model, str(path))
    assert not np.array_equal(written[0], model.get_weights()[0])
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _assert_unchanged(before, model):
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_truncated_weights_file_leaves_model_unchanged(tmp_path):
    """A real weights file cut short (an interrupted copy): a clear error, nothing loaded."""
    model = _small_vgg()
    before = model.get_weights()
    full = tmp_path / "full.h5"
    _keras1_file(full, model, seed=3)
    data = full.read_bytes()
    for name, part in (("half.h5", data[: len(data) // 2]), ("head.h5", data[:4096])):
        path = tmp_path / name
        path.write_bytes(part)
        with pytest.raises(ValueError, match=rf"`weights`=.*{name}.*unchanged"):
            keras.applications._weights.load_application_weights(model, str(path))
        _assert_unchanged(before, model)


def test_keras3_layout_with_a_mismatched_layer_loads_nothing(tmp_path):
    """A `.weights.h5` file of the same network but another `classes`: the classifier does
    not fit, so no layer (the convolutions included) takes the file's values."""
    kw = dict(weights=None, include_top=True, input_shape=SHAPE, alpha=0.35)
    other = keras.applications.MobileNetV2(classes=7, **kw)
    path = tmp_path / "mobilenet_v2_7.weights.h5"
    other.save_weights(str(path))
    model = keras.applications.MobileNetV2(classes=5, **kw)
    before = model.get_weights()
    with pytest.raises(ValueError, match="`weights`=") as info:
        keras.applications._weights.load_application_weights(model, str(path))
    assert "unchanged" in str(info.value)
    assert not np.array_equal(other.get_weights()[0], model.get_weights()[0])
    _assert_unchanged(before, model)
