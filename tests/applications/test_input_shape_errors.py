"""Bad `input_shape` / `classes` / `weights` arguments: layerwise refuses exactly what Keras 3
refuses, before downloading anything, with a message naming the argument and the received
value (Keras' own wording varies from family to family; ours says the same thing)."""

from __future__ import annotations

import pytest

import layerwise
from layerwise.applications import _common

pytestmark = pytest.mark.keras

BAD = [  # (application, kwargs) that Keras rejects with a ValueError
    ("VGG16", dict(weights="imagenet", include_top=True, input_shape=(150, 150, 3))),
    ("VGG19", dict(weights="imagenet", include_top=True, input_shape=(224, 224, 1))),
    ("ResNet50", dict(weights="imagenet", include_top=True, input_shape=(299, 299, 3))),
    ("InceptionV3", dict(weights="imagenet", include_top=True, input_shape=(224, 224, 3))),
    ("Xception", dict(weights="imagenet", include_top=True, input_shape=(224, 224, 3))),
    ("DenseNet121", dict(weights="imagenet", include_top=True, input_shape=(None, None, 3))),
    ("VGG16", dict(weights=None, include_top=True, input_shape=(None, None, 3))),
    ("ResNet50", dict(weights=None, include_top=True, input_shape=(224, 224))),
    ("VGG16", dict(weights=None, include_top=True, input_shape=(16, 16, 3))),
    ("InceptionV3", dict(weights=None, include_top=False, input_shape=(60, 60, 3))),
    ("VGG16", dict(weights="imagenet", include_top=False, input_shape=(64, 64, 1))),
    ("VGG16", dict(weights="imagenet", include_top=True, classes=10)),
    ("ResNet50V2", dict(weights="imagenet", include_top=True, classes=2)),
    ("MobileNetV2", dict(weights="imagenet", include_top=True, classes=100)),
    ("VGG16", dict(weights="imagenet21k")),
]


class _Downloaded(Exception):
    pass


def _keras_error(keras, monkeypatch, name, kwargs) -> str:
    from keras.src.utils import file_utils

    def no_download(*args, **kw):
        raise _Downloaded(name)

    monkeypatch.setattr(file_utils, "get_file", no_download)
    with pytest.raises(ValueError) as info:
        getattr(keras.applications, name)(**kwargs)
    return str(info.value)


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_rejects_what_keras_rejects(keras, monkeypatch, name, kwargs):
    _keras_error(keras, monkeypatch, name, kwargs)

    def no_download(*args, **kw):
        raise _Downloaded(name)

    monkeypatch.setattr(_common, "weights_file", no_download)
    with pytest.raises(ValueError) as info:
        getattr(layerwise.applications, name)(**kwargs)
    argument = next(a for a in ("classes", "input_shape", "weights") if a in kwargs)
    message = str(info.value)
    assert f"{argument}={kwargs[argument]}" in message, message
