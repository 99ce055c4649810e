"""`weights="imagenet"` asks for exactly the file Keras asks for: name, URL and hash."""

from __future__ import annotations

import pytest

import layerwise
from layerwise.applications import _common

pytestmark = pytest.mark.keras


class _Requested(Exception):
    pass


def _requested_by_keras(keras, monkeypatch, name, kwargs):
    from keras.src.utils import file_utils

    def fake_get_file(fname=None, origin=None, cache_subdir="datasets", file_hash=None, **_):
        raise _Requested(fname, origin, file_hash)

    monkeypatch.setattr(file_utils, "get_file", fake_get_file)
    with pytest.raises(_Requested) as info:
        getattr(keras.applications, name)(weights="imagenet", **kwargs)
    return info.value.args


def _requested_by_layerwise(monkeypatch, name, kwargs):
    def fake_weights_file(fname, origin, file_hash=None):
        raise _Requested(fname, origin, file_hash)

    monkeypatch.setattr(_common, "weights_file", fake_weights_file)
    with pytest.raises(_Requested) as info:
        getattr(layerwise.applications, name)(weights="imagenet", **kwargs)
    return info.value.args


CASES = [
    ("VGG16", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNetV2", dict(include_top=False, input_shape=(96, 96, 3), alpha=0.35)),
]
SLOW = [
    ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet101V2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNet", dict(include_top=False, input_shape=(128, 128, 3), alpha=0.25)),
    ("MobileNetV3Small", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNetV3Large", dict(include_top=True, minimalistic=True)),
    ("InceptionV3", dict(include_top=False, input_shape=(75, 75, 3))),
    ("InceptionResNetV2", dict(include_top=False, input_shape=(75, 75, 3))),
    ("Xception", dict(include_top=False, input_shape=(71, 71, 3))),
    ("DenseNet121", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB0", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB3", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2B0", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2S", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ConvNeXtTiny", dict(include_top=False, input_shape=(32, 32, 3))),
]


@pytest.mark.parametrize("name, kwargs", CASES + [
    pytest.param(n, kw, marks=pytest.mark.slow) for n, kw in SLOW])
def test_same_official_file_as_keras(keras, monkeypatch, name, kwargs):
    expected = _requested_by_keras(keras, monkeypatch, name, kwargs)
    assert _requested_by_layerwise(monkeypatch, name, kwargs) == expected
